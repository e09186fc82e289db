package alipaysim

import (
	"crypto"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/bmobemu/bmobemu/internal/bjtime"
)

// maxBody bounds a gateway request or an app order string.
const maxBody = 1 << 20

// timestampSkew is how far a request's timestamp may be from the clock before
// the simulator warns; Alipay refuses such requests (isv.invalid-timestamp).
const timestampSkew = 10 * time.Minute

// Method names with a cashier page instead of a JSON answer.
const (
	methodPagePay = "alipay.trade.page.pay"
	methodWapPay  = "alipay.trade.wap.pay"
	methodAppPay  = "alipay.trade.app.pay"
)

// request is a gateway call whose public parameters and signature checked out.
type request struct {
	method   string
	params   url.Values // UTF-8, one value per key
	biz      map[string]any
	signType string
	hash     crypto.Hash
}

// bizString is a biz_content member as text: strings as they are, numbers as sent.
func (r *request) bizString(k string) string {
	switch v := r.biz[k].(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// ServeHTTP answers Alipay's gateway (/gateway.do), the cashier pages
// (/cashier, /cashier/pay, /cashier/cancel) and app order submission
// (/app-pay). It serves both the bare paths, as the outbound router sends
// them, and the same paths under CashierBase's path, where bmobemu mounts it.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if prefix := s.cashierURL.Path; prefix != "" && strings.HasPrefix(path, prefix+"/") {
		path = strings.TrimPrefix(path, prefix)
	}
	switch path {
	case "/gateway.do":
		s.serveGateway(w, r)
	case "/app-pay":
		s.serveAppPay(w, r)
	case "/cashier":
		s.serveCashier(w, r)
	case "/cashier/pay":
		s.serveCashierPay(w, r)
	case "/cashier/cancel":
		s.serveCashierCancel(w, r)
	default:
		http.Error(w, "alipaysim: no such page: "+r.URL.Path+" (the gateway is /gateway.do)", http.StatusNotFound)
	}
}

func (s *Simulator) serveGateway(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "alipaysim: the gateway takes GET or POST", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		e := invalid("isv.invalid-parameter", "参数无效："+err.Error())
		e.top, e.unsigned = true, true
		s.respondError(w, "", crypto.SHA256, e)
		return
	}
	method := r.Form.Get("method")
	page := method == methodPagePay || method == methodWapPay
	req, e := s.parseRequest(r.Form, func(m string) bool { return page || s.api(m) != nil })
	switch {
	case page && e != nil:
		s.renderError(w, e)
	case page:
		s.servePagePay(w, r, req)
	case e != nil:
		s.respondError(w, method, hashOr(r.Form.Get("sign_type")), e)
	default:
		var body obj
		s.withLock(func(out *outbox) {
			if body, e = s.api(method)(req, out); e != nil {
				body = e.fields()
			}
		})
		s.respond(w, method, req.hash, body, false)
	}
}

// hashOr is sign_type's digest, SHA-256 when it has none.
func hashOr(signType string) crypto.Hash {
	if h, ok := hashFor(signType); ok {
		return h
	}
	return crypto.SHA256
}

// parseRequest runs the gateway's public checks in Alipay's order: method,
// app_id, format, charset, sign_type, sign, timestamp, version, then the
// signature over the parameters as they arrived, then biz_content.
func (s *Simulator) parseRequest(form url.Values, known func(method string) bool) (*request, *Error) {
	raw := url.Values{}
	for k, vals := range form {
		if len(vals) > 0 {
			raw[k] = vals[:1]
		}
	}
	method := raw.Get("method")
	if method == "" {
		e := missing("isv.missing-method", "缺少方法名参数")
		e.top, e.unsigned = true, true
		return nil, e
	}
	if !known(method) {
		s.warnMethod(method)
		e := invalid("isv.invalid-method", "不存在的方法名")
		e.top, e.unsigned = true, true
		return nil, e
	}
	appID := raw.Get("app_id")
	if appID == "" {
		e := missing("isv.missing-app-id", "缺少AppID参数")
		e.unsigned = true
		return nil, e
	}
	if appID != s.cfg.AppID {
		e := invalid("isv.invalid-app-id", "无效的AppID参数")
		e.unsigned = true
		return nil, e
	}
	if f := raw.Get("format"); f != "" && !strings.EqualFold(f, "json") {
		return nil, invalid("isv.invalid-format", "无效的数据格式")
	}
	gbk := false
	switch strings.ToLower(raw.Get("charset")) {
	case "", "utf-8", "utf8":
	case "gbk", "gb2312":
		gbk = true
	default:
		return nil, invalid("isv.invalid-charset", "字符集错误")
	}
	signType := raw.Get("sign_type")
	if signType == "" {
		return nil, missing("isv.missing-signature-type", "缺少签名类型参数")
	}
	h, ok := hashFor(signType)
	if !ok {
		return nil, invalid("isv.invalid-signature-type", "无效的签名类型")
	}
	sign := raw.Get("sign")
	if sign == "" {
		return nil, missing("isv.missing-signature", "缺少签名参数")
	}
	ts := raw.Get("timestamp")
	if ts == "" {
		return nil, missing("isv.missing-timestamp", "缺少时间戳参数")
	}
	at, err := bjtime.Parse(ts)
	if err != nil {
		return nil, invalid("isv.invalid-timestamp", "非法的时间戳参数")
	}
	if skew := at.Sub(s.cfg.Clock.Now()).Abs(); skew > timestampSkew {
		s.cfg.Warn(fmt.Sprintf("alipay %s: timestamp %s is %s away from the sandbox clock; Alipay refuses such requests with isv.invalid-timestamp", method, ts, skew.Round(time.Second)))
	}
	if raw.Get("version") == "" {
		return nil, missing("isv.missing-version", "缺少版本参数")
	}
	if e := s.verifyRequest(raw, method, h, sign); e != nil {
		return nil, e
	}
	params := raw
	if gbk {
		params = url.Values{}
		dec := simplifiedchinese.GBK.NewDecoder()
		for k, vals := range raw {
			v, err := dec.String(vals[0])
			if err != nil {
				return nil, invalid("isv.invalid-charset", "字符集错误")
			}
			params.Set(k, v)
		}
	}
	req := &request{method: method, params: params, biz: map[string]any{}, signType: signType, hash: h}
	if bc := params.Get("biz_content"); bc != "" {
		dec := json.NewDecoder(strings.NewReader(bc))
		dec.UseNumber()
		if err := dec.Decode(&req.biz); err != nil || req.biz == nil {
			return nil, errParam("biz_content 不是 JSON 对象")
		}
	}
	return req, nil
}

// verifyRequest checks sign over every parameter but sign itself. Alipay's SDKs
// leave empty values out of the content; alipay-sdk (Node) signs them too, and
// smartwalle sorts "k=v" pairs rather than keys. Each variant is accepted; the
// empty-values one with a warning, since the real gateway may not accept it.
func (s *Simulator) verifyRequest(raw url.Values, method string, h crypto.Hash, sign string) *Error {
	variants := []contentOptions{{skipEmpty: true}, {}, {skipEmpty: true, sortPairs: true}, {sortPairs: true}}
	canonical := signContent(raw, variants[0], "sign")
	tried := map[string]bool{}
	for _, opt := range variants {
		content := signContent(raw, opt, "sign")
		if tried[content] {
			continue
		}
		tried[content] = true
		if verifyRSA(s.cfg.AppPublicKey, h, []byte(content), sign) {
			if !opt.skipEmpty && content != signContent(raw, contentOptions{skipEmpty: true, sortPairs: opt.sortPairs}, "sign") {
				s.cfg.Warn(fmt.Sprintf("alipay %s: the signature covers empty parameters; Alipay's gateway leaves empty values out of the signed content and may refuse it (isv.invalid-signature)", method))
			}
			return nil
		}
	}
	return invalid("isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为："+canonical)
}

func (s *Simulator) warnMethod(method string) {
	if method == methodAppPay {
		s.cfg.Warn("alipay.trade.app.pay was sent to the gateway: its order string is for the Alipay app; submit it to the sandbox's /app-pay instead")
		return
	}
	s.cfg.Warn(fmt.Sprintf("alipay method %q is not simulated; the sandbox answers isv.invalid-method", method))
}

// respond writes {"<method>_response":<body>,"sign":"…"}, the signature over
// exactly the bytes of <body>, as Alipay signs gateway responses. An empty
// method writes error_response.
func (s *Simulator) respond(w http.ResponseWriter, method string, h crypto.Hash, body obj, unsigned bool) {
	key := "error_response"
	if method != "" {
		key = strings.ReplaceAll(method, ".", "_") + "_response"
	}
	content := body.appendJSON(nil)
	out := make([]byte, 0, len(content)+400)
	out = append(out, '{')
	out = appendJSONString(out, key)
	out = append(out, ':')
	out = append(out, content...)
	if !unsigned {
		sig, err := signRSA(s.cfg.AlipayPrivateKey, h, content)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = append(out, `,"sign":"`...)
		out = append(out, sig...)
		out = append(out, '"')
	}
	out = append(out, '}')
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	_, _ = w.Write(out)
}

func (s *Simulator) respondError(w http.ResponseWriter, method string, h crypto.Hash, e *Error) {
	if e.top {
		method = ""
	}
	s.respond(w, method, h, e.fields(), e.unsigned)
}

// SignedAPIPath implements provider.SignedAPI: the gateway and the app-pay
// submission check the app's signature; the cashier pages are the buyer's.
func (s *Simulator) SignedAPIPath(path string) bool {
	return path == "/gateway.do" || path == "/app-pay"
}
