package alipaysim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/smartwalle/alipay/v3"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// alipay-sdk (our Node-compatible module) signs, the simulator verifies, and
// exec's validateSign accepts the simulator's signed answer.
func TestAlipaySDKExecRoundTrip(t *testing.T) {
	f := newFixture(t)
	got := f.exec(t, "alipay.trade.precreate", map[string]any{
		"out_trade_no": "P1", "total_amount": "9.90", "subject": "会员 & <月卡>", "timeout_express": "30m",
	})
	if !strings.Contains(got, `"code":"10000"`) || !strings.Contains(got, `"qrCode":"`+f.srv.URL+`/_sandbox/alipay/cashier?trade_no=`) {
		t.Fatalf("precreate: %s", got)
	}
	got = f.exec(t, "alipay.trade.query", map[string]any{"out_trade_no": "P1"})
	for _, want := range []string{`"code":"10000"`, `"tradeStatus":"WAIT_BUYER_PAY"`, `"totalAmount":"9.90"`, `"subject":"会员 & <月卡>"`} {
		if !strings.Contains(got, want) {
			t.Errorf("query lacks %s: %s", want, got)
		}
	}
	// A business failure resolves (code 40004) and is signed too.
	got = f.exec(t, "alipay.trade.query", map[string]any{"out_trade_no": "nope"})
	if !strings.Contains(got, `"code":"40004"`) || !strings.Contains(got, `"subCode":"ACQ.TRADE_NOT_EXIST"`) || !strings.Contains(got, `"subMsg":"交易不存在"`) {
		t.Errorf("unknown trade: %s", got)
	}
}

// A response signed with another key than the one the script trusts fails
// alipay-sdk's validation: the signature is really checked.
func TestAlipaySDKRejectsResponseFromOtherKey(t *testing.T) {
	f := newFixture(t)
	other := testKeys()[2]
	vu := f.vu(t)
	vu.MustRun(t, f.sdk(f.app.pkcs8PEM, other.publicPEM)+`
		var result;
		sdk.exec('alipay.trade.query', { bizContent: { out_trade_no: 'x' } }, { validateSign: true })
			.then(function (r) { result = 'resolved' }, function (e) { result = e.errorMessage });`)
	if got := vu.Global("result").String(); got != "[AlipaySdk]验签失败" {
		t.Errorf("got %q", got)
	}
}

// smartwalle's client signs its own way (format=JSON, sorted pairs, Go JSON) and
// verifies every response the simulator signs.
func TestSmartwalleClientFlow(t *testing.T) {
	f := newFixture(t)
	pre, err := f.client.TradePreCreate(bg, alipay.TradePreCreate{Trade: alipay.Trade{
		OutTradeNo: "S1", TotalAmount: "1.00", Subject: "s", NotifyURL: "http://merchant.test/notify",
	}})
	if err != nil || !pre.IsSuccess() {
		t.Fatalf("precreate: %v %+v", err, pre)
	}
	q, err := f.client.TradeQuery(bg, alipay.TradeQuery{OutTradeNo: "S1"})
	if err != nil || q.TradeStatus != alipay.TradeStatusWaitBuyerPay || q.TotalAmount != "1.00" {
		t.Fatalf("query: %v %+v", err, q)
	}
	if _, err := f.sim.Pay(bg, provider.PayRequest{OutTradeNo: "S1"}); err != nil {
		t.Fatal(err)
	}
	q, err = f.client.TradeQuery(bg, alipay.TradeQuery{TradeNo: q.TradeNo})
	if err != nil || q.TradeStatus != alipay.TradeStatusSuccess || q.SendPayDate != "2024-03-05 09:02:03" || q.BuyerPayAmount != "1.00" {
		t.Fatalf("query after pay: %v %+v", err, q)
	}
	rf, err := f.client.TradeRefund(bg, alipay.TradeRefund{OutTradeNo: "S1", RefundAmount: "0.40", OutRequestNo: "r1"})
	if err != nil || !rf.IsSuccess() || rf.RefundFee != "0.40" || rf.FundChange != "Y" {
		t.Fatalf("refund: %v %+v", err, rf)
	}
	rq, err := f.client.TradeFastPayRefundQuery(bg, alipay.TradeFastPayRefundQuery{OutTradeNo: "S1", OutRequestNo: "r1"})
	if err != nil || rq.RefundAmount != "0.40" || rq.RefundStatus != "REFUND_SUCCESS" || rq.TotalAmount != "1.00" {
		t.Fatalf("refund query: %v %+v", err, rq)
	}
	cl, err := f.client.TradeClose(bg, alipay.TradeClose{OutTradeNo: "S1"})
	if err != nil || cl.Code != "40004" || cl.SubCode != "ACQ.TRADE_STATUS_ERROR" || cl.SubMsg != "交易状态不合法" {
		t.Fatalf("close of a paid trade: %v %+v", err, cl)
	}
	if n := len(f.notes.all()); n != 2 {
		t.Errorf("%d notifies, want pay and refund", n)
	}
}

// Public-parameter and signature failures, with Alipay's codes and texts.
func TestGatewayRefusals(t *testing.T) {
	f := newFixture(t)
	app, other := f.app.key, testKeys()[2].key
	biz := `{"out_trade_no":"T1"}`
	tests := []struct {
		name    string
		params  func() map[string][]string
		key     string // response member holding the answer
		code    string
		subCode string
		subMsg  string
		signed  bool
	}{
		{"wrong key", func() map[string][]string { return signed(t, other, "alipay.trade.query", biz, start) },
			"alipay_trade_query_response", "40002", "isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：app_id=", true},
		{"tampered param", func() map[string][]string {
			v := signed(t, app, "alipay.trade.query", biz, start)
			v.Set("biz_content", `{"out_trade_no":"T2"}`)
			return v
		}, "alipay_trade_query_response", "40002", "isv.invalid-signature", "验签出错", true},
		{"garbage sign", func() map[string][]string {
			v := signed(t, app, "alipay.trade.query", biz, start)
			v.Set("sign", "%%%")
			return v
		}, "alipay_trade_query_response", "40002", "isv.invalid-signature", "验签出错", true},
		{"other app", func() map[string][]string {
			v := signed(t, app, "alipay.trade.query", biz, start)
			v.Set("app_id", "2021000000000999")
			resign(t, app, v)
			return v
		}, "alipay_trade_query_response", "40002", "isv.invalid-app-id", "无效的AppID参数", false},
		{"unknown method", func() map[string][]string { return signed(t, app, "alipay.trade.nonsense", biz, start) },
			"error_response", "40002", "isv.invalid-method", "不存在的方法名", false},
		{"no method", func() map[string][]string {
			v := signed(t, app, "alipay.trade.query", biz, start)
			v.Del("method")
			return v
		}, "error_response", "40001", "isv.missing-method", "缺少方法名参数", false},
		{"no sign", func() map[string][]string {
			v := signed(t, app, "alipay.trade.query", biz, start)
			v.Del("sign")
			return v
		}, "alipay_trade_query_response", "40001", "isv.missing-signature", "缺少签名参数", true},
		{"no app_id", func() map[string][]string {
			v := signed(t, app, "alipay.trade.query", biz, start)
			v.Del("app_id")
			return v
		}, "alipay_trade_query_response", "40001", "isv.missing-app-id", "缺少AppID参数", false},
		{"no timestamp", func() map[string][]string {
			v := signed(t, app, "alipay.trade.query", biz, start)
			v.Del("timestamp")
			return v
		}, "alipay_trade_query_response", "40001", "isv.missing-timestamp", "缺少时间戳参数", true},
		{"bad timestamp", func() map[string][]string {
			v := signed(t, app, "alipay.trade.query", biz, start)
			v.Set("timestamp", "yesterday")
			return v
		}, "alipay_trade_query_response", "40002", "isv.invalid-timestamp", "非法的时间戳参数", true},
		{"bad sign_type", func() map[string][]string {
			v := signed(t, app, "alipay.trade.query", biz, start)
			v.Set("sign_type", "MD5")
			return v
		}, "alipay_trade_query_response", "40002", "isv.invalid-signature-type", "无效的签名类型", true},
		{"bad charset", func() map[string][]string {
			v := signed(t, app, "alipay.trade.query", biz, start)
			v.Set("charset", "latin1")
			return v
		}, "alipay_trade_query_response", "40002", "isv.invalid-charset", "字符集错误", true},
		{"biz_content not JSON", func() map[string][]string {
			return signed(t, app, "alipay.trade.query", `{"out_trade_no":`, start)
		}, "alipay_trade_query_response", "40004", "ACQ.INVALID_PARAMETER", "参数无效：biz_content", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := f.post(t, tt.params())
			var e struct{ Code, Msg, Sub_code, Sub_msg string }
			if err := json.Unmarshal(out[tt.key], &e); err != nil {
				t.Fatalf("no %s in %v", tt.key, out)
			}
			if e.Code != tt.code || e.Sub_code != tt.subCode || !strings.HasPrefix(e.Sub_msg, tt.subMsg) {
				t.Errorf("got %+v", e)
			}
			if _, ok := out["sign"]; ok != tt.signed {
				t.Errorf("signed %v, want %v", ok, tt.signed)
			}
		})
	}
}

// alipay-sdk with the wrong app key: exec resolves Alipay's 40002 answer (a
// business-level answer, not a rejection) and the answer is signed.
func TestAlipaySDKWrongAppKey(t *testing.T) {
	f := newFixture(t)
	got := f.execWith(t, testKeys()[2].pkcs8PEM, "alipay.trade.query", map[string]any{"out_trade_no": "x"})
	if !strings.Contains(got, `"code":"40002"`) || !strings.Contains(got, `"subCode":"isv.invalid-signature"`) {
		t.Errorf("got %s", got)
	}
}

// Empty values are signed by alipay-sdk but not by Alipay's own SDKs: both
// verify, the first with a fidelity warning.
func TestEmptyParameterSignedEitherWay(t *testing.T) {
	f := newFixture(t)
	v := signed(t, f.app.key, "alipay.trade.query", `{"out_trade_no":"x"}`, start)
	v.Set("app_auth_token", "")
	resign(t, f.app.key, v) // signs the empty value, like alipay-sdk
	out := f.post(t, v)
	if !strings.Contains(string(out["alipay_trade_query_response"]), "ACQ.TRADE_NOT_EXIST") {
		t.Fatalf("empty value signed: %s", out["alipay_trade_query_response"])
	}
	if w := f.warnings(); len(w) != 1 || !strings.Contains(w[0], "empty parameters") {
		t.Errorf("warnings %q", w)
	}
}

func TestGatewayRejectsOtherMethodsAndPaths(t *testing.T) {
	f := newFixture(t)
	req, _ := http.NewRequest(http.MethodPut, f.srv.URL+"/gateway.do", nil)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d", resp.StatusCode)
	}
	resp, err = f.srv.Client().Get(f.srv.URL + "/_sandbox/alipay/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
	big := strings.NewReader("biz_content=" + strings.Repeat("a", maxBody+10))
	resp, err = f.srv.Client().Post(f.srv.URL+"/gateway.do", "application/x-www-form-urlencoded", big)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if !strings.Contains(string(out["error_response"]), "isv.invalid-parameter") {
		t.Errorf("oversized body: %v", out)
	}
}
