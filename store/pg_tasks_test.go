package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// TestPostgresTaskClaims: two stores on one database (two processes) race
// for each tick of a task: exactly one claims it; a run in flight makes the
// next tick skipped (claimed once, as busy); an expired lease frees the task;
// the kept runs are pruned to the newest.
func TestPostgresTaskClaims(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	a, b := openPG(t, dsn).(TaskKeeper), openPG(t, dsn).(TaskKeeper)
	base := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

	for i := 0; i < 20; i++ {
		tick := base.Add(time.Duration(i) * time.Second)
		var (
			wg     sync.WaitGroup
			claims [2]TaskClaim
			errs   [2]error
		)
		for j, k := range []TaskKeeper{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				claims[j], errs[j] = k.ClaimTask(ctx, "t", tick, fmt.Sprint("owner", j), time.Minute)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatal(errs)
		}
		won := 0
		for j, c := range claims {
			switch c {
			case TaskClaimed:
				won++
				if err := []TaskKeeper{a, b}[j].FinishTask(ctx, "t", fmt.Sprint("owner", j), []byte(fmt.Sprintf(`{"i":%d}`, i)), 5); err != nil {
					t.Fatal(err)
				}
			case TaskTickTaken:
			default:
				t.Fatalf("tick %d: claim %d", i, c)
			}
		}
		if won != 1 {
			t.Fatalf("tick %d claimed %d times: %v", i, won, claims)
		}
	}
	runs, err := b.TaskRuns(ctx, "t")
	if err != nil || len(runs) != 5 || string(runs[0]) != `{"i":15}` || string(runs[4]) != `{"i":19}` {
		t.Fatalf("kept runs: %q %v", runs, err)
	}

	// A run in flight through a: b's next tick is busy, a's claim of the same
	// tick then finds it taken; a run by hand is busy too.
	t1 := base.Add(time.Minute)
	if c, err := a.ClaimTask(ctx, "t", t1, "owner0", time.Minute); err != nil || c != TaskClaimed {
		t.Fatalf("claim: %v %v", c, err)
	}
	if running, err := b.RunningTasks(ctx); err != nil || len(running) != 1 || running[0] != "t" {
		t.Fatalf("running: %v %v", running, err)
	}
	t2 := t1.Add(time.Second)
	if c, err := b.ClaimTask(ctx, "t", t2, "owner1", time.Minute); err != nil || c != TaskBusy {
		t.Fatalf("a tick while running elsewhere: %v %v", c, err)
	}
	if c, err := a.ClaimTask(ctx, "t", t2, "owner0", time.Minute); err != nil || c != TaskTickTaken {
		t.Fatalf("the same tick again: %v %v", c, err)
	}
	if c, err := b.ClaimTask(ctx, "t", time.Time{}, "owner1", time.Minute); err != nil || c != TaskBusy {
		t.Fatalf("a run by hand while running elsewhere: %v %v", c, err)
	}

	// A lease that lapses (its process died) frees the task.
	if c, err := a.ClaimTask(ctx, "u", time.Time{}, "owner0", time.Millisecond); err != nil || c != TaskClaimed {
		t.Fatalf("claim u: %v %v", c, err)
	}
	time.Sleep(20 * time.Millisecond)
	if c, err := b.ClaimTask(ctx, "u", time.Time{}, "owner1", time.Minute); err != nil || c != TaskClaimed {
		t.Fatalf("claim after the lease lapsed: %v %v", c, err)
	}
	if err := a.RenewTask(ctx, "u", "owner0", time.Minute); err == nil {
		t.Fatal("the old owner renewed a lease it lost")
	}
	if err := b.RenewTask(ctx, "u", "owner1", time.Minute); err != nil {
		t.Fatal(err)
	}
}
