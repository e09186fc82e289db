// Package providertest checks what every simulated payment provider must do
// alike, so each simulator's tests call one check instead of repeating it.
package providertest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// PersistentProvider is a provider whose trades can be saved and restored.
type PersistentProvider interface {
	provider.Provider
	provider.Persistent
}

// SnapshotRoundTrip pays W1 (500 fen) and W2 (100 fen) on a and refunds 200
// fen of W1, restores b from a's snapshot, and checks that b lists the same
// trades and snapshots to the same bytes; then that the restored trades go
// on: the rest of W1 can be refunded, W2 cannot be paid twice; and that
// restoring the snapshot again puts b back to it (Restore replaces).
func SnapshotRoundTrip(t *testing.T, a, b PersistentProvider) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []provider.PayRequest{
		{OutTradeNo: "W1", TotalFen: 500, NotifyURL: "https://m.example/n"},
		{OutTradeNo: "W2", TotalFen: 100, NotifyURL: "https://m.example/n"},
	} {
		if _, err := a.Pay(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Refund(ctx, "W1", 200); err != nil {
		t.Fatal(err)
	}
	snap, err := a.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got, want := b.Trades(), a.Trades(); !sameJSON(got, want) || len(got) != 2 {
		t.Fatalf("restored trades:\n%+v\nwant\n%+v", got, want)
	}
	again, err := b.Snapshot()
	if err != nil || string(again) != string(snap) {
		t.Fatalf("a restored simulator snapshots differently:\n%s\n%s", again, snap)
	}
	if tr, err := b.Refund(ctx, "W1", 300); err != nil || tr.RefundedFen != 500 {
		t.Fatalf("refunding the rest after restore: %+v %v", tr, err)
	}
	if _, err := b.Pay(ctx, provider.PayRequest{OutTradeNo: "W2"}); err == nil {
		t.Fatal("a restored paid trade was paid twice")
	}
	if err := b.Restore([]byte("{not json")); err == nil {
		t.Fatal("a broken snapshot was restored")
	}
	// Restoring again replaces the trades (processes sharing trades reload
	// them whenever another changed them): b is back to a's snapshot.
	if err := b.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got, want := b.Trades(), a.Trades(); !sameJSON(got, want) || len(got) != 2 {
		t.Fatalf("trades restored over others:\n%+v\nwant\n%+v", got, want)
	}
	if again, err := b.Snapshot(); err != nil || string(again) != string(snap) {
		t.Fatalf("restored over others, the snapshot differs:\n%s\n%s", again, snap)
	}
}

// sameJSON compares values as their JSON (times without monotonic readings).
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
