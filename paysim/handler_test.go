package paysim

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// served is a sandbox with two fake providers mounted on a fiber app listening
// on 127.0.0.1, as the emulator mounts it.
type served struct {
	s        *Sandbox
	alipay   *fakeProvider
	base     string
	merchant *merchant
}

func serveSandbox(t *testing.T) *served {
	t.Helper()
	m := &merchant{answers: []answer{{200, "success", nil}}}
	s := New(Options{Clock: clock.NewFake(start), Deliver: m.deliver})
	ali := newFakeProvider(provider.Alipay, s, s.Clock().Now, "openapi.alipay.com")
	if err := s.Add(appOrderProvider{ali}); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(newFakeProvider(provider.Wechat, s, s.Clock().Now, "api.mch.weixin.qq.com")); err != nil {
		t.Fatal(err)
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.All(MountPath+"*", adaptor.HTTPHandler(s.Handler()))
	app.Get("/:secret/:name", func(c *fiber.Ctx) error { return c.SendString("function " + c.Params("name")) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() {
		_ = app.Shutdown()
		_ = s.Close()
	})
	return &served{s: s, alipay: ali, base: "http://" + ln.Addr().String(), merchant: m}
}

func (sv *served) post(t *testing.T, path, contentType, body string) (int, string, http.Header) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Post(sv.base+path, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (sv *served) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(sv.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTriggersOverHTTP(t *testing.T) {
	sv := serveSandbox(t)
	const notify = "https://cloud.siton.xin/xxxx/payNotify"
	for _, tc := range []struct {
		name, path, contentType, body string
		status                        int
		want                          string
	}{
		{"pay creates and pays (JSON)", "/_sandbox/pay", "application/json",
			`{"provider":"alipay","outTradeNo":"A1","amount":"0.01","notifyUrl":"` + notify + `","subject":"pen"}`, 200, `"status": "TRADE_SUCCESS"`},
		{"paying again is a conflict", "/_sandbox/pay", "application/json", `{"provider":"alipay","outTradeNo":"A1"}`, 409, `"error"`},
		{"refund part (form)", "/_sandbox/refund", "application/x-www-form-urlencoded",
			"provider=alipay&out_trade_no=A1&amount=0.005", 400, "at most two decimals"},
		{"unknown trade", "/_sandbox/close", "application/json", `{"provider":"wechat","outTradeNo":"nope"}`, 404, "no such trade"},
		{"missing out trade no", "/_sandbox/pay", "application/json", `{"provider":"alipay"}`, 400, "outTradeNo is required"},
		{"unknown provider", "/_sandbox/pay", "application/json", `{"provider":"paypal","outTradeNo":"1"}`, 400, `no sandbox provider \"paypal\" (have: alipay, wechat)`},
		{"provider required with two", "/_sandbox/pay", "application/json", `{"outTradeNo":"1"}`, 400, "provider is required"},
		{"not JSON", "/_sandbox/pay", "application/json", `{"provider":`, 400, "not a JSON object"},
		{"non-string field", "/_sandbox/pay", "application/json", `{"provider":{"a":1}}`, 400, "must be a string"},
		{"bad amount", "/_sandbox/pay", "application/json", `{"provider":"alipay","outTradeNo":"B","amount":"-1"}`, 400, "amount"},
		{"numbers are fine", "/_sandbox/pay", "application/json",
			`{"provider":"wechat","outTradeNo":"W1","amount":2.5,"notifyUrl":"` + notify + `"}`, 200, `"totalFen": 250`},
		{"refund all", "/_sandbox/refund", "application/x-www-form-urlencoded", "provider=wechat&outTradeNo=W1", 200, `"refundedFen": 250`},
		{"refund more than paid", "/_sandbox/refund", "application/x-www-form-urlencoded", "provider=wechat&outTradeNo=W1&amount=1", 409, "does not allow"},
		{"app order refused", "/_sandbox/app-order", "application/json", `{"provider":"alipay","orderString":"out_trade_no=X&sign=bad"}`, 400, "invalid signature"},
		{"app order", "/_sandbox/app-order", "application/x-www-form-urlencoded",
			"orderString=" + url.QueryEscape("out_trade_no=APP1&total_fen=1&notify_url="+notify+"&sign=ok") + "&provider=alipay", 200, `"status": "WAIT_BUYER_PAY"`},
		{"app order to a provider without it", "/_sandbox/app-order", "application/json", `{"provider":"wechat","orderString":"x"}`, 400, "takes no app orders"},
		{"unknown delivery", "/_sandbox/notifies/n99/replay", "", "", 404, "no such notify delivery"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := sv.post(t, tc.path, tc.contentType, tc.body)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s, want %d with %q", status, body, tc.status, tc.want)
			}
			if status != 200 {
				var e map[string]string
				if err := json.Unmarshal([]byte(body), &e); err != nil || e["error"] == "" {
					t.Fatalf("error body is not {\"error\": …}: %s", body)
				}
			}
		})
	}
	// The pay answered with the notify it queued; the trades and notifies list them.
	status, body := sv.get(t, "/_sandbox/trades")
	var trades []provider.Trade
	if err := json.Unmarshal([]byte(body), &trades); err != nil || status != 200 || len(trades) != 3 {
		t.Fatalf("trades: %d %s", status, body)
	}
	waitFor(t, sv.s, "n1", "acknowledged", attempts(1, StateAcknowledged))
	status, body = sv.get(t, "/_sandbox/notifies")
	var ds []Delivery
	if err := json.Unmarshal([]byte(body), &ds); err != nil || status != 200 || len(ds) != 3 ||
		ds[0].OutTradeNo != "A1" || ds[1].Event != provider.EventPay || ds[2].Event != provider.EventRefund {
		t.Fatalf("notifies: %d %s", status, body)
	}
	status, body = sv.get(t, "/_sandbox/notifies/n1")
	if status != 200 || !strings.Contains(body, `"state": "acknowledged"`) {
		t.Fatalf("one notify: %d %s", status, body)
	}
	status, body, _ = sv.post(t, "/_sandbox/notifies/n1/replay", "", "")
	if status != 200 || !strings.Contains(body, `"replayOf": "n1"`) {
		t.Fatalf("replay: %d %s", status, body)
	}
}

func TestPayAnswersWithItsNotify(t *testing.T) {
	sv := serveSandbox(t)
	status, body, _ := sv.post(t, "/_sandbox/pay", "application/json",
		`{"provider":"alipay","outTradeNo":"A2","amount":"1","notifyUrl":"https://x.example/f/payNotify"}`)
	var res TriggerResult
	if err := json.Unmarshal([]byte(body), &res); err != nil || status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	if res.Trade.OutTradeNo != "A2" || res.Trade.TotalFen != 100 || len(res.Notifies) != 1 ||
		res.Notifies[0].URL != "https://x.example/f/payNotify" || !strings.Contains(res.Notifies[0].Body, "out_trade_no=A2") {
		t.Fatalf("result: %+v", res)
	}
}

func TestProviderHandlersAreMountedWithThePrefixStripped(t *testing.T) {
	sv := serveSandbox(t)
	status, body, hdr := sv.post(t, "/_sandbox/alipay/gateway.do?charset=utf-8", "application/x-www-form-urlencoded", "method=alipay.trade.query")
	if status != http.StatusTeapot || hdr.Get("X-Provider") != "alipay" || !strings.Contains(body, `"path":"/gateway.do"`) ||
		!strings.Contains(body, "method=alipay.trade.query") {
		t.Fatalf("%d %s", status, body)
	}
	status, body = sv.get(t, "/_sandbox/wechat/v3/certificates")
	if status != http.StatusTeapot || !strings.Contains(body, `"path":"/v3/certificates"`) {
		t.Fatalf("%d %s", status, body)
	}
	status, body = sv.get(t, "/_sandbox/paypal/x")
	if status != 404 || !strings.Contains(body, `no sandbox provider \"paypal\"`) {
		t.Fatalf("%d %s", status, body)
	}
	status, body = sv.get(t, "/_sandbox/pay")
	if status != 405 {
		t.Fatalf("GET /_sandbox/pay: %d %s", status, body)
	}
	// Functions are still reachable beside the mount.
	if status, body = sv.get(t, "/secret/payNotify"); status != 200 || body != "function payNotify" {
		t.Fatalf("function route: %d %s", status, body)
	}
}

func TestIndexPageAndBrowserForms(t *testing.T) {
	sv := serveSandbox(t)
	status, body := sv.get(t, "/_sandbox/")
	if status != 200 || !strings.Contains(body, "No trades yet") || !strings.Contains(body, `<a href="/_sandbox/alipay/">alipay</a>`) {
		t.Fatalf("empty index: %d %s", status, body)
	}
	// The index's own pay form: a form POST that comes back to the index.
	status, _, hdr := sv.post(t, "/_sandbox/pay", "application/x-www-form-urlencoded",
		"back=%2F_sandbox%2F&provider=alipay&outTradeNo=%3Cb%3EX&amount=0.01&notifyUrl=https%3A%2F%2Fx.example%2Ff%2FpayNotify&subject=pen")
	if status != http.StatusSeeOther || hdr.Get("Location") != "/_sandbox/" {
		t.Fatalf("form pay: %d %v", status, hdr)
	}
	// An offsite back is ignored (no open redirect).
	status, _, hdr = sv.post(t, "/_sandbox/refund", "application/x-www-form-urlencoded", "back=https%3A%2F%2Fevil.example%2F&provider=alipay&outTradeNo=%3Cb%3EX")
	if status != 200 || hdr.Get("Location") != "" {
		t.Fatalf("offsite back: %d %v", status, hdr)
	}
	waitFor(t, sv.s, "n2", "acknowledged", attempts(1, StateAcknowledged))
	status, body = sv.get(t, "/_sandbox/")
	for _, want := range []string{"&lt;b&gt;X", "TRADE_SUCCESS", "0.01", `action="/_sandbox/notifies/n1/replay"`,
		`action="/_sandbox/refund"`, "acknowledged", "200 <code>success</code>"} {
		if !strings.Contains(body, want) {
			t.Errorf("index lacks %q", want)
		}
	}
	if strings.Contains(body, "<b>X") {
		t.Error("the index does not escape trade fields")
	}
	status, _, hdr = sv.post(t, "/_sandbox/notifies/n1/replay", "application/x-www-form-urlencoded", "back=%2F_sandbox%2F")
	if status != http.StatusSeeOther || hdr.Get("Location") != "/_sandbox/" {
		t.Fatalf("form replay: %d %v", status, hdr)
	}
}

func TestClientAgainstAServer(t *testing.T) {
	sv := serveSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := &Client{Base: sv.base}
	res, err := c.Pay(ctx, TriggerRequest{Provider: "alipay", OutTradeNo: "C1", Amount: "0.01", NotifyURL: "https://x.example/f/payNotify"})
	if err != nil || res.Trade.Status != provider.StatusSuccess || len(res.Notifies) != 1 {
		t.Fatalf("pay: %+v %v", res, err)
	}
	d, err := c.WaitAttempted(ctx, res.Notifies[0].ID)
	if err != nil || len(d.Attempts) != 1 || !d.Attempts[0].Acknowledged {
		t.Fatalf("wait: %+v %v", d, err)
	}
	if _, err := c.Close(ctx, TriggerRequest{Provider: "alipay", OutTradeNo: "C1"}); err == nil || !strings.Contains(err.Error(), "HTTP 409") {
		t.Fatalf("closing a paid trade: %v", err)
	}
	if _, err := c.Refund(ctx, TriggerRequest{Provider: "alipay", OutTradeNo: "nope"}); !IsNotFound(err) {
		t.Fatalf("refunding an unknown trade: %v", err)
	}
	r, err := c.Replay(ctx, res.Notifies[0].ID)
	if err != nil || r.ReplayOf != res.Notifies[0].ID {
		t.Fatalf("replay: %+v %v", r, err)
	}
	// fiber reuses its request buffers: what the sandbox kept from the replay's
	// URL must not change with the next request.
	_, _ = c.Notify(ctx, "n7")
	if kept, _ := sv.s.Delivery(r.ID); kept.ReplayOf != res.Notifies[0].ID {
		t.Fatalf("the kept replayOf changed to %q", kept.ReplayOf)
	}
	list, err := c.Notifies(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("notifies: %+v %v", list, err)
	}
	trades, err := c.Trades(ctx)
	if err != nil || len(trades) != 1 || trades[0].OutTradeNo != "C1" {
		t.Fatalf("trades: %+v %v", trades, err)
	}
	bad := &Client{Base: "http://127.0.0.1:1"}
	if _, err := bad.Trades(ctx); err == nil || !strings.Contains(err.Error(), "running bmobemu serve") {
		t.Fatalf("no server: %v", err)
	}
}
