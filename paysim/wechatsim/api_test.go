package wechatsim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

const appOrder = `{"appid":"wxd678efh567hg6787","mchid":"1900009191","description":"会员","out_trade_no":"order_raw_1",` +
	`"notify_url":"https://cloud.example.com/1a2b/pay_notify","amount":{"total":100,"currency":"CNY"}}`

func TestPrepayValidation(t *testing.T) {
	cases := []struct {
		name, kind, body string
		status           int
		code             string
	}{
		{"ok", "app", appOrder, 200, ""},
		{"not json", "app", `{"appid":`, 400, "PARAM_ERROR"},
		{"total as string", "app", strings.Replace(appOrder, `"total":100`, `"total":"100"`, 1), 400, "PARAM_ERROR"},
		{"no description", "app", strings.Replace(appOrder, `"description":"会员",`, ``, 1), 400, "PARAM_ERROR"},
		{"no amount", "app", strings.Replace(appOrder, `,"amount":{"total":100,"currency":"CNY"}`, ``, 1), 400, "PARAM_ERROR"},
		{"zero total", "app", strings.Replace(appOrder, `"total":100`, `"total":0`, 1), 400, "PARAM_ERROR"},
		{"negative total", "app", strings.Replace(appOrder, `"total":100`, `"total":-5`, 1), 400, "PARAM_ERROR"},
		{"usd", "app", strings.Replace(appOrder, `"CNY"`, `"USD"`, 1), 400, "PARAM_ERROR"},
		{"short out_trade_no", "app", strings.Replace(appOrder, `order_raw_1`, `o1`, 1), 400, "PARAM_ERROR"},
		{"bad notify_url", "app", strings.Replace(appOrder, `https://cloud.example.com/1a2b/pay_notify`, `pay_notify`, 1), 400, "PARAM_ERROR"},
		{"other appid", "app", strings.Replace(appOrder, testAppID, "wx0000", 1), 400, "APPID_MCHID_NOT_MATCH"},
		{"other mchid", "app", strings.Replace(appOrder, `"mchid":"1900009191"`, `"mchid":"1900000001"`, 1), 400, "MCH_NOT_EXISTS"},
		{"bad time_expire", "app", strings.Replace(appOrder, `"amount"`, `"time_expire":"tomorrow","amount"`, 1), 400, "PARAM_ERROR"},
		{"jsapi without payer", "jsapi", appOrder, 400, "PARAM_ERROR"},
		{"jsapi", "jsapi", strings.Replace(appOrder, `"amount"`, `"payer":{"openid":"oX"},"amount"`, 1), 200, ""},
		{"h5 without scene", "h5", appOrder, 400, "PARAM_ERROR"},
		{"h5 without h5_info", "h5", strings.Replace(appOrder, `"amount"`, `"scene_info":{"payer_client_ip":"1.2.3.4"},"amount"`, 1), 400, "PARAM_ERROR"},
		{"native", "native", appOrder, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/"+c.kind, c.body, nil)
			e.verifyAnswer(t, r)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			m := r.json(t)
			if c.code != "" {
				if m["code"] != c.code || m["message"] == "" {
					t.Errorf("answer %s, want code %s", r.body, c.code)
				}
				if len(e.sim.Trades()) != 0 {
					t.Error("a refused order was kept")
				}
			} else if len(e.sim.Trades()) != 1 {
				t.Errorf("%d trades after an accepted order", len(e.sim.Trades()))
			}
		})
	}
}

func TestDuplicateOutTradeNo(t *testing.T) {
	e := newEnv(t)
	first := e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/app", appOrder, nil).json(t)
	again := e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/app", appOrder, nil).json(t)
	if first["prepay_id"] == nil || again["prepay_id"] != first["prepay_id"] {
		t.Errorf("the same order twice: %v then %v, want the same prepay_id", first, again)
	}
	changed := strings.Replace(appOrder, `"total":100`, `"total":200`, 1)
	r := e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/app", changed, nil)
	if m := r.json(t); r.status != 400 || m["code"] != "INVALID_REQUEST" || m["message"] != "201 商户订单号重复" {
		t.Errorf("a changed order under the same number: %d %s", r.status, r.body)
	}
	r = e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/native", appOrder, nil)
	if r.status != 400 || r.json(t)["code"] != "INVALID_REQUEST" {
		t.Errorf("the same number as another kind: %d %s", r.status, r.body)
	}
	if _, err := e.sim.Pay(context.Background(), provider.PayRequest{OutTradeNo: "order_raw_1"}); err != nil {
		t.Fatal(err)
	}
	r = e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/app", appOrder, nil)
	if r.status != 400 || r.json(t)["code"] != "ORDERPAID" {
		t.Errorf("ordering a paid order again: %d %s", r.status, r.body)
	}
	if n := len(e.sim.Trades()); n != 1 {
		t.Errorf("%d trades, want 1", n)
	}
}

func TestAuthorizationRefused(t *testing.T) {
	cases := []struct {
		name   string
		header map[string]string
		issue  string
	}{
		{"missing", map[string]string{"Authorization": ""}, "missing"},
		{"other scheme", map[string]string{"Authorization": `Bearer abc`}, "must start with"},
		{"malformed pair", map[string]string{"Authorization": `WECHATPAY2-SHA256-RSA2048 mchid=1900009191`}, "malformed"},
		{"no signature", map[string]string{"Authorization": `WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="a",timestamp="1",serial_no="x"`}, "signature is missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/app", appOrder, c.header)
			e.verifyAnswer(t, r)
			m := r.json(t)
			detail, _ := m["detail"].(map[string]any)
			if r.status != 401 || m["code"] != "SIGN_ERROR" || !strings.Contains(detail["issue"].(string), c.issue) {
				t.Errorf("%d %s, want 401 SIGN_ERROR about %q", r.status, r.body, c.issue)
			}
		})
	}
}

func TestAuthorizationChecks(t *testing.T) {
	e := newEnv(t)
	// Signed by another key.
	r := e.raw(t, e.keys.stranger, "GET", "/v3/pay/transactions/out-trade-no/order_raw_1?mchid=1900009191", "", nil)
	if r.status != 401 || r.json(t)["code"] != "SIGN_ERROR" {
		t.Errorf("stranger's key: %d %s", r.status, r.body)
	}
	// Signed over another URL (or body) than the one sent.
	query := "/v3/pay/transactions/out-trade-no/order_raw_1?mchid=1900009191"
	r = e.send(t, "GET", query, "", map[string]string{
		"Authorization": authorization(t, e.keys.merchant, e.clock.Now(), "GET", "/v3/certificates", "")})
	if r.status != 401 || r.json(t)["code"] != "SIGN_ERROR" {
		t.Errorf("signature over another URL: %d %s", r.status, r.body)
	}
	r = e.send(t, "POST", "/v3/pay/transactions/app", appOrder, map[string]string{
		"Authorization": authorization(t, e.keys.merchant, e.clock.Now(), "POST", "/v3/pay/transactions/app", appOrder+" ")})
	if r.status != 401 {
		t.Errorf("signature over another body: %d %s", r.status, r.body)
	}
	// Another merchant's serial_no.
	auth := strings.Replace(authorization(t, e.keys.merchant, e.clock.Now(), "GET", "/v3/certificates", ""),
		testMerchantSerial, "0123", 1)
	if r = e.send(t, "GET", "/v3/certificates", "", map[string]string{"Authorization": auth}); r.status != 401 ||
		!strings.Contains(string(r.body), "serial") {
		t.Errorf("wrong serial_no: %d %s", r.status, r.body)
	}
	// A timestamp more than five minutes from the clock.
	stale := authorization(t, e.keys.merchant, e.clock.Now().Add(-6*time.Minute), "GET", "/v3/certificates", "")
	if r = e.send(t, "GET", "/v3/certificates", "", map[string]string{"Authorization": stale}); r.status != 401 ||
		!strings.Contains(string(r.body), "5 minutes") {
		t.Errorf("stale timestamp: %d %s", r.status, r.body)
	}
	if r = e.raw(t, e.keys.merchant, "GET", "/v3/certificates", "", nil); r.status != 200 {
		t.Errorf("the same call well signed: %d %s", r.status, r.body)
	}
}

func TestMountedUnderPrefix(t *testing.T) {
	e := newEnv(t)
	// A client talking to the mount signs the full path it used…
	r := e.raw(t, e.keys.merchant, "POST", "/_sandbox/wechat/v3/pay/transactions/app", appOrder, nil)
	if r.status != 200 {
		t.Fatalf("through the mount: %d %s", r.status, r.body)
	}
	// …and a script rerouted there by the outbound router signs the real path.
	other := strings.Replace(appOrder, "order_raw_1", "order_raw_2", 1)
	r = e.send(t, "POST", "/_sandbox/wechat/v3/pay/transactions/app", other, map[string]string{
		"Authorization": authorization(t, e.keys.merchant, e.clock.Now(), "POST", "/v3/pay/transactions/app", other)})
	if r.status != 200 {
		t.Fatalf("rerouted to the mount: %d %s", r.status, r.body)
	}
	if got := len(e.sim.Trades()); got != 2 {
		t.Fatalf("%d trades, want 2", got)
	}
}

func TestFidelityWarnings(t *testing.T) {
	e := newEnv(t)
	r := e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/app",
		strings.Replace(appOrder, "https://cloud.example.com", "http://cloud.bmob.cn", 1),
		map[string]string{"User-Agent": "", "Accept": ""})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	w := strings.Join(e.warns(), "\n")
	for _, want := range []string{"Accept or User-Agent", "Http头缺少Accept或User-Agent", "is http"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings %q lack %q", w, want)
		}
	}
}

func TestTimeExpireClosesOnTheClock(t *testing.T) {
	e := newEnv(t)
	expire := e.clock.Now().Add(10 * time.Minute).In(beijing).Format(time.RFC3339)
	body := strings.Replace(appOrder, `"amount"`, `"time_expire":"`+expire+`","amount"`, 1)
	if r := e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/app", body, nil); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	e.clock.Advance(9 * time.Minute)
	if s := e.sim.Trades()[0].Status; s != provider.StatusWaitBuyerPay {
		t.Fatalf("before time_expire: %s", s)
	}
	e.clock.Advance(time.Minute)
	if s := e.sim.Trades()[0].Status; s != provider.StatusClosed {
		t.Fatalf("at time_expire: %s", s)
	}
	r := e.raw(t, e.keys.merchant, "GET", "/v3/pay/transactions/out-trade-no/order_raw_1?mchid=1900009191", "", nil)
	if m := r.json(t); m["trade_state"] != "CLOSED" || m["trade_state_desc"] != "订单已关闭" {
		t.Errorf("query after time_expire: %s", r.body)
	}
	if _, err := e.sim.Pay(context.Background(), provider.PayRequest{OutTradeNo: "order_raw_1"}); !errors.Is(err, provider.ErrBadState) {
		t.Errorf("paying an expired order: %v", err)
	}
	past := strings.Replace(appOrder, `"amount"`, `"time_expire":"`+expire+`","amount"`, 1)
	past = strings.Replace(past, "order_raw_1", "order_raw_2", 1)
	if r := e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/app", past, nil); r.status != 400 {
		t.Errorf("time_expire in the past: %d %s", r.status, r.body)
	}
}

func TestCloseAndQueryErrors(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, method, uri, body string
		status                  int
		code                    string
	}{
		{"close unknown", "POST", "/v3/pay/transactions/out-trade-no/nope_1/close", `{"mchid":"1900009191"}`, 404, "ORDER_NOT_EXIST"},
		{"close without mchid", "POST", "/v3/pay/transactions/out-trade-no/nope_1/close", `{}`, 400, "PARAM_ERROR"},
		{"query without mchid", "GET", "/v3/pay/transactions/out-trade-no/nope_1", "", 400, "PARAM_ERROR"},
		{"query other mchid", "GET", "/v3/pay/transactions/out-trade-no/nope_1?mchid=1", "", 400, "PARAM_ERROR"},
		{"query unknown id", "GET", "/v3/pay/transactions/id/4200000000?mchid=1900009191", "", 404, "ORDER_NOT_EXIST"},
		{"refund unknown order", "POST", "/v3/refund/domestic/refunds",
			`{"out_trade_no":"nope_1","out_refund_no":"r1","amount":{"refund":1,"total":1,"currency":"CNY"}}`, 404, "RESOURCE_NOT_EXISTS"},
		{"refund without amount", "POST", "/v3/refund/domestic/refunds", `{"out_trade_no":"nope_1","out_refund_no":"r1"}`, 400, "PARAM_ERROR"},
		{"unknown path", "GET", "/v3/nothing", "", 404, "NOT_FOUND"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.raw(t, e.keys.merchant, c.method, c.uri, c.body, nil)
			e.verifyAnswer(t, r)
			if r.status != c.status || r.json(t)["code"] != c.code {
				t.Errorf("%d %s, want %d %s", r.status, r.body, c.status, c.code)
			}
		})
	}
	// A successful close answers 204 with no body, still signed.
	if r := e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/app", appOrder, nil); r.status != 200 {
		t.Fatal(r.status)
	}
	r := e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/out-trade-no/order_raw_1/close", `{"mchid":"1900009191"}`, nil)
	if r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("close: %d %q", r.status, r.body)
	}
	e.verifyAnswer(t, r)
	// Refunding an unpaid (closed) order is refused.
	r = e.raw(t, e.keys.merchant, "POST", "/v3/refund/domestic/refunds",
		`{"out_trade_no":"order_raw_1","out_refund_no":"r1","amount":{"refund":1,"total":100,"currency":"CNY"}}`, nil)
	if r.status != 400 || r.json(t)["code"] != "INVALID_REQUEST" {
		t.Errorf("refund of a closed order: %d %s", r.status, r.body)
	}
	if _, err := e.sim.Close(context.Background(), "nope_1"); !errors.Is(err, provider.ErrNoTrade) {
		t.Errorf("trigger close of an unknown order: %v", err)
	}
}

func TestOversizedBody(t *testing.T) {
	e := newEnv(t)
	r := e.raw(t, e.keys.merchant, "POST", "/v3/pay/transactions/app", strings.Repeat(" ", maxBody+1), nil)
	if r.status != 400 || r.json(t)["code"] != "INVALID_REQUEST" {
		t.Errorf("oversized body: %d %s", r.status, r.body)
	}
}
