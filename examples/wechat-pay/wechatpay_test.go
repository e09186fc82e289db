// Package wechatpay tests the WeChat Pay v3 example end to end with the payment
// sandbox on: wxPay's signed requests reach the WeChat Pay simulator through the
// outbound router, its notifies reach wxPayNotify.
package wechatpay

import (
	"context"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/examples/internal/exampletest"
	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

func orderRow(t *testing.T, emu *exampletest.Emu, no string) map[string]any {
	for _, r := range emu.Rows(t, "WxPayOrder") {
		if r["outTradeNo"] == no {
			return r
		}
	}
	return nil
}

func TestWechatPayEveryKindPaidNotifiedRefundedClosed(t *testing.T) {
	emu, _ := exampletest.StartSandbox(t, "functions")
	wechat, ok := emu.Sandbox.Provider(provider.Wechat)
	if !ok {
		t.Fatal("no WeChat simulator")
	}
	ctx := context.Background()
	for _, kind := range []string{"app", "jsapi", "native", "h5"} {
		t.Run(kind, func(t *testing.T) {
			r := emu.Post(t, "wxPay", map[string]any{"action": "order", "kind": kind, "description": "会员", "total": 990,
				"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "clientIp": "203.0.113.9"})
			m := r.JSON(t)
			if r.Status != 200 {
				t.Fatalf("order: %d %s", r.Status, r.Text)
			}
			no := m["outTradeNo"].(string)
			want := map[string]string{"app": "prepayId", "jsapi": "prepayId", "native": "codeUrl", "h5": "h5Url"}[kind]
			if s, _ := m[want].(string); s == "" {
				t.Fatalf("no %s in %v", want, m)
			}
			start := time.Now()
			if _, err := wechat.Pay(ctx, provider.PayRequest{OutTradeNo: no}); err != nil {
				t.Fatal(err)
			}
			exampletest.WaitFor(t, "the order to be paid", func() bool { return orderRow(t, emu, no)["status"] == "PAID" })
			t.Logf("%s: pay action to order paid by the delivered notify: %v", kind, time.Since(start))
			paid := orderRow(t, emu, no)
			var d paysim.Delivery
			for _, x := range emu.Sandbox.Deliveries() {
				if x.OutTradeNo == no {
					d = x
				}
			}
			replay, err := emu.Sandbox.Replay(d.ID)
			if err != nil {
				t.Fatal(err)
			}
			exampletest.WaitFor(t, "the replay to be acknowledged", func() bool {
				x, _ := emu.Sandbox.Delivery(replay.ID)
				return x.State == paysim.StateAcknowledged
			})
			if orderRow(t, emu, no)["updatedAt"] != paid["updatedAt"] {
				t.Fatal("a replayed notify changed the order")
			}
		})
	}

	// Refund through the function: WeChat's REFUND.SUCCESS notify records it.
	var paidNo string
	for _, r := range emu.Rows(t, "WxPayOrder") {
		paidNo = r["outTradeNo"].(string)
	}
	if r := emu.Post(t, "wxPay", map[string]any{"action": "refund", "outTradeNo": paidNo}); r.Status != 200 {
		t.Fatalf("refund: %d %s", r.Status, r.Text)
	}
	exampletest.WaitFor(t, "the refund notify", func() bool { return orderRow(t, emu, paidNo)["status"] == "REFUNDED" })

	// Close through the function, then query: WeChat reports CLOSED.
	m := emu.Post(t, "wxPay", map[string]any{"action": "order", "kind": "native", "description": "x", "total": 1}).JSON(t)
	no := m["outTradeNo"].(string)
	if r := emu.Post(t, "wxPay", map[string]any{"action": "close", "outTradeNo": no}); r.Status != 200 {
		t.Fatalf("close: %d %s", r.Status, r.Text)
	}
	if q := emu.Post(t, "wxPay", map[string]any{"action": "query", "outTradeNo": no}).JSON(t); q["tradeState"] != "CLOSED" || q["status"] != "CLOSED" {
		t.Fatalf("query after close: %v", q)
	}
}
