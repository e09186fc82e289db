package alipaycloud

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/modulestest"
)

// gateway is a stand-in for Alipay's openapi on 127.0.0.1: it records each
// request's form and answers signed with its own key.
type gateway struct {
	t      *testing.T
	key    *rsa.PrivateKey
	mu     sync.Mutex
	forms  []url.Values
	answer func(form url.Values) (body string, sign bool)
	url    string // the gateway's URL
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		g.t.Error(err)
	}
	g.mu.Lock()
	g.forms = append(g.forms, r.PostForm)
	g.mu.Unlock()
	body, sign := g.answer(r.PostForm)
	key := strings.ReplaceAll(r.PostForm.Get("method"), ".", "_") + "_response"
	out := fmt.Sprintf(`{%q:%s`, key, body)
	if sign {
		sig, _ := rsa.SignPKCS1v15(rand.Reader, g.key, crypto.SHA256, digest(body))
		out += fmt.Sprintf(`,"sign":%q`, base64.StdEncoding.EncodeToString(sig))
	}
	fmt.Fprint(w, out+"}")
}

func (g *gateway) last() url.Values {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.forms[len(g.forms)-1]
}

func genKey(t *testing.T) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var frozen = time.Date(2026, 3, 5, 9, 2, 3, 0, bjtime.Location)

func setup(t *testing.T) (*modulestest.VU, *gateway, *rsa.PrivateKey) {
	app, alipay := genKey(t), genKey(t)
	g := &gateway{t: t, key: alipay, answer: func(form url.Values) (string, bool) {
		return `{"code":"10000","msg":"Success","out_trade_no":"T1","trade_no":"2026030522001400000000000001"}`, true
	}}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	g.url = srv.URL + "/gateway.do"
	env := &modules.Env{Profile: modules.Compat, HTTP: srv.Client(), Now: func() time.Time { return frozen }}
	vu := modulestest.New(t, env)
	vu.Load(t, "cloud", New(&modules.AlipayApp{AppID: "2021000000000042", PrivateKey: app, AlipayPublicKey: &alipay.PublicKey, Gateway: g.url}))
	return vu, g, app
}

func verifyRequest(t *testing.T, form url.Values, app *rsa.PrivateKey) {
	t.Helper()
	sig, err := base64.StdEncoding.DecodeString(form.Get("sign"))
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(&app.PublicKey, crypto.SHA256, digest(signContent(form)), sig); err != nil {
		t.Fatalf("request not signed with the app key: %v", err)
	}
}

func TestCreateBothFormsSignedWithOptions(t *testing.T) {
	vu, g, app := setup(t)
	vu.MustRun(t, `cloud.payment.common.create({subject: '测试', outTradeNo: 'T1', totalAmount: '0.01', buyerId: '2088102177846880', timeoutExpress: '30m'},
		{notify: {url: 'https://cloud.example.com/s/paid'}, appAuthToken: 'tok-1'}).then(r => { globalThis.res = JSON.stringify(r) })`)
	if got := vu.Global("res").String(); got != `{"code":"10000","msg":"Success","out_trade_no":"T1","trade_no":"2026030522001400000000000001"}` {
		t.Fatalf("answer %s", got)
	}
	f := g.last()
	verifyRequest(t, f, app)
	want := map[string]string{
		"app_id": "2021000000000042", "method": "alipay.trade.create", "format": "JSON", "charset": "utf-8", "sign_type": "RSA2",
		"timestamp": "2026-03-05 09:02:03", "version": "1.0", "notify_url": "https://cloud.example.com/s/paid", "app_auth_token": "tok-1",
		"biz_content": `{"subject":"测试","out_trade_no":"T1","total_amount":"0.01","buyer_id":"2088102177846880","timeout_express":"30m"}`,
	}
	for k, v := range want {
		if f.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, f.Get(k), v)
		}
	}

	vu.MustRun(t, `cloud.payment.common.create('测试', 'T2', '0.02', '2088102177846880').then(r => { globalThis.res2 = r.code })`)
	f = g.last()
	verifyRequest(t, f, app)
	if f.Get("biz_content") != `{"subject":"测试","out_trade_no":"T2","total_amount":"0.02","buyer_id":"2088102177846880"}` ||
		f.Get("notify_url") != "" || f.Get("app_auth_token") != "" || vu.Global("res2").String() != "10000" {
		t.Fatalf("positional form sent %v", f)
	}
}

func TestOtherCommonMethods(t *testing.T) {
	vu, g, _ := setup(t)
	cases := []struct{ js, method, biz string }{
		{`query({outTradeNo: 'T1'})`, "alipay.trade.query", `{"out_trade_no":"T1"}`},
		{`query('T1')`, "alipay.trade.query", `{"out_trade_no":"T1"}`},
		{`refund({outTradeNo: 'T1', refundAmount: '0.01'}, {appAuthToken: 'tok'})`, "alipay.trade.refund", `{"out_trade_no":"T1","refund_amount":"0.01"}`},
		{`refund('T1', '0.01')`, "alipay.trade.refund", `{"out_trade_no":"T1","refund_amount":"0.01"}`},
		{`close({outTradeNo: 'T1'})`, "alipay.trade.close", `{"out_trade_no":"T1"}`},
		{`cancel('T1')`, "alipay.trade.cancel", `{"out_trade_no":"T1"}`},
	}
	for _, c := range cases {
		vu.MustRun(t, `cloud.payment.common.`+c.js)
		f := g.last()
		if f.Get("method") != c.method || f.Get("biz_content") != c.biz {
			t.Errorf("%s sent %s %s", c.js, f.Get("method"), f.Get("biz_content"))
		}
	}
}

func TestAnswersThatCannotBeTrusted(t *testing.T) {
	vu, g, app := setup(t)
	g.answer = func(url.Values) (string, bool) {
		return `{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST"}`, true
	}
	vu.MustRun(t, `cloud.payment.common.query('nope').then(r => { globalThis.biz = r.sub_code })`)
	if vu.Global("biz").String() != "ACQ.TRADE_NOT_EXIST" {
		t.Fatal("a business failure should resolve with the answer")
	}
	g.answer = func(url.Values) (string, bool) { return `{"code":"10000","msg":"Success"}`, false }
	vu.MustRun(t, `cloud.payment.common.query('T1').catch(e => { globalThis.unsigned = e.message })`)
	if !strings.Contains(vu.Global("unsigned").String(), "not signed") {
		t.Fatalf("unsigned success: %v", vu.Global("unsigned"))
	}
	vu.Load(t, "cloud", New(&modules.AlipayApp{AppID: "2021000000000042", PrivateKey: app, AlipayPublicKey: &genKey(t).PublicKey, Gateway: g.url}))
	g.answer = func(url.Values) (string, bool) { return `{"code":"10000","msg":"Success"}`, true }
	vu.MustRun(t, `cloud.payment.common.query('T1').catch(e => { globalThis.forged = e.message })`)
	if !strings.Contains(vu.Global("forged").String(), "does not verify with the Alipay public key") {
		t.Fatalf("forged answer: %v", vu.Global("forged"))
	}
}

func TestUnavailableMembersAndNoApp(t *testing.T) {
	vu, _, _ := setup(t)
	for _, js := range []string{`cloud.base.oauth.getToken('c')`, `cloud.payment.faceToFace.pay({})`, `cloud.payment.common.verify({})`} {
		_, err := vu.Run(js)
		if err == nil || !strings.Contains(err.Error(), "is not available in bmobemu") {
			t.Errorf("%s: %v", js, err)
		}
	}
	vu.Load(t, "cloud", New(nil))
	vu.MustRun(t, `cloud.payment.common.create({subject: 's'}).catch(e => { globalThis.noApp = e.message })`)
	if !strings.Contains(vu.Global("noApp").String(), "no Alipay app is configured") {
		t.Fatalf("no app: %v", vu.Global("noApp"))
	}
}
