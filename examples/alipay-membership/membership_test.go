// Package alipaymembership tests the Alipay membership example end to end with
// the payment sandbox on: the functions' orders reach the Alipay simulator, its
// cashier and triggers pay, close and refund, and its signed notifies are
// delivered to memberNotify.
package alipaymembership

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/examples/internal/exampletest"
	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// order creates a membership order for a device and opens its pay URL as a
// browser would (the gateway answers with the cashier page), so the simulator
// knows the trade. It returns the order number.
func order(t *testing.T, emu *exampletest.Emu, planID, device, channel string) string {
	t.Helper()
	r := emu.Post(t, "memberOrder", map[string]any{"planId": planID, "deviceId": device, "channel": channel})
	m := r.JSON(t)
	payURL, _ := m["payUrl"].(string)
	if r.Status != 200 || payURL == "" {
		t.Fatalf("memberOrder: %d %s", r.Status, r.Text)
	}
	if !strings.Contains(payURL, "/_sandbox/alipay/gateway.do?") {
		t.Fatalf("the pay URL does not point at the local sandbox: %s", payURL)
	}
	resp, err := http.Get(payURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Request.URL.Path, "/cashier") {
		t.Fatalf("opening the pay URL ended at %s (%d)", resp.Request.URL, resp.StatusCode)
	}
	return m["orderNo"].(string)
}

func plans(t *testing.T, emu *exampletest.Emu) map[string]string {
	t.Helper()
	byName := map[string]string{}
	for _, p := range emu.Get(t, "memberPlans", "").JSON(t)["plans"].([]any) {
		p := p.(map[string]any)
		byName[p["name"].(string)] = p["planId"].(string)
	}
	return byName
}

func row(t *testing.T, emu *exampletest.Emu, class, field, value string) map[string]any {
	t.Helper()
	for _, r := range emu.Rows(t, class) {
		if r[field] == value {
			return r
		}
	}
	return nil
}

func status(t *testing.T, emu *exampletest.Emu, orderNo string) string {
	if r := row(t, emu, "MemberOrder", "orderNo", orderNo); r != nil {
		s, _ := r["status"].(string)
		return s
	}
	return ""
}

func alipay(t *testing.T, emu *exampletest.Emu) provider.Provider {
	p, ok := emu.Sandbox.Provider(provider.Alipay)
	if !ok {
		t.Fatal("the sandbox has no Alipay simulator")
	}
	return p
}

// deliveries are the sandbox's notifies for one order.
func deliveries(emu *exampletest.Emu, orderNo string) []paysim.Delivery {
	var out []paysim.Delivery
	for _, d := range emu.Sandbox.Deliveries() {
		if d.OutTradeNo == orderNo {
			out = append(out, d)
		}
	}
	return out
}

func TestMembershipPayRepeatReplayRefundClose(t *testing.T) {
	emu, _ := exampletest.StartSandbox(t, "functions")
	ctx := context.Background()
	p := plans(t, emu)
	no := order(t, emu, p["月度会员"], "dev-1", "page")

	start := time.Now()
	if _, err := alipay(t, emu).Pay(ctx, provider.PayRequest{OutTradeNo: no}); err != nil {
		t.Fatal(err)
	}
	// memberNotify marks the order paid, then grants the membership.
	exampletest.WaitFor(t, "the order to be paid and granted", func() bool {
		return status(t, emu, no) == "paid" && row(t, emu, "Member", "deviceId", "dev-1") != nil
	})
	t.Logf("pay action to order paid by the delivered notify: %v", time.Since(start))
	member := row(t, emu, "Member", "deviceId", "dev-1")
	if member == nil || member["planId"] != p["月度会员"] {
		t.Fatalf("no membership after payment: %v", member)
	}
	firstEnd := member["expireAt"].(map[string]any)["iso"].(string)
	ds := deliveries(emu, no)
	exampletest.WaitFor(t, "the delivery to be acknowledged", func() bool {
		ds = deliveries(emu, no)
		return len(ds) == 1 && ds[0].State == paysim.StateAcknowledged
	})
	if a := ds[0].Attempts; len(a) != 1 || a[0].Body != "success" {
		t.Fatalf("attempts: %+v", a)
	}

	// A replay of the same signed notify is acknowledged and changes nothing.
	replay, err := emu.Sandbox.Replay(ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	exampletest.WaitFor(t, "the replay to be acknowledged", func() bool {
		d, _ := emu.Sandbox.Delivery(replay.ID)
		return d.State == paysim.StateAcknowledged
	})
	again := row(t, emu, "Member", "deviceId", "dev-1")
	if again["updatedAt"] != member["updatedAt"] {
		t.Fatalf("a replayed notify changed the membership: %v -> %v", member, again)
	}

	// A second (yearly) order extends from the current end.
	yearly := order(t, emu, p["年度会员"], "dev-1", "wap")
	if _, err := alipay(t, emu).Pay(ctx, provider.PayRequest{OutTradeNo: yearly}); err != nil {
		t.Fatal(err)
	}
	exampletest.WaitFor(t, "the yearly order to be paid", func() bool { return status(t, emu, yearly) == "paid" })
	exampletest.WaitFor(t, "the membership to be extended", func() bool {
		m := row(t, emu, "Member", "deviceId", "dev-1")
		return len(m["orders"].([]any)) == 2
	})
	end := row(t, emu, "Member", "deviceId", "dev-1")["expireAt"].(map[string]any)["iso"].(string)
	firstT, _ := time.Parse(time.DateTime, firstEnd)
	endT, _ := time.Parse(time.DateTime, end)
	if got := endT.Sub(firstT); got != 365*24*time.Hour {
		t.Fatalf("the yearly plan extended the membership by %v (from %s to %s)", got, firstEnd, end)
	}

	// A full refund closes the trade at Alipay; its notify takes the days back.
	if _, err := alipay(t, emu).Refund(ctx, yearly, 0); err != nil {
		t.Fatal(err)
	}
	exampletest.WaitFor(t, "the refund to be recorded", func() bool { return status(t, emu, yearly) == "refunded" })
	exampletest.WaitFor(t, "the refund to take the days back", func() bool {
		m := row(t, emu, "Member", "deviceId", "dev-1")
		return m["expireAt"].(map[string]any)["iso"] == firstEnd
	})

	// Closing an unpaid trade closes the order.
	unpaid := order(t, emu, p["月度会员"], "dev-2", "page")
	if _, err := alipay(t, emu).Close(ctx, unpaid); err != nil {
		t.Fatal(err)
	}
	exampletest.WaitFor(t, "the order to be closed", func() bool { return status(t, emu, unpaid) == "closed" })
	if row(t, emu, "Member", "deviceId", "dev-2") != nil {
		t.Fatal("a closed order gave a membership")
	}
}

func TestMembershipNotifyAnsweredFailIsRetried(t *testing.T) {
	emu, _ := exampletest.StartSandbox(t, "functions")
	no := order(t, emu, plans(t, emu)["月度会员"], "dev-1", "page")
	// The stored amount no longer matches what Alipay reports: memberNotify answers fail.
	o := row(t, emu, "MemberOrder", "orderNo", no)
	setAmount := func(cents int) {
		if _, err := emu.Store.Update(context.Background(), "MemberOrder", o["objectId"].(string), map[string]any{"amountCents": cents}); err != nil {
			t.Fatal(err)
		}
	}
	setAmount(1)
	if _, err := alipay(t, emu).Pay(context.Background(), provider.PayRequest{OutTradeNo: no}); err != nil {
		t.Fatal(err)
	}
	var d paysim.Delivery
	exampletest.WaitFor(t, "a failed attempt", func() bool {
		ds := deliveries(emu, no)
		if len(ds) == 1 && len(ds[0].Attempts) > 0 {
			d = ds[0]
			return true
		}
		return false
	})
	if d.Attempts[0].Body != "fail" || d.Attempts[0].Acknowledged || status(t, emu, no) != "pending" {
		t.Fatalf("first attempt: %+v, order %s", d.Attempts[0], status(t, emu, no))
	}
	setAmount(990)
	exampletest.WaitFor(t, "a retry to pay the order", func() bool { return status(t, emu, no) == "paid" })
	exampletest.WaitFor(t, "the delivery to be acknowledged", func() bool {
		d, _ = emu.Sandbox.Delivery(d.ID)
		return d.State == paysim.StateAcknowledged
	})
	if n := len(d.Attempts); n < 2 || d.Attempts[n-1].Body != "success" {
		t.Fatalf("attempts: %+v", d.Attempts)
	}
}

func TestMembershipTamperedNotifyIsRefused(t *testing.T) {
	emu, _ := exampletest.StartSandbox(t, "functions")
	no := order(t, emu, plans(t, emu)["月度会员"], "dev-1", "page")
	if _, err := alipay(t, emu).Pay(context.Background(), provider.PayRequest{OutTradeNo: no}); err != nil {
		t.Fatal(err)
	}
	exampletest.WaitFor(t, "the order to be paid", func() bool { return status(t, emu, no) == "paid" })
	d := deliveries(emu, no)[0]
	form, err := url.ParseQuery(d.Body)
	if err != nil {
		t.Fatal(err)
	}
	form.Set("out_trade_no", no)
	form.Set("total_amount", "0.01")
	if got := emu.Do(t, "POST", "memberNotify", "application/x-www-form-urlencoded", []byte(form.Encode()), nil).Text; got != "fail" {
		t.Fatalf("a tampered copy of a genuine notify answered %q", got)
	}
	form, _ = url.ParseQuery(d.Body)
	if got := emu.Do(t, "POST", "memberNotify", "application/x-www-form-urlencoded", []byte(form.Encode()), nil).Text; got != "success" {
		t.Fatalf("the genuine notify posted again answered %q", got)
	}
}

func TestMembershipActiveQueryWhenNoNotifyCame(t *testing.T) {
	emu, _ := exampletest.StartSandbox(t, "functions")
	no := order(t, emu, plans(t, emu)["月度会员"], "dev-1", "wap")
	if got := emu.Post(t, "memberQuery", map[string]any{"orderNo": no}).JSON(t); got["status"] != "pending" || got["tradeStatus"] != "WAIT_BUYER_PAY" {
		t.Fatalf("query before paying: %v", got)
	}
	// Stop notify delivery: the payment's notify is recorded but never arrives.
	if err := emu.Sandbox.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := alipay(t, emu).Pay(context.Background(), provider.PayRequest{OutTradeNo: no}); err != nil {
		t.Fatal(err)
	}
	got := emu.Post(t, "memberQuery", map[string]any{"orderNo": no}).JSON(t)
	if got["status"] != "paid" || got["tradeStatus"] != "TRADE_SUCCESS" || got["expireAt"] == nil {
		t.Fatalf("query after paying: %v", got)
	}
	if ds := deliveries(emu, no); len(ds) != 1 || len(ds[0].Attempts) != 0 {
		t.Fatalf("the notify was delivered after all: %+v", ds)
	}
	if m := row(t, emu, "Member", "deviceId", "dev-1"); m == nil {
		t.Fatal("the active query did not grant the membership")
	}
}
