package alipaysim

import (
	"context"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/bmobemu/bmobemu/paysim/provider/providertest"
)

// TestSnapshotRestore: what every persistent provider must do.
func TestSnapshotRestore(t *testing.T) {
	providertest.SnapshotRoundTrip(t, newFixture(t).sim, newFixture(t).sim)
}

// TestRestoredRefundPeriodEnds: the refund period's end (TRADE_FINISHED) of a
// restored paid trade is armed again.
func TestRestoredRefundPeriodEnds(t *testing.T) {
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
