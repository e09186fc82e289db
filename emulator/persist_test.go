package emulator

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/paysim"
)

// startServing opens an emulator with cfg on a fresh loopback listener and
// returns it, its base URL and a stop function (the "restart" half).
func startServing(t *testing.T, cfg Config) (*Emulator, string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg.Sandbox.BaseURL = base
	emu, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = emu.Serve(ctx, ln); close(done) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		<-done
		if err := emu.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}
	t.Cleanup(stop)
	return emu, base, stop
}

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSandboxSurvivesRestart is issue 10 item 7: trades, notifies and their
// attempts are in the db, so a restart in the middle of a payment flow loses
// nothing: the pending retry is made after it and replay still works.
func TestSandboxSurvivesRestart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pay.db")
	failing, answering := t.TempDir(), t.TempDir()
	write(t, failing, "payNotify.js", `function onRequest(request, response) { response.end('fail') }`)
	write(t, answering, "payNotify.js", `function onRequest(request, response) { response.end('success') }`)
	start := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	cfg := func(dir string) Config {
		return Config{FunctionsDirs: []string{dir}, DBPath: db, Timeout: 5 * time.Second, Clock: clock.NewFake(start),
			Sandbox: SandboxConfig{RetryScale: 1}}
	}

	emu, base, stop := startServing(t, cfg(failing))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := &paysim.Client{Base: base}
	res, err := c.Pay(ctx, paysim.TriggerRequest{Provider: "alipay", OutTradeNo: "R1", Amount: "9.90", NotifyURL: "https://cloud.example/x/payNotify"})
	if err != nil || len(res.Notifies) != 1 {
		t.Fatalf("pay: %+v %v", res, err)
	}
	id := res.Notifies[0].ID
	waitFor(t, "the first attempt", func() bool {
		d, _ := emu.Sandbox.Delivery(id)
		return d.State == paysim.StateRetrying
	})
	stop() // the restart, with Alipay's 4-minute retry pending

	emu2, base2, _ := startServing(t, cfg(answering))
	trades := emu2.Sandbox.Trades()
	if len(trades) != 1 || trades[0].OutTradeNo != "R1" || trades[0].Status != "TRADE_SUCCESS" || trades[0].TotalFen != 990 {
		t.Fatalf("trades after the restart: %+v", trades)
	}
	d, ok := emu2.Sandbox.Delivery(id)
	if !ok || len(d.Attempts) != 1 || d.Attempts[0].Body != "fail" || d.State != paysim.StateRetrying {
		t.Fatalf("delivery after the restart: %+v", d)
	}
	// The retry falls due on the sandbox clock and reaches the new function.
	emu2.Config.Clock.(*clock.Fake).Advance(5 * time.Minute)
	waitFor(t, "the retry after the restart", func() bool {
		d, _ := emu2.Sandbox.Delivery(id)
		return d.State == paysim.StateAcknowledged
	})
	// `sandbox notifies --replay` works on a notify from before the restart.
	c2 := &paysim.Client{Base: base2}
	replay, err := c2.Replay(ctx, id)
	if err != nil || replay.ReplayOf != id || replay.ID == id {
		t.Fatalf("replay: %+v %v", replay, err)
	}
	if got, err := c2.WaitAttempted(ctx, replay.ID); err != nil || len(got.Attempts) == 0 || !got.Attempts[0].Acknowledged {
		t.Fatalf("replayed delivery: %+v %v", got, err)
	}
	// The trade's later life continues: a refund after the restart.
	if res, err := c2.Refund(ctx, paysim.TriggerRequest{Provider: "alipay", OutTradeNo: "R1"}); err != nil || res.Trade.RefundedFen != 990 {
		t.Fatalf("refund after the restart: %+v %v", res.Trade, err)
	}
}
