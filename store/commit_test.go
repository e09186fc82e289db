package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// waitFor polls cond with a generous deadline (the machine may be loaded).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// blockCommitter occupies the commit loop with a write that waits for the
// returned release, so the writes queued meanwhile form one group.
func blockCommitter(t *testing.T, s *boltStore) (release func()) {
	t.Helper()
	entered, gate, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.commits.do(context.Background(), func(tx *bolt.Tx) error {
			close(entered)
			<-gate
			return nil
		})
	}()
	<-entered
	return func() {
		close(gate)
		if err := <-done; err != nil {
			t.Errorf("blocking write: %v", err)
		}
	}
}

func (c *committer) queued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

func scoresOnDisk(t *testing.T, path string) []float64 {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Find(context.Background(), "Score", Query{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, r := range res.Results {
		got = append(got, r["n"].(float64))
	}
	sort.Float64s(got)
	return got
}

// TestGroupCommitFailingWriteFailsAlone queues good writes beside one that
// breaks the schema and one that panics inside bbolt (damage): they share one
// commit, only the bad ones fail, and the good ones are on disk.
func TestGroupCommitFailingWriteFailsAlone(t *testing.T) {
	s, path := openTest(t)
	ctx := context.Background()
	mustCreate(t, s, "Score", map[string]any{"n": 1.0}) // n is a Number from now on
	txid0 := lastTxID(t, s)
	release := blockCommitter(t, s)

	type outcome struct {
		name string
		err  error
	}
	out := make(chan outcome, 4)
	create := func(name string, n any) {
		_, err := s.Create(ctx, "Score", map[string]any{"n": n})
		out <- outcome{name, err}
	}
	go create("good 2", 2.0)
	go create("wrong type", "two")
	go func() {
		err := s.commits.do(ctx, func(tx *bolt.Tx) error {
			if err := tx.Bucket(classesBucket).Bucket([]byte("Score")).Put([]byte("x"), []byte("half")); err != nil {
				return err
			}
			panic("page 7: unknown page type") // what a damaged file makes bbolt do
		})
		out <- outcome{"panics", err}
	}()
	go create("good 3", 3.0)
	waitFor(t, "4 queued writes", func() bool { return s.commits.queued() == 4 })
	release()

	for range 4 {
		o := <-out
		switch o.name {
		case "good 2", "good 3":
			if o.err != nil {
				t.Errorf("%s failed beside a bad neighbour: %v", o.name, o.err)
			}
		case "wrong type":
			if code, _ := bmobCode(o.err); code == 0 {
				t.Errorf("wrong type: %v, want a Bmob error", o.err)
			}
		case "panics":
			if !errors.Is(o.err, ErrDamaged) {
				t.Errorf("panicking write: %v, want ErrDamaged", o.err)
			}
		}
	}
	if got := lastTxID(t, s) - txid0; got != 2 {
		t.Errorf("%d commits, want 2 (the blocking write, then one for the group)", got)
	}
	if err := s.view(func(tx *bolt.Tx) error {
		if tx.Bucket(classesBucket).Bucket([]byte("Score")).Get([]byte("x")) != nil {
			return errors.New("the panicking write's half is stored")
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
	s.Close()
	if got := scoresOnDisk(t, path); fmt.Sprint(got) != "[1 2 3]" {
		t.Errorf("on disk after reopen: %v, want [1 2 3] (no half-written row)", got)
	}
}

// TestGroupCommitCancelledWhileQueued: a write whose caller gives up before
// its group runs is not written and says so.
func TestGroupCommitCancelledWhileQueued(t *testing.T) {
	s, path := openTest(t)
	release := blockCommitter(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := s.Create(ctx, "Score", map[string]any{"n": 1.0})
		errc <- err
	}()
	waitFor(t, "the queued write", func() bool { return s.commits.queued() == 1 })
	cancel()
	release()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled write: %v, want context.Canceled", err)
	}
	s.Close()
	if got := scoresOnDisk(t, path); len(got) != 0 {
		t.Fatalf("a cancelled write reached the disk: %v", got)
	}
}

// TestGroupCommitClose: writes queued when Close is called still commit;
// writes after Close fail at once instead of waiting forever.
func TestGroupCommitClose(t *testing.T) {
	s, path := openTest(t)
	release := blockCommitter(t, s)
	errc := make(chan error, 1)
	go func() {
		_, err := s.Create(context.Background(), "Score", map[string]any{"n": 7.0})
		errc <- err
	}()
	waitFor(t, "the queued write", func() bool { return s.commits.queued() == 1 })
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	waitFor(t, "Close to stop the queue", func() bool {
		s.commits.mu.Lock()
		defer s.commits.mu.Unlock()
		return s.commits.closed
	})
	release()
	if err := <-errc; err != nil {
		t.Fatalf("write queued before Close: %v", err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(context.Background(), "Score", map[string]any{"n": 8.0}); !errors.Is(err, bolt.ErrDatabaseNotOpen) {
		t.Fatalf("write after Close: %v, want ErrDatabaseNotOpen", err)
	}
	if got := scoresOnDisk(t, path); fmt.Sprint(got) != "[7]" {
		t.Fatalf("on disk: %v, want [7]", got)
	}
}

// TestWriteGroupIsOneTransactionInSlotOrder: slots that write in reverse
// order still apply in slot order (the second "admin" role is the one
// refused), in one commit; a slot that writes nothing only settles.
func TestWriteGroupIsOneTransactionInSlotOrder(t *testing.T) {
	s, path := openTest(t)
	ctx := context.Background()
	mustCreate(t, s, "Score", map[string]any{"n": 0.0})
	txid0 := lastTxID(t, s)
	g := s.GroupWrites(4)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	run := func(slot int, fn func(ctx context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer g.Done(slot)
			errs[slot] = fn(g.Slot(ctx, slot))
		}()
	}
	role := func(name string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := s.Create(ctx, "_Role", map[string]any{"name": name})
			return err
		}
	}
	settled := func(n int) func() bool {
		return func() bool {
			gr := g.(*writeGroup)
			gr.mu.Lock()
			defer gr.mu.Unlock()
			return len(gr.slots)-gr.left == n
		}
	}
	run(3, func(ctx context.Context) error { return nil }) // writes nothing
	waitFor(t, "slot 3", settled(1))
	run(2, role("staff"))
	waitFor(t, "slot 2", settled(2))
	run(1, role("admin"))
	waitFor(t, "slot 1", settled(3))
	if got := lastTxID(t, s) - txid0; got != 0 {
		t.Fatalf("%d commits before every slot settled", got)
	}
	run(0, role("admin"))
	wg.Wait()

	if errs[0] != nil || errs[2] != nil || errs[3] != nil {
		t.Fatalf("slots 0, 2, 3: %v, %v, %v", errs[0], errs[2], errs[3])
	}
	if code, _ := bmobCode(errs[1]); code != 139 {
		t.Fatalf("slot 1 (second admin, written first): %v, want 139", errs[1])
	}
	if got := lastTxID(t, s) - txid0; got != 1 {
		t.Fatalf("%d commits for the group, want 1", got)
	}
	// A slot's second write is an ordinary one.
	if _, err := s.Create(g.Slot(ctx, 2), "Score", map[string]any{"n": 5.0}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	res, err := s2.Find(ctx, "_Role", Query{Limit: -1, Order: []string{"name"}})
	if err != nil || len(res.Results) != 2 || res.Results[0]["name"] != "admin" || res.Results[1]["name"] != "staff" {
		t.Fatalf("roles on disk: %v, %v", res.Results, err)
	}
}

// TestConcurrentWritersWithBadNeighbours: 64 writers, every seventh write
// breaking the schema; every good write is acknowledged and on disk after
// reopening, every bad one fails with Bmob's error and leaves nothing.
func TestConcurrentWritersWithBadNeighbours(t *testing.T) {
	s, path := openTest(t)
	ctx := context.Background()
	mustCreate(t, s, "Score", map[string]any{"n": -1.0})
	const workers, each = 64, 15
	var wg sync.WaitGroup
	var mu sync.Mutex
	var want []float64
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				k := w*each + i
				if k%7 == 3 {
					if _, err := s.Create(ctx, "Score", map[string]any{"n": "bad"}); err == nil {
						errs <- fmt.Errorf("write %d: a string in a Number field was accepted", k)
					} else if code, _ := bmobCode(err); code == 0 {
						errs <- fmt.Errorf("write %d: %v, want a Bmob error", k, err)
					}
					continue
				}
				if _, err := s.Create(ctx, "Score", map[string]any{"n": float64(k)}); err != nil {
					errs <- fmt.Errorf("write %d failed: %w", k, err)
					continue
				}
				mu.Lock()
				want = append(want, float64(k))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s.Close()
	want = append(want, -1)
	sort.Float64s(want)
	if got := scoresOnDisk(t, path); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("on disk after reopen: %d rows, want the %d acknowledged", len(got), len(want))
	}
}

// TestWriteGroupIsNeverCut: a write group that straddles the size limit of
// a transaction still commits in one.
func TestWriteGroupIsNeverCut(t *testing.T) {
	s, path := openTest(t)
	ctx := context.Background()
	s.commits.mu.Lock()
	s.commits.maxGroup = 2
	s.commits.mu.Unlock()
	txid0 := lastTxID(t, s)
	release := blockCommitter(t, s)
	done := make(chan error, 4)
	go func() {
		_, err := s.Create(ctx, "Score", map[string]any{"n": 0.0})
		done <- err
	}()
	waitFor(t, "the lone write", func() bool { return s.commits.queued() == 1 })
	g := s.GroupWrites(3)
	for slot := range 3 {
		go func() {
			defer g.Done(slot)
			_, err := s.Create(g.Slot(ctx, slot), "Score", map[string]any{"n": float64(slot + 1)})
			done <- err
		}()
	}
	waitFor(t, "the group", func() bool { return s.commits.queued() == 4 })
	release()
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if got := lastTxID(t, s) - txid0; got != 2 {
		t.Fatalf("%d commits, want 2 (the blocking write, then the lone write with the whole group)", got)
	}
	s.Close()
	if got := scoresOnDisk(t, path); fmt.Sprint(got) != "[0 1 2 3]" {
		t.Fatalf("on disk: %v", got)
	}
}
