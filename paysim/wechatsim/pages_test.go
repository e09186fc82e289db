package wechatsim

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments"
)

// get fetches u without following redirects.
func get(t *testing.T, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var res *http.Response
	var err error
	if method == http.MethodPost {
		res, err = c.PostForm(u, form)
	} else {
		res, err = c.Get(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

func TestBuyerPagesPay(t *testing.T) {
	e := newEnv(t)
	urls := prepayAll(t, e.sdkClient(t, e.keys.merchant))
	cases := []struct{ no, page string }{
		{"order_h5_1", urls["order_h5_1"]},
		{"order_native_1", urls["order_native_1"]},
		{"order_app_1", e.sim.CashierURL(urls["order_app_1"])},
	}
	for _, c := range cases {
		t.Run(c.no, func(t *testing.T) {
			res, page := get(t, http.MethodGet, c.page, nil)
			if res.StatusCode != 200 || !strings.Contains(page, `id="pay"`) || !strings.Contains(page, c.no) ||
				!strings.Contains(page, "¥1.00") {
				t.Fatalf("order page %d:\n%s", res.StatusCode, page)
			}
			before := len(e.notes.all())
			res, page = get(t, http.MethodPost, c.page, url.Values{})
			if res.StatusCode != 200 || strings.Contains(page, `id="pay"`) || !strings.Contains(page, `id="transaction-id"`) {
				t.Fatalf("after paying %d:\n%s", res.StatusCode, page)
			}
			ns := e.notes.all()
			if len(ns) != before+1 || ns[len(ns)-1].OutTradeNo != c.no {
				t.Fatalf("notifies %+v", ns)
			}
			var txn payments.Transaction
			if _, err := e.notifyHandler(t, testAPIv3Key).ParseNotifyRequest(context.Background(),
				asRequest(t, ns[len(ns)-1]), &txn); err != nil || *txn.TradeState != "SUCCESS" {
				t.Fatalf("notify from the page: %v %v", txn, err)
			}
			// Paying twice is refused on the page and sends nothing.
			res, page = get(t, http.MethodPost, c.page, url.Values{})
			if res.StatusCode != http.StatusConflict || !strings.Contains(page, "该订单已支付") || len(e.notes.all()) != len(ns) {
				t.Errorf("second payment %d:\n%s", res.StatusCode, page)
			}
		})
	}
	for _, tr := range e.sim.Trades() {
		paid := tr.OutTradeNo != "order_jsapi_1"
		if (tr.Status == provider.StatusSuccess) != paid {
			t.Errorf("trade %s status %s", tr.OutTradeNo, tr.Status)
		}
	}
}

func TestH5PageRedirects(t *testing.T) {
	e := newEnv(t)
	urls := prepayAll(t, e.sdkClient(t, e.keys.merchant))
	back := "https://shop.example.com/paid?order=order_h5_1"
	page := urls["order_h5_1"] + "&redirect_url=" + url.QueryEscape(back)
	res, body := get(t, http.MethodGet, page, nil)
	if res.StatusCode != 200 || !strings.Contains(body, `name="redirect_url" value="https://shop.example.com/paid?order=order_h5_1"`) {
		t.Fatalf("h5 page:\n%s", body)
	}
	res, _ = get(t, http.MethodPost, page, url.Values{})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != back {
		t.Errorf("after paying: %d Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	// A redirect_url that is not http(s) is dropped, not followed.
	res, body = get(t, http.MethodGet, urls["order_native_1"]+"&redirect_url=javascript:alert(1)", nil)
	if res.StatusCode != 200 || strings.Contains(body, "javascript") {
		t.Errorf("javascript redirect kept:\n%s", body)
	}
}

func TestPageErrors(t *testing.T) {
	e := newEnv(t)
	base := e.srv.URL + "/_sandbox/wechat"
	cases := []struct{ method, url string }{
		{http.MethodGet, base + "/cashier?prepay_id=wx_unknown"},
		{http.MethodGet, base + "/cashier"},
		{http.MethodPost, base + "/bizpayurl?pr=nope"},
		{http.MethodGet, base + "/elsewhere"},
	}
	for _, c := range cases {
		if res, _ := get(t, c.method, c.url, url.Values{}); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", c.method, c.url, res.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodDelete, base+"/cashier", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d", res.StatusCode)
	}
}
