package tasks

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/internal/pgtest"
	"github.com/bmobemu/bmobemu/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestSharedSchedulers: two schedulers (two processes) on one PostgreSQL
// database, each with its own clock stepped to the same ticks: each tick runs
// once in all; a tick while the run goes on is kept as skipped once; a run by
// hand through the other is refused as running in another process; both
// list the same runs, and the other shows the task running.
func TestSharedSchedulers(t *testing.T) {
	dsn := pgtest.DSN(t)
	project := mustProject(t, "tasks:\n  - {name: tick, rule: '* * * * * *', function: f}\n")
	fns := newBlocking()
	var (
		clocks [2]*clock.Fake
		scheds [2]*Scheduler
	)
	for i := range scheds {
		st, err := store.OpenPostgres(context.Background(), dsn, store.Options{}, store.PostgresOptions{MaxConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		clocks[i] = clock.NewFake(start)
		scheds[i] = New(Options{Clock: clocks[i], Functions: fns, Shared: StoreShared(st.(store.TaskKeeper), 0, 0)})
		scheds[i].Set(project)
	}
	defer func() {
		for _, s := range scheds {
			s.Close()
			s.Wait()
		}
	}()
	step := func() {
		for _, c := range clocks {
			c.Advance(time.Second)
		}
	}

	step() // 10:00:01: one of the two runs it, and blocks
	<-fns.started
	time.Sleep(300 * time.Millisecond) // the other's claim has time to (wrongly) start a second run
	if n := fns.now.Load(); n != 1 {
		t.Fatalf("%d runs of one tick going", n)
	}
	step() // 10:00:02: still running: skipped, once
	waitFor(t, "the skipped tick", func() bool { return len(scheds[0].Runs("tick")) == 1 })
	for _, s := range scheds {
		_, err := s.RunNow(context.Background(), "tick")
		if !errors.Is(err, ErrRunning) {
			t.Fatalf("a run by hand while running: %v", err)
		}
		if l := s.List(); len(l) != 1 || !l[0].Running {
			t.Fatalf("list while running: %+v", l)
		}
	}
	fns.release <- struct{}{}
	waitFor(t, "the run to finish", func() bool { return len(scheds[1].Runs("tick")) == 2 })
	step() // 10:00:03: runs once again
	<-fns.started
	fns.release <- struct{}{}
	waitFor(t, "the third tick's run", func() bool { return len(scheds[0].Runs("tick")) == 3 })
	time.Sleep(300 * time.Millisecond)
	if fns.most.Load() != 1 {
		t.Fatalf("%d runs at once", fns.most.Load())
	}
	var seen [2]string
	for i, s := range scheds {
		var b strings.Builder
		for _, r := range s.Runs("tick") {
			b.WriteString(r.Scheduled.Format("15:04:05") + " " + r.Outcome + "; ")
		}
		seen[i] = b.String()
	}
	if want := "10:00:01 ok; 10:00:02 skipped; 10:00:03 ok; "; seen[0] != want && seen[0] != "10:00:02 skipped; 10:00:01 ok; 10:00:03 ok; " || seen[0] != seen[1] {
		t.Fatalf("runs: %q and %q", seen[0], seen[1])
	}
}
