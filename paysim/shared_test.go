package paysim

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/internal/pgtest"
	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/bmobemu/bmobemu/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// sharedStores opens n stores on one new PostgreSQL database, as n bmobemu
// processes would (a pool each).
func sharedStores(t *testing.T, n int) []SharedStateStore {
	t.Helper()
	dsn := pgtest.DSN(t)
	var out []SharedStateStore
	for range n {
		st, err := store.OpenDB(dsn, store.Options{}, store.PostgresOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		shared, ok := st.(SharedStateStore)
		if !ok {
			t.Fatalf("the PostgreSQL store (%T) cannot be shared by the sandbox", st)
		}
		out = append(out, shared)
	}
	return out
}

// waitUntil polls cond for a generous while.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSharedStoreMakesEachAttemptOnce: two sandboxes on one database (two
// processes) both look for due attempts; a notify made through the first is
// seen by the second, its retry is made by exactly one of them, and nothing is
// delivered twice.
func TestSharedStoreMakesEachAttemptOnce(t *testing.T) {
	stores := sharedStores(t, 2)
	fake := clock.NewFake(start)
	m := &merchant{answers: []answer{{500, "busy", nil}, {200, "success", nil}}}
	var sbs []*Sandbox
	for _, st := range stores {
		s := newDelivering(t, Options{Clock: fake, Deliver: m.deliver, State: st, PollInterval: time.Second})
		if err := s.Restore(); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		sbs = append(sbs, s)
	}
	a, b := sbs[0], sbs[1]
	a.Notify(notification(provider.Alipay))
	// b sees a's delivery and its failed first attempt, through the database.
	d := waitFor(t, b, "n1", "a's first attempt", attempts(1, StateRetrying))
	if d.Attempts[0].Status != 500 {
		t.Fatalf("first attempt: %+v", d.Attempts[0])
	}
	for range 5 { // the retry falls due; both pollers and a's own timer race for it
		fake.Advance(time.Second)
		time.Sleep(30 * time.Millisecond)
	}
	for _, s := range sbs {
		waitFor(t, s, "n1", "acknowledged", attempts(2, StateAcknowledged))
	}
	for range 5 {
		fake.Advance(10 * time.Minute)
		time.Sleep(30 * time.Millisecond)
	}
	if got := m.count(); got != 2 {
		t.Fatalf("the merchant got %d notifies, want 2 (one failed, one acknowledged)", got)
	}
	// Numbers come from the database: b's own notify is n2, not a second n1.
	b.Notify(notification(provider.Wechat))
	waitFor(t, a, "n2", "b's notify", attempts(1, StateAcknowledged))
	// b replays a's notify: a new delivery, made once.
	r, err := b.Replay("n1")
	if err != nil || r.ID != "n3" || r.ReplayOf != "n1" {
		t.Fatalf("replay through b: %+v %v", r, err)
	}
	waitFor(t, a, "n3", "the replay", attempts(1, StateAcknowledged))
	for range 3 {
		fake.Advance(time.Minute)
		time.Sleep(30 * time.Millisecond)
	}
	if got := m.count(); got != 4 {
		t.Fatalf("the merchant got %d notifies, want 4", got)
	}
}

// TestAClaimOfADeadProcessExpires: a delivery claimed by a process that died
// mid-attempt is left alone until the claim expires, then made by another.
func TestAClaimOfADeadProcessExpires(t *testing.T) {
	st := sharedStores(t, 1)[0]
	fake := clock.NewFake(start)
	m := &merchant{answers: []answer{{200, "success", nil}}}
	until := start.Add(DefaultAttemptTimeout + claimMargin)
	n := notification(provider.Alipay)
	sd := sharedDelivery{savedDelivery{Seq: 1, Delivery: Delivery{ID: "n1", Provider: n.Provider, Event: n.Event,
		OutTradeNo: n.OutTradeNo, URL: n.URL, State: StateDelivering, CreatedAt: start, Header: n.Header, Body: string(n.Body)}},
		&claim{Holder: "a process killed -9", Until: until}}
	b, _ := json.Marshal(sd)
	if err := st.SaveStates(map[string][]byte{deliveryKey(1): b, seqKey: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	s := newDelivering(t, Options{Clock: fake, Deliver: m.deliver, State: st, PollInterval: time.Second})
	if err := s.Restore(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for fake.Now().Before(until.Add(-time.Second)) {
		fake.Advance(time.Second)
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if got := m.count(); got != 0 {
		t.Fatalf("%d attempts while the dead process's claim held", got)
	}
	fake.Advance(2 * time.Second)
	waitUntil(t, "the attempt after the claim expired", func() bool { return m.count() == 1 })
	d := waitFor(t, s, "n1", "acknowledged", attempts(1, StateAcknowledged))
	if d.Attempts[0].N != 1 {
		t.Fatalf("attempt %+v", d.Attempts[0])
	}
	raw, err := st.LoadState(deliveryKey(1))
	if err != nil {
		t.Fatal(err)
	}
	var saved sharedDelivery
	if err := json.Unmarshal(raw, &saved); err != nil || saved.State != StateAcknowledged || saved.Claim != nil {
		t.Fatalf("stored: %s (%v)", raw, err)
	}
}
