package wechatsim

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/dop251/goja"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments"
)

// payOne creates an app order with wechatpay-go, pays it, and returns its notify.
func payOne(t *testing.T, e *env, outTradeNo string) provider.Notification {
	t.Helper()
	prepayAll(t, e.sdkClient(t, e.keys.merchant))
	if _, err := e.sim.Pay(context.Background(), provider.PayRequest{OutTradeNo: outTradeNo}); err != nil {
		t.Fatal(err)
	}
	ns := e.notes.all()
	if len(ns) != 1 {
		t.Fatalf("%d notifies after one payment, want 1", len(ns))
	}
	return ns[0]
}

func TestPayNotifyVerifiesAndDecryptsWithSDK(t *testing.T) {
	e := newEnv(t)
	n := payOne(t, e, "order_jsapi_1")
	if n.Provider != provider.Wechat || n.Event != provider.EventPay || n.OutTradeNo != "order_jsapi_1" ||
		n.URL != testNotifyURL || n.Header.Get("Content-Type") != "application/json" {
		t.Errorf("notification %+v", n)
	}
	var txn payments.Transaction
	req, err := e.notifyHandler(t, testAPIv3Key).ParseNotifyRequest(context.Background(), asRequest(t, n), &txn)
	if err != nil {
		t.Fatalf("wechatpay-go rejected the notify: %v", err)
	}
	if req.EventType != "TRANSACTION.SUCCESS" || req.ResourceType != "encrypt-resource" || req.Summary != "支付成功" ||
		req.Resource.OriginalType != "transaction" || req.Resource.AssociatedData != "transaction" ||
		len(req.Resource.Nonce) != 12 || !strings.HasPrefix(req.ID, "EV-") {
		t.Errorf("notify envelope %+v", req)
	}
	if *txn.OutTradeNo != "order_jsapi_1" || *txn.TradeState != "SUCCESS" || *txn.TradeType != "JSAPI" ||
		*txn.Mchid != testMchID || *txn.Appid != testAppID || *txn.Payer.Openid != "oUser1" ||
		*txn.Amount.Total != 100 || *txn.Amount.PayerTotal != 100 || *txn.Amount.Currency != "CNY" ||
		*txn.BankType == "" || txn.SuccessTime == nil || *txn.TradeStateDesc != "支付成功" {
		t.Errorf("decrypted transaction %v", txn)
	}
	if !strings.HasSuffix(*txn.SuccessTime, "+08:00") {
		t.Errorf("success_time %q is not in +08:00", *txn.SuccessTime)
	}
	// The plaintext lists fields in WeChat's order.
	order := []string{"mchid", "appid", "out_trade_no", "transaction_id", "trade_type", "trade_state",
		"trade_state_desc", "bank_type", "attach", "success_time", "payer", "amount"}
	at := -1
	for _, k := range order {
		i := strings.Index(req.Resource.Plaintext, `"`+k+`":`)
		if i <= at {
			t.Errorf("plaintext field %s out of WeChat's order: %s", k, req.Resource.Plaintext)
		}
		at = i
	}
}

func TestTamperedNotifyFails(t *testing.T) {
	e := newEnv(t)
	n := payOne(t, e, "order_app_1")
	cases := []struct {
		name   string
		mutate func(n *provider.Notification)
		key    string
	}{
		{"body byte changed", func(n *provider.Notification) {
			n.Body = bytes.Replace(n.Body, []byte("TRANSACTION.SUCCESS"), []byte("TRANSACTION.SUCCESX"), 1)
		}, testAPIv3Key},
		{"signature of another body", func(n *provider.Notification) {
			n.Body = append(append([]byte{}, n.Body...), ' ')
		}, testAPIv3Key},
		{"serial unknown", func(n *provider.Notification) { n.Header.Set("Wechatpay-Serial", "ABCDEF") }, testAPIv3Key},
		{"wrong APIv3 key", func(*provider.Notification) {}, strings.Repeat("k", 32)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := n
			m.Header = n.Header.Clone()
			m.Body = append([]byte{}, n.Body...)
			c.mutate(&m)
			var txn payments.Transaction
			if _, err := e.notifyHandler(t, c.key).ParseNotifyRequest(context.Background(), asRequest(t, m), &txn); err == nil {
				t.Fatal("a tampered notify was accepted")
			}
		})
	}
	// The untouched notify still passes, so the failures above are the tampering's.
	var txn payments.Transaction
	if _, err := e.notifyHandler(t, testAPIv3Key).ParseNotifyRequest(context.Background(), asRequest(t, n), &txn); err != nil {
		t.Fatalf("untouched notify: %v", err)
	}
}

func TestRefundNotify(t *testing.T) {
	e := newEnv(t)
	payOne(t, e, "order_app_1")
	tr, err := e.sim.Refund(context.Background(), "order_app_1", 40)
	if err != nil {
		t.Fatal(err)
	}
	if tr.RefundedFen != 40 {
		t.Errorf("refunded %d, want 40", tr.RefundedFen)
	}
	ns := e.notes.all()
	if len(ns) != 2 || ns[1].Event != provider.EventRefund {
		t.Fatalf("notifies %+v, want pay then refund", ns)
	}
	var plain map[string]any
	req, err := e.notifyHandler(t, testAPIv3Key).ParseNotifyRequest(context.Background(), asRequest(t, ns[1]), &plain)
	if err != nil {
		t.Fatalf("refund notify: %v", err)
	}
	amount, _ := plain["amount"].(map[string]any)
	if req.EventType != "REFUND.SUCCESS" || req.Resource.OriginalType != "refund" ||
		plain["refund_status"] != "SUCCESS" || plain["out_trade_no"] != "order_app_1" ||
		amount["refund"] != 40.0 || amount["total"] != 100.0 || plain["refund_id"] == "" {
		t.Errorf("refund notify %+v %v", req, plain)
	}
	// Refund with 0 takes what remains; then nothing is left.
	if tr, err = e.sim.Refund(context.Background(), "order_app_1", 0); err != nil || tr.RefundedFen != 100 {
		t.Fatalf("refund the rest: %+v %v", tr, err)
	}
	if _, err := e.sim.Refund(context.Background(), "order_app_1", 1); err == nil {
		t.Error("refunded a fully refunded order")
	}
}

// TestNotifyBodySurvivesJSONStringify checks what pay_notify.js relies on: the
// body re-serialised by JavaScript is the signed bytes.
func TestNotifyBodySurvivesJSONStringify(t *testing.T) {
	e := newEnv(t)
	n := payOne(t, e, "order_h5_1")
	vm := goja.New()
	if err := vm.Set("body", string(n.Body)); err != nil {
		t.Fatal(err)
	}
	v, err := vm.RunString(`JSON.stringify(JSON.parse(body))`)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != string(n.Body) {
		t.Errorf("JSON.stringify changed the body:\n%s\n%s", v.String(), n.Body)
	}
}
