package alipaysim

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// notifyForm parses a notification body as the merchant's server would.
func notifyForm(t *testing.T, n provider.Notification) url.Values {
	t.Helper()
	if ct := n.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	v, err := url.ParseQuery(string(n.Body))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkNotifySign runs alipay-sdk's checkNotifySign over the form, as a
// Bmob function sees it in request.body.
func (f *fixture) checkNotifySign(t *testing.T, v url.Values, alipayPub string) string {
	t.Helper()
	flat := map[string]string{}
	for k := range v {
		flat[k] = v.Get(k)
	}
	b, _ := json.Marshal(flat)
	vu := f.vu(t)
	return vu.MustRun(t, f.sdk(f.app.pkcs8PEM, alipayPub)+`var P = `+string(b)+`; String(sdk.checkNotifySign(P))`).String()
}

func TestNotifiesVerifyWithBothLibraries(t *testing.T) {
	f := newFixture(t)
	if _, err := f.sim.Pay(bg, provider.PayRequest{OutTradeNo: "N1", TotalFen: 990, Subject: "一个月会员", NotifyURL: "https://cloud.siton.xin/xxxx/payNotify"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sim.Refund(bg, "N1", 90); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sim.Refund(bg, "N1", 0); err != nil {
		t.Fatal(err)
	}
	notes := f.notes.all()
	want := []struct{ event, status, refundFee string }{
		{provider.EventPay, "TRADE_SUCCESS", ""},
		{provider.EventRefund, "TRADE_SUCCESS", "0.90"},
		{provider.EventRefund, "TRADE_CLOSED", "9.90"},
	}
	if len(notes) != len(want) {
		t.Fatalf("%d notifies", len(notes))
	}
	for i, n := range notes {
		v := notifyForm(t, n)
		if n.Event != want[i].event || v.Get("trade_status") != want[i].status || v.Get("refund_fee") != want[i].refundFee {
			t.Errorf("notify %d: %s %s refund_fee=%q", i, n.Event, v.Get("trade_status"), v.Get("refund_fee"))
		}
		if n.URL != "https://cloud.siton.xin/xxxx/payNotify" || n.OutTradeNo != "N1" || n.Provider != provider.Alipay {
			t.Errorf("notify %d addressed %+v", i, n)
		}
		if err := f.client.VerifySign(bg, v); err != nil {
			t.Errorf("notify %d: smartwalle VerifySign: %v", i, err)
		}
		if got := f.checkNotifySign(t, v, f.alipay.publicPEM); got != "true" {
			t.Errorf("notify %d: checkNotifySign = %s", i, got)
		}
		if i > 0 && (v.Get("out_biz_no") != "N1-R"+string(rune('0'+i)) || v.Get("gmt_refund") != "2024-03-05 09:02:03.000") {
			t.Errorf("refund notify %d: out_biz_no %q gmt_refund %q", i, v.Get("out_biz_no"), v.Get("gmt_refund"))
		}
	}
	// Every field of a payment notify (Alipay's trade_status_sync).
	v := notifyForm(t, notes[0])
	for _, k := range []string{"notify_time", "notify_type", "notify_id", "app_id", "auth_app_id", "charset", "version",
		"sign_type", "sign", "trade_no", "out_trade_no", "buyer_id", "buyer_logon_id", "seller_id", "trade_status",
		"total_amount", "receipt_amount", "invoice_amount", "buyer_pay_amount", "point_amount", "subject",
		"gmt_create", "gmt_payment", "fund_bill_list"} {
		if v.Get(k) == "" {
			t.Errorf("pay notify lacks %s", k)
		}
	}
	if v.Get("fund_bill_list") != `[{"amount":"9.90","fundChannel":"ALIPAYACCOUNT"}]` || v.Get("notify_type") != "trade_status_sync" {
		t.Errorf("pay notify %v", v)
	}
	if v.Get("gmt_close") != "" || notifyForm(t, notes[2]).Get("gmt_close") == "" {
		t.Error("gmt_close belongs to the closing notify only")
	}
}

func TestTamperedNotifyFails(t *testing.T) {
	f := newFixture(t)
	if _, err := f.sim.Pay(bg, provider.PayRequest{OutTradeNo: "N2", TotalFen: 1, NotifyURL: "http://m.test/n"}); err != nil {
		t.Fatal(err)
	}
	v := notifyForm(t, f.notes.all()[0])
	v.Set("total_amount", "100.00")
	if err := f.client.VerifySign(bg, v); err == nil {
		t.Error("smartwalle accepted a tampered notify")
	}
	if got := f.checkNotifySign(t, v, f.alipay.publicPEM); got != "false" {
		t.Errorf("checkNotifySign of a tampered notify = %s", got)
	}
	v = notifyForm(t, f.notes.all()[0])
	if got := f.checkNotifySign(t, v, testKeys()[2].publicPEM); got != "false" {
		t.Errorf("checkNotifySign with another Alipay key = %s", got)
	}
}

// No notify_url, no notify; notify_url inside biz_content (as the tutorials
// write it) is used with a warning.
func TestNotifyURLSources(t *testing.T) {
	f := newFixture(t)
	vu := f.vu(t)
	order := vu.MustRun(t, f.sdk(f.app.pkcs8PEM, f.alipay.publicPEM)+`
		sdk.sdkExec('alipay.trade.app.pay', { bizContent: { out_trade_no: 'A1', total_amount: '0.01', subject: 's', notify_url: 'https://cloud.siton.xin/xxxx/payNotify' } })`).String()
	if _, err := f.sim.SubmitAppOrder(order); err != nil {
		t.Fatal(err)
	}
	if w := f.warnings(); len(w) != 1 || !strings.Contains(w[0], "notify_url is inside biz_content") {
		t.Errorf("warnings %q", w)
	}
	if _, err := f.sim.Pay(bg, provider.PayRequest{OutTradeNo: "A1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sim.Pay(bg, provider.PayRequest{OutTradeNo: "quiet", TotalFen: 5}); err != nil {
		t.Fatal(err)
	}
	notes := f.notes.all()
	if len(notes) != 1 || notes[0].URL != "https://cloud.siton.xin/xxxx/payNotify" {
		t.Errorf("notifies %+v", notes)
	}
}

// An app signing with RSA (SHA-1) gets SHA-1 responses and notifies, which
// alipay-sdk checks with the same sign_type; notify_url as a top-level
// parameter needs no warning.
func TestRSA1SignType(t *testing.T) {
	f := newFixture(t)
	vu := f.vu(t)
	vu.MustRun(t, `var sdk = new AlipaySdk({ appId: '`+testAppID+`', privateKey: `+jsQuote(f.app.pkcs8PEM)+
		`, alipayPublicKey: `+jsQuote(f.alipay.publicPEM)+`, keyType: 'PKCS8', signType: 'RSA', gateway: '`+f.srv.URL+`/gateway.do' });
		var result;
		sdk.exec('alipay.trade.precreate', { notifyUrl: 'http://m.test/n', bizContent: { out_trade_no: 'R1', total_amount: '1', subject: 's' } }, { validateSign: true })
			.then(function (r) { result = r.code }, function (e) { result = 'REJECT ' + JSON.stringify(e) });`)
	if got := vu.Global("result").String(); got != "10000" {
		t.Fatalf("exec: %s", got)
	}
	if _, err := f.sim.Pay(bg, provider.PayRequest{OutTradeNo: "R1"}); err != nil {
		t.Fatal(err)
	}
	v := notifyForm(t, f.notes.all()[0])
	if v.Get("sign_type") != "RSA" || f.notes.all()[0].URL != "http://m.test/n" {
		t.Errorf("notify %v", v)
	}
	if got := f.checkNotifySign(t, v, f.alipay.publicPEM); got != "true" {
		t.Errorf("checkNotifySign = %s", got)
	}
	if w := f.warnings(); len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
}

func jsQuote(s string) string { b, _ := json.Marshal(s); return string(b) }
