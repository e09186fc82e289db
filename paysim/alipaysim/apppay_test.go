package alipaysim

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/smartwalle/alipay/v3"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// tutorialOrder is pay.js's sdkExec call, made by our alipay-sdk.
func (f *fixture) tutorialOrder(t *testing.T, appKey, outTradeNo string) string {
	t.Helper()
	vu := f.vu(t)
	return vu.MustRun(t, f.sdk(appKey, f.alipay.publicPEM)+`
		sdk.sdkExec('alipay.trade.app.pay', { bizContent: {
			out_trade_no: '`+outTradeNo+`', total_amount: '0.01', subject: '测试商品', body: '订单 100% 好',
			notify_url: 'https://cloud.siton.xin/xxxx/payNotify', return_url: 'https://cloud.siton.xin/xxxx/payNotify',
			product_code: 'QUICK_MSECURITY_PAY', timeout_express: '30m' } })`).String()
}

func TestSubmitAppOrderFromAlipaySDK(t *testing.T) {
	f := newFixture(t)
	order := f.tutorialOrder(t, f.app.pkcs8PEM, "ORDER_1")
	tr, err := f.sim.SubmitAppOrder(order)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != provider.StatusWaitBuyerPay || tr.Kind != "app" || tr.TotalFen != 1 || tr.Subject != "测试商品" || tr.NotifyURL != "https://cloud.siton.xin/xxxx/payNotify" {
		t.Errorf("trade %+v", tr)
	}
	again, err := f.sim.SubmitAppOrder(order)
	if err != nil || again.TradeNo != tr.TradeNo {
		t.Errorf("resubmitted: %v %+v", err, again)
	}
	if _, err := f.sim.Pay(bg, provider.PayRequest{OutTradeNo: "ORDER_1", TotalFen: 1}); err != nil {
		t.Fatal(err)
	}
	n := f.notes.all()
	if len(n) != 1 {
		t.Fatalf("%d notifies", len(n))
	}
	v := notifyForm(t, n[0])
	// The body has a bare '%': alipay-sdk's checkNotifySign throws unless raw,
	// as it does on Node; raw=true verifies.
	if v.Get("body") != "订单 100% 好" {
		t.Errorf("body %q", v.Get("body"))
	}
	if err := f.client.VerifySign(bg, v); err != nil {
		t.Errorf("VerifySign: %v", err)
	}
	if _, err := f.sim.SubmitAppOrder(order); !errors.Is(err, provider.ErrBadState) || !strings.Contains(err.Error(), "ACQ.TRADE_HAS_SUCCESS") {
		t.Errorf("submitting a paid order: %v", err)
	}
}

func TestSubmitAppOrderExpires(t *testing.T) {
	f := newFixture(t)
	if _, err := f.sim.SubmitAppOrder(f.tutorialOrder(t, f.app.pkcs8PEM, "ORDER_2")); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(30 * time.Minute)
	f.notes.waitFor(t, 1)
	if s := f.status(t, "ORDER_2"); s != provider.StatusClosed {
		t.Errorf("status %s", s)
	}
}

func TestSubmitAppOrderFromSmartwalle(t *testing.T) {
	f := newFixture(t)
	order, err := f.client.TradeAppPay(alipay.TradeAppPay{Trade: alipay.Trade{
		OutTradeNo: "SW1", TotalAmount: "12.34", Subject: "a b+c", NotifyURL: "http://merchant.test/n", ProductCode: "QUICK_MSECURITY_PAY",
	}})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := f.sim.SubmitAppOrder(order)
	if err != nil || tr.TotalFen != 1234 || tr.Subject != "a b+c" || tr.NotifyURL != "http://merchant.test/n" {
		t.Errorf("%v %+v", err, tr)
	}
}

func TestSubmitAppOrderRefusals(t *testing.T) {
	f := newFixture(t)
	good := f.tutorialOrder(t, f.app.pkcs8PEM, "ORDER_3")
	tests := []struct {
		name, order, sub string
	}{
		{"other key", f.tutorialOrder(t, testKeys()[2].pkcs8PEM, "ORDER_3"), "isv.invalid-signature"},
		{"tampered amount", strings.Replace(good, "total_amount%22%3A%220.01", "total_amount%22%3A%220.02", 1), "isv.invalid-signature"},
		{"not an app order", strings.Replace(good, "alipay.trade.app.pay", "alipay.trade.query", 1), "isv.invalid-method"},
		{"empty", "", "isv.missing-method"},
		{"not a query string", "%zz", "isv.invalid-parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.sim.SubmitAppOrder(tt.order)
			var e *Error
			if !errors.As(err, &e) || e.SubCode != tt.sub {
				t.Errorf("got %v", err)
			}
		})
	}
	if len(f.sim.Trades()) != 0 {
		t.Error("a refused order made a trade")
	}
}

func TestAppPayOverHTTP(t *testing.T) {
	f := newFixture(t)
	post := func(body string) (int, appPayAnswer) {
		resp, err := f.srv.Client().Post(f.srv.URL+"/_sandbox/alipay/app-pay", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a appPayAnswer
		if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, a
	}
	status, a := post(f.tutorialOrder(t, f.app.pkcs8PEM, "H1"))
	if status != http.StatusOK || a.Code != "10000" || a.OutTradeNo != "H1" || a.TradeStatus != "WAIT_BUYER_PAY" || a.TotalAmount != "0.01" ||
		!strings.HasPrefix(a.CashierURL, f.srv.URL+"/_sandbox/alipay/cashier?trade_no=") {
		t.Errorf("%d %+v", status, a)
	}
	status, a = post(f.tutorialOrder(t, testKeys()[2].pkcs8PEM, "H2"))
	if status != http.StatusBadRequest || a.Code != "40002" || a.SubCode != "isv.invalid-signature" {
		t.Errorf("%d %+v", status, a)
	}
	resp, err := f.srv.Client().Get(f.srv.URL + "/_sandbox/alipay/app-pay")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /app-pay: %d", resp.StatusCode)
	}
}

// app.pay sent to the gateway is not an API there: refused with a warning
// pointing to /app-pay.
func TestAppPayAtGatewayWarns(t *testing.T) {
	f := newFixture(t)
	out := f.post(t, signed(t, f.app.key, "alipay.trade.app.pay", `{"out_trade_no":"X"}`, start))
	if !strings.Contains(string(out["error_response"]), "isv.invalid-method") {
		t.Errorf("got %v", out)
	}
	if w := f.warnings(); len(w) != 1 || !strings.Contains(w[0], "/app-pay") {
		t.Errorf("warnings %q", w)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	keys := testKeys()
	good := Config{AppID: "1", AppPublicKey: &keys[0].key.PublicKey, AlipayPrivateKey: keys[1].key, Notifier: newRecorder(), CashierBase: "http://127.0.0.1:8080/_sandbox/alipay/"}
	s, err := New(good)
	if err != nil || s.cfg.CashierBase != "http://127.0.0.1:8080/_sandbox/alipay" || s.cfg.FinishAfter != DefaultFinishAfter || s.cfg.SellerID != DefaultSellerID {
		t.Fatalf("good config: %v", err)
	}
	for name, edit := range map[string]func(*Config){
		"no app id":       func(c *Config) { c.AppID = "" },
		"no app key":      func(c *Config) { c.AppPublicKey = nil },
		"no alipay key":   func(c *Config) { c.AlipayPrivateKey = nil },
		"no notifier":     func(c *Config) { c.Notifier = nil },
		"relative base":   func(c *Config) { c.CashierBase = "/_sandbox/alipay" },
		"no cashier base": func(c *Config) { c.CashierBase = "" },
	} {
		c := good
		edit(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
