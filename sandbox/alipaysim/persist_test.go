package alipaysim

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/sandbox/provider"
)

// TestSnapshotRestore: trades and refunds come back in a new simulator, and
// the refund period's end (TRADE_FINISHED) is armed again.
func TestSnapshotRestore(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	ctx := context.Background()
	if _, err := a.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "A1", TotalFen: 990, NotifyURL: "https://m.example/n"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.sim.Refund(ctx, "A1", 90); err != nil {
		t.Fatal(err)
	}
	snap, err := a.sim.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.sim.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got, want := b.sim.Trades(), a.sim.Trades(); !sameJSON(got, want) || len(got) != 1 {
		t.Fatalf("restored trades:\n%+v\nwant\n%+v", got, want)
	}
	if again, _ := b.sim.Snapshot(); string(again) != string(snap) {
		t.Fatalf("a restored simulator snapshots differently:\n%s\n%s", again, snap)
	}
	b.clk.Advance(DefaultFinishAfter + time.Hour)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if tr, _ := b.sim.Trade("A1"); tr.Status == provider.StatusFinished {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the restored trade never finished its refund period")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
