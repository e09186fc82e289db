package wechatsim

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bmobemu/bmobemu/sandbox/provider"
)

// TestSnapshotRestore: a second simulator restored from a snapshot has the same
// trades and refunds, and the restored trades go on (refund, repeat refusal).
func TestSnapshotRestore(t *testing.T) {
	a, b := newEnv(t), newEnv(t)
	ctx := context.Background()
	if _, err := a.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "W1", TotalFen: 500, NotifyURL: "https://m.example/n"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.sim.Refund(ctx, "W1", 200); err != nil {
		t.Fatal(err)
	}
	if _, err := a.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "W2", TotalFen: 100, NotifyURL: "https://m.example/n"}); err != nil {
		t.Fatal(err)
	}
	snap, err := a.sim.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.sim.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got, want := b.sim.Trades(), a.sim.Trades(); !sameJSON(got, want) || len(got) != 2 {
		t.Fatalf("restored trades:\n%+v\nwant\n%+v", got, want)
	}
	again, err := b.sim.Snapshot()
	if err != nil || string(again) != string(snap) {
		t.Fatalf("a restored simulator snapshots differently:\n%s\n%s", again, snap)
	}
	tr, err := b.sim.Refund(ctx, "W1", 300)
	if err != nil || tr.RefundedFen != 500 {
		t.Fatalf("refunding the rest after restore: %+v %v", tr, err)
	}
	if _, err := b.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "W2"}); err == nil {
		t.Fatal("a restored paid trade was paid twice")
	}
}

// sameJSON compares values as their JSON (times without monotonic readings).
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
