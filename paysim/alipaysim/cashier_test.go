package alipaysim

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/smartwalle/alipay/v3"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// browser is an HTTP client that stops at redirects, so each hop is checked.
func (f *fixture) browser() *http.Client {
	c := *f.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	payForm    = regexp.MustCompile(`<form method="post" action="([^"]+)"><input type="hidden" name="trade_no" value="([^"]+)"><button id="pay"`)
	cancelForm = regexp.MustCompile(`<form method="post" action="([^"]+)"><input type="hidden" name="trade_no" value="([^"]+)"><button id="cancel"`)
	sdkInput   = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)" />`)
	sdkAction  = regexp.MustCompile(`<form action="([^"]+)" method="post"`)
)

// pageExec runs alipay-sdk's pageExec for the fixture and returns its output.
func (f *fixture) pageExec(t *testing.T, method, httpMethod string, biz, extra string) string {
	t.Helper()
	vu := f.vu(t)
	return vu.MustRun(t, f.sdk(f.app.pkcs8PEM, f.alipay.publicPEM)+`
		sdk.pageExec('`+method+`', { method: '`+httpMethod+`', `+extra+` bizContent: `+biz+` })`).String()
}

// openCashier follows the gateway's redirect to the cashier page.
func (f *fixture) openCashier(t *testing.T, resp *http.Response) string {
	t.Helper()
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("gateway answered %d: %s", resp.StatusCode, body)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, f.srv.URL+"/_sandbox/alipay/cashier?trade_no=") {
		t.Fatalf("redirect to %s", loc)
	}
	resp, err := f.browser().Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("cashier %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return page
}

func TestCashierPageRoundTrip(t *testing.T) {
	f := newFixture(t)
	out := f.pageExec(t, "alipay.trade.page.pay", "GET",
		`{ out_trade_no: 'W1', product_code: 'FAST_INSTANT_TRADE_PAY', total_amount: '9.90', subject: '一个月会员 <b>' }`,
		`returnUrl: 'http://merchant.test/return?from=alipay', notifyUrl: 'http://merchant.test/notify',`)
	resp, err := f.browser().Get(out)
	if err != nil {
		t.Fatal(err)
	}
	page := f.openCashier(t, resp)
	for _, want := range []string{`id="cashier"`, `¥9.90`, `一个月会员 &lt;b&gt;`, `>W1<`, `id="cancel"`} {
		if !strings.Contains(page, want) {
			t.Errorf("cashier page lacks %s", want)
		}
	}
	m := payForm.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no pay form in\n%s", page)
	}
	resp, err = f.browser().PostForm(html.UnescapeString(m[1]), url.Values{"trade_no": {m[2]}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "http://merchant.test/return?from=alipay&") {
		t.Fatalf("pay answered %d -> %s", resp.StatusCode, loc)
	}
	ret, _ := url.Parse(loc)
	q := ret.Query()
	q.Del("from") // the merchant's own parameter, not signed by Alipay
	if q.Get("method") != "alipay.trade.page.pay.return" || q.Get("out_trade_no") != "W1" || q.Get("total_amount") != "9.90" {
		t.Errorf("return parameters %v", q)
	}
	if err := f.client.VerifySign(bg, q); err != nil {
		t.Errorf("smartwalle rejects the return: %v", err)
	}
	if got := f.checkNotifySign(t, q, f.alipay.publicPEM); got != "true" {
		t.Errorf("checkNotifySign of the return = %s", got)
	}
	q.Set("total_amount", "0.01")
	if err := f.client.VerifySign(bg, q); err == nil {
		t.Error("tampered return verified")
	}
	notes := f.notes.all()
	if len(notes) != 1 || notes[0].URL != "http://merchant.test/notify" || f.status(t, "W1") != provider.StatusSuccess {
		t.Fatalf("after paying: %d notifies, status %s", len(notes), f.status(t, "W1"))
	}
	// Paying again (a browser refresh) repeats the redirect, not the payment.
	resp, _ = f.browser().PostForm(html.UnescapeString(m[1]), url.Values{"trade_no": {m[2]}})
	readAll(t, resp)
	if resp.StatusCode != http.StatusFound || len(f.notes.all()) != 1 {
		t.Errorf("second pay: %d, %d notifies", resp.StatusCode, len(f.notes.all()))
	}
	// The cashier now shows the paid trade.
	resp, _ = f.browser().Get(f.srv.URL + "/_sandbox/alipay/cashier?trade_no=" + m[2])
	if page := readAll(t, resp); !strings.Contains(page, `id="paid"`) || strings.Contains(page, `id="pay"`) {
		t.Errorf("paid page:\n%s", page)
	}
}

// wap pay as alipay-sdk's POST form (submitted as a browser would), then Cancel
// goes to quit_url and leaves the trade payable.
func TestCashierWapFormAndCancel(t *testing.T) {
	f := newFixture(t)
	form := f.pageExec(t, "alipay.trade.wap.pay", "POST",
		`{ out_trade_no: 'W2', product_code: 'QUICK_WAP_WAY', total_amount: '1.00', subject: 's', quit_url: 'http://merchant.test/quit' }`, ``)
	action := sdkAction.FindStringSubmatch(form)
	if action == nil {
		t.Fatalf("no form in %s", form)
	}
	values := url.Values{}
	for _, in := range sdkInput.FindAllStringSubmatch(form, -1) {
		values.Set(in[1], strings.ReplaceAll(in[2], "&quot;", `"`))
	}
	resp, err := f.browser().PostForm(action[1], values)
	if err != nil {
		t.Fatal(err)
	}
	page := f.openCashier(t, resp)
	m := cancelForm.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no cancel form in\n%s", page)
	}
	resp, _ = f.browser().PostForm(html.UnescapeString(m[1]), url.Values{"trade_no": {m[2]}})
	readAll(t, resp)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "http://merchant.test/quit" {
		t.Errorf("cancel: %d -> %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if tr, _ := f.sim.Trade("W2"); tr.Status != provider.StatusWaitBuyerPay || tr.Kind != "wap" {
		t.Errorf("after cancel: %+v", tr)
	}
	if len(f.notes.all()) != 0 {
		t.Error("cancel notified")
	}
}

// smartwalle's page pay URL (a GET with every parameter) opens the cashier; a
// page pay without quit_url cancels to a page; a closed trade cannot be paid.
func TestCashierSmartwallePagePayCancelAndClosed(t *testing.T) {
	f := newFixture(t)
	u, err := f.client.TradePagePay(alipay.TradePagePay{Trade: alipay.Trade{
		OutTradeNo: "W3", TotalAmount: "2.00", Subject: "s", ProductCode: "FAST_INSTANT_TRADE_PAY", ReturnURL: "http://merchant.test/r",
	}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.browser().Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	page := f.openCashier(t, resp)
	m := cancelForm.FindStringSubmatch(page)
	resp, _ = f.browser().PostForm(html.UnescapeString(m[1]), url.Values{"trade_no": {m[2]}})
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="cancelled"`) || !strings.Contains(body, `href="http://merchant.test/r"`) {
		t.Errorf("cancel page %d:\n%s", resp.StatusCode, body)
	}
	if _, err := f.sim.Close(bg, "W3"); err != nil {
		t.Fatal(err)
	}
	resp, _ = f.browser().PostForm(html.UnescapeString(payForm.FindStringSubmatch(page)[1]), url.Values{"trade_no": {m[2]}})
	if body := readAll(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, `id="closed"`) {
		t.Errorf("pay closed %d:\n%s", resp.StatusCode, body)
	}
	resp, _ = f.browser().PostForm(f.srv.URL+"/_sandbox/alipay/cashier/pay", url.Values{"trade_no": {"nope"}})
	if readAll(t, resp); resp.StatusCode != http.StatusNotFound {
		t.Errorf("pay unknown: %d", resp.StatusCode)
	}
	resp, _ = f.browser().Get(f.srv.URL + "/_sandbox/alipay/cashier/pay")
	if readAll(t, resp); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET pay: %d", resp.StatusCode)
	}
}

func TestCashierRefusesBadSignatureWithPage(t *testing.T) {
	f := newFixture(t)
	v := signed(t, testKeys()[2].key, "alipay.trade.page.pay", `{"out_trade_no":"W4","total_amount":"1","subject":"s"}`, start)
	resp, err := f.browser().Get(f.srv.URL + "/gateway.do?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if !strings.Contains(body, `<code id="sub_code">isv.invalid-signature</code>`) || !strings.Contains(body, "验签出错") {
		t.Errorf("error page:\n%s", body)
	}
	if _, ok := f.sim.Trade("W4"); ok {
		t.Error("trade created by a refused request")
	}
}
