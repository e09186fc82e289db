package alipaysdk

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/bmobemu/bmobemu/modules"
)

// gateway is a loopback Alipay gateway: it checks the request's signature with the
// app public key and answers with the configured status and body.
type gateway struct {
	t      *testing.T
	app    *rsa.PublicKey
	mu     sync.Mutex
	status int
	body   string
	seen   []url.Values
	agents []string
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		g.t.Errorf("body is not urlencoded: %v", err)
	}
	all := r.URL.Query()
	for k, v := range form {
		all[k] = v
	}
	var o orderString
	for k := range all {
		o = append(o, [2]string{k, all.Get(k)})
	}
	sum := sha256.Sum256([]byte(signContent(o, "sign")))
	sig, _ := base64.StdEncoding.DecodeString(all.Get("sign"))
	if err := rsa.VerifyPKCS1v15(g.app, crypto.SHA256, sum[:], sig); err != nil {
		g.t.Errorf("request signature does not verify: %v", err)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		g.t.Errorf("content-type %q", ct)
	}
	g.mu.Lock()
	g.seen = append(g.seen, all)
	g.agents = append(g.agents, r.Header.Get("User-Agent"))
	status, body := g.status, g.body
	g.mu.Unlock()
	w.Header().Set("trace_id", "trace-1")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// signedResponse is a gateway body whose <key> object is signed by alipayKey.
func signedResponse(t *testing.T, alipayKey *rsa.PrivateKey, key, object string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(object))
	sig, err := rsa.SignPKCS1v15(nil, alipayKey, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return `{"` + key + `":` + object + `,"sign":"` + base64.StdEncoding.EncodeToString(sig) + `"}`
}

func TestExecAgainstLoopbackGateway(t *testing.T) {
	app, ali := newKeyPair(t), newKeyPair(t)
	g := &gateway{t: t, app: &app.key.PublicKey}
	// One VU for all cases, made before the server starts: modulestest.New sets
	// time.Local, which the server's goroutines read.
	vu := newVU(t, modules.Compat)
	srv := httptest.NewServer(g)
	defer srv.Close()

	const key = "alipay_trade_query_response"
	success := `{"code":"10000","msg":"Success","trade_no":"2024","out_trade_no":"T1","total_amount":"0.01","fund_bill_list":[{"amount":"0.01","fund_channel":"ALIPAYACCOUNT"}]}`
	tests := []struct {
		name   string
		status int
		body   string
		option string
		want   string
	}{
		{"success is camel-cased", 200, signedResponse(t, ali.key, key, success), "{validateSign: true}",
			`resolved {"code":"10000","msg":"Success","tradeNo":"2024","outTradeNo":"T1","totalAmount":"0.01","fundBillList":[{"amount":"0.01","fundChannel":"ALIPAYACCOUNT"}]}`},
		{"business error resolves", 200, signedResponse(t, ali.key, key, `{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}`), "{}",
			`resolved {"code":"40004","msg":"Business Failed","subCode":"ACQ.TRADE_NOT_EXIST","subMsg":"交易不存在"}`},
		{"HTTP 500 rejects", 500, "oops", "{}", `rejected [AlipaySdk]HTTP 请求错误 500 oops trace-1`},
		{"non-JSON rejects", 200, "<html>", "{}", `rejected [AlipaySdk]Response 格式错误 200 <html> `},
		{"missing response key rejects", 200, `{"error_response":{"code":"40002"}}`, "{}", `rejected [AlipaySdk]HTTP 请求错误 200 {"error_response":{"code":"40002"}} `},
		{"bad response sign rejects", 200, strings.Replace(signedResponse(t, ali.key, key, success), `"T1"`, `"T2"`, 1), "{validateSign: true}",
			`rejected [AlipaySdk]验签失败 200`},
		{"bad response sign passes without validateSign", 200, strings.Replace(signedResponse(t, ali.key, key, success), `"T1"`, `"T2"`, 1), "{}",
			`resolved`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g.mu.Lock()
			g.status, g.body = tt.status, tt.body
			g.mu.Unlock()
			vu.MustRun(t, `var sdk = new AlipaySdk({ appId: '2021000000000001', privateKey: `+js(app.pkcs1PEM)+`,
				alipayPublicKey: `+js(ali.publicPEM)+`, gateway: `+js(srv.URL+"/gateway.do")+` });
				var out = 'unsettled';
				sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: 'T1' }, appAuthToken: 'tok' }, `+tt.option+`)
					.then(function (r) { out = 'resolved ' + JSON.stringify(r); },
					      function (e) { out = 'rejected ' + [e.errorMessage, e.serverResult.status, e.serverResult.data, e.traceId].join(' '); });`)
			got := vu.Global("out").String()
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	last := g.seen[len(g.seen)-1]
	if got := last.Get("biz_content"); got != `{"out_trade_no":"T1"}` {
		t.Errorf("biz_content %q", got)
	}
	if last.Get("app_auth_token") != "tok" || last.Get("method") != "alipay.trade.query" || last.Get("timestamp") != "2024-03-05 09:02:03" {
		t.Errorf("request params %v", last)
	}
	if g.agents[0] != "alipay-sdk-nodejs-3.6.2" {
		t.Errorf("user-agent %q", g.agents[0])
	}
}

func TestExecNetworkErrorRejectsWithError(t *testing.T) {
	app := newKeyPair(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	vu := newVU(t, modules.Compat)
	vu.MustRun(t, `var sdk = new AlipaySdk({ appId: '1', privateKey: `+js(app.pkcs1PEM)+`, gateway: 'http://`+addr+`/gateway.do' });
		var out; sdk.exec('alipay.trade.query', {}).catch(function (e) {
			out = [e instanceof Error, e.message, e.code, e.name].join(' '); });`)
	if got := vu.Global("out").String(); got != "true [AlipaySdk]exec error ECONNREFUSED RequestError" {
		t.Errorf("got %q", got)
	}
}

func TestExecSignErrorsReject(t *testing.T) {
	app := newKeyPair(t)
	vu := newVU(t, modules.Compat)
	vu.MustRun(t, `var sdk = new AlipaySdk({ appId: '1', privateKey: `+js(app.pkcs1PEM)+`, gateway: 'http://127.0.0.1:1/' });
		var out; sdk.exec('m', { bizContent: { a: 1 }, biz_content: { b: 2 } }).catch(function (e) { out = e.name + ': ' + e.message; });`)
	if got := vu.Global("out").String(); got != "Error: 不能同时设置 bizContent 和 biz_content" {
		t.Errorf("got %q", got)
	}
}
