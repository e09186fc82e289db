package tasks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/bmobemu/bmobemu/store"
)

// Shared coordinates the timed tasks of several processes on one database
// (Options.Shared): each tick is claimed by one process, a run in flight in
// any process turns a tick into a skipped run, and the runs are kept in the
// database, so every process lists the same history.
type Shared interface {
	// Claim claims the tick of task (zero: a run by hand).
	Claim(ctx context.Context, task string, tick time.Time) (store.TaskClaim, error)
	// Finish ends this process's run of r.Task and keeps r.
	Finish(ctx context.Context, r Run) error
	// Keep keeps a skipped tick.
	Keep(ctx context.Context, r Run) error
	// Runs are the kept runs of task, oldest first.
	Runs(ctx context.Context, task string) ([]Run, error)
	// Running are the tasks running in any process.
	Running(ctx context.Context) (map[string]bool, error)
}

// DefaultLease is how long a claimed run holds its task before the lease must
// be renewed; a run renews it every third of that, so a process killed in a
// run frees its task within DefaultLease.
const DefaultLease = 30 * time.Second

// storeShared is Shared on a store.TaskKeeper (PostgreSQL).
type storeShared struct {
	keeper store.TaskKeeper
	owner  string
	keep   int
	lease  time.Duration

	mu     sync.Mutex
	renews map[string]context.CancelFunc // by task, while this process runs it
}

// StoreShared shares the tasks through a store every process uses. keep is
// how many runs of each task stay (0: 20); lease is DefaultLease when 0.
func StoreShared(keeper store.TaskKeeper, keep int, lease time.Duration) Shared {
	if keep <= 0 {
		keep = 20
	}
	if lease <= 0 {
		lease = DefaultLease
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	host, _ := os.Hostname()
	owner := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	return &storeShared{keeper: keeper, owner: owner, keep: keep, lease: lease, renews: map[string]context.CancelFunc{}}
}

func (s *storeShared) Claim(ctx context.Context, task string, tick time.Time) (store.TaskClaim, error) {
	c, err := s.keeper.ClaimTask(ctx, task, tick, s.owner, s.lease)
	if err != nil || c != store.TaskClaimed {
		return c, err
	}
	// Renew the lease while the run goes on, on a context of its own: the
	// run's may end before Finish is called.
	renewCtx, cancel := context.WithCancel(context.Background())
	s.mu.Lock()
	if old := s.renews[task]; old != nil {
		old()
	}
	s.renews[task] = cancel
	s.mu.Unlock()
	go func() {
		t := time.NewTicker(s.lease / 3)
		defer t.Stop()
		for {
			select {
			case <-renewCtx.Done():
				return
			case <-t.C:
				ctx, stop := context.WithTimeout(renewCtx, s.lease/3)
				_ = s.keeper.RenewTask(ctx, task, s.owner, s.lease) // a failed renewal is retried at the next tick
				stop()
			}
		}
	}()
	return c, nil
}

func (s *storeShared) Finish(ctx context.Context, r Run) error {
	s.mu.Lock()
	if cancel := s.renews[r.Task]; cancel != nil {
		cancel()
		delete(s.renews, r.Task)
	}
	s.mu.Unlock()
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode run of %s: %w", r.Task, err)
	}
	return s.keeper.FinishTask(ctx, r.Task, s.owner, b, s.keep)
}

func (s *storeShared) Keep(ctx context.Context, r Run) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode run of %s: %w", r.Task, err)
	}
	return s.keeper.KeepTaskRun(ctx, r.Task, b, s.keep)
}

func (s *storeShared) Runs(ctx context.Context, task string) ([]Run, error) {
	raw, err := s.keeper.TaskRuns(ctx, task)
	if err != nil {
		return nil, err
	}
	runs := make([]Run, 0, len(raw))
	for _, b := range raw {
		var r Run
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("decode a run of %s: %w", task, err)
		}
		runs = append(runs, r)
	}
	return runs, nil
}

func (s *storeShared) Running(ctx context.Context) (map[string]bool, error) {
	names, err := s.keeper.RunningTasks(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out, nil
}
