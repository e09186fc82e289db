package wechatsim

import (
	"testing"

	"github.com/bmobemu/bmobemu/paysim/provider/providertest"
)

// TestSnapshotRestore: a second simulator restored from a snapshot has the same
// trades and refunds, and the restored trades go on (refund, repeat refusal).
func TestSnapshotRestore(t *testing.T) {
	providertest.SnapshotRoundTrip(t, newEnv(t).sim, newEnv(t).sim)
}

// TestRestoreReadsTheEarlierSnapshot: a snapshot written before the generic
// provider.State (refunds always present, null when none) still restores.
func TestRestoreReadsTheEarlierSnapshot(t *testing.T) {
	s := newEnv(t).sim
	old := `{"seq":2,"trades":[{"kind":"app","appid":"wx1","mchid":"19","description":"d","outTradeNo":"W9",` +
		`"notifyUrl":"https://m.example/n","total":100,"currency":"CNY","fingerprint":"f","prepayId":"wx9",` +
		`"state":"NOTPAY","createdAt":"2024-03-05T09:00:00Z"}],"refunds":null}`
	if err := s.Restore([]byte(old)); err != nil {
		t.Fatal(err)
	}
	if tr := s.Trades(); len(tr) != 1 || tr[0].OutTradeNo != "W9" || tr[0].TotalFen != 100 {
		t.Fatalf("restored: %+v", tr)
	}
}
