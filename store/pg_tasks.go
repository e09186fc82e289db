package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// TaskKeeper is implemented by stores that several processes share: the timed
// tasks' ticks, runs in flight and run history are kept there, so each tick
// runs in one process only and every process shows the same history.
//
// A task's row holds the last tick claimed and a lease: the process running
// the task and until when (on the database's clock, so processes on machines
// with skewed clocks agree). A tick is claimed by the first process whose
// claim finds it newer than the last one; the lease makes a run in flight
// anywhere turn the next tick into a skipped one, and expires on its own when
// its process dies, so a killed process never holds a task for long.
type TaskKeeper interface {
	// ClaimTask claims tick of task (zero: a run by hand, which claims no
	// tick) for owner, with a lease of the given length when the task is not
	// running anywhere.
	ClaimTask(ctx context.Context, task string, tick time.Time, owner string, lease time.Duration) (TaskClaim, error)
	// RenewTask extends owner's lease on task (a long run).
	RenewTask(ctx context.Context, task, owner string, lease time.Duration) error
	// FinishTask ends owner's lease on task and keeps run (JSON), one
	// transaction; keep is how many runs of the task stay.
	FinishTask(ctx context.Context, task, owner string, run []byte, keep int) error
	// KeepTaskRun keeps a run (a skipped tick) without touching the lease.
	KeepTaskRun(ctx context.Context, task string, run []byte, keep int) error
	// TaskRuns are the kept runs of task, oldest first.
	TaskRuns(ctx context.Context, task string) ([][]byte, error)
	// RunningTasks are the tasks whose lease is live.
	RunningTasks(ctx context.Context) ([]string, error)
}

// TaskClaim is ClaimTask's answer.
type TaskClaim int

// ClaimTask's answers.
const (
	// TaskClaimed: this process runs the tick and holds the lease.
	TaskClaimed TaskClaim = iota
	// TaskTickTaken: another process claimed this tick (or a later one).
	TaskTickTaken
	// TaskBusy: this process claimed the tick, but a run of the task is in
	// flight (here or elsewhere): the tick is skipped.
	TaskBusy
)

// pgNowMicros is the database's clock in unix microseconds.
const pgNowMicros = `(extract(epoch from clock_timestamp()) * 1000000)::bigint`

// ClaimTask implements TaskKeeper in one transaction holding the task's row.
func (s *pgStore) ClaimTask(ctx context.Context, task string, tick time.Time, owner string, lease time.Duration) (TaskClaim, error) {
	var claim TaskClaim
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO bmob_task_leases (task) VALUES ($1) ON CONFLICT (task) DO NOTHING`, task); err != nil {
			return err
		}
		var (
			last int64
			busy bool
		)
		if err := tx.QueryRow(ctx, `SELECT last_tick, owner <> '' AND until_us > `+pgNowMicros+`
			FROM bmob_task_leases WHERE task = $1 FOR UPDATE`, task).Scan(&last, &busy); err != nil {
			return err
		}
		if !tick.IsZero() {
			if last >= tick.UnixMicro() {
				claim = TaskTickTaken
				return nil
			}
			last = tick.UnixMicro()
		}
		if busy {
			claim = TaskBusy
			_, err := tx.Exec(ctx, `UPDATE bmob_task_leases SET last_tick = $2 WHERE task = $1`, task, last)
			return err
		}
		claim = TaskClaimed
		_, err := tx.Exec(ctx, `UPDATE bmob_task_leases SET last_tick = $2, owner = $3, until_us = `+pgNowMicros+` + $4 WHERE task = $1`,
			task, last, owner, lease.Microseconds())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("claim task %s: %w", task, err)
	}
	return claim, nil
}

// RenewTask implements TaskKeeper.
func (s *pgStore) RenewTask(ctx context.Context, task, owner string, lease time.Duration) error {
	tag, err := s.pool.Exec(ctx, `UPDATE bmob_task_leases SET until_us = `+pgNowMicros+` + $3 WHERE task = $1 AND owner = $2`,
		task, owner, lease.Microseconds())
	if err != nil {
		return fmt.Errorf("renew the lease on task %s: %w", task, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("renew the lease on task %s: %w", task, errLeaseLost)
	}
	return nil
}

var errLeaseLost = errors.New("the lease is no longer this process's")

// FinishTask implements TaskKeeper.
func (s *pgStore) FinishTask(ctx context.Context, task, owner string, run []byte, keep int) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE bmob_task_leases SET owner = '', until_us = 0 WHERE task = $1 AND owner = $2`, task, owner); err != nil {
			return err
		}
		return keepTaskRun(ctx, tx, task, run, keep)
	})
	if err != nil {
		return fmt.Errorf("finish task %s: %w", task, err)
	}
	return nil
}

// KeepTaskRun implements TaskKeeper.
func (s *pgStore) KeepTaskRun(ctx context.Context, task string, run []byte, keep int) error {
	if err := s.inTx(ctx, func(tx pgx.Tx) error { return keepTaskRun(ctx, tx, task, run, keep) }); err != nil {
		return fmt.Errorf("keep a run of task %s: %w", task, err)
	}
	return nil
}

func keepTaskRun(ctx context.Context, tx pgx.Tx, task string, run []byte, keep int) error {
	if _, err := tx.Exec(ctx, `INSERT INTO bmob_task_runs (task, run) VALUES ($1, $2)`, task, run); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `DELETE FROM bmob_task_runs WHERE task = $1 AND id < (
		SELECT min(id) FROM (SELECT id FROM bmob_task_runs WHERE task = $1 ORDER BY id DESC LIMIT $2) newest)`, task, keep)
	return err
}

// TaskRuns implements TaskKeeper.
func (s *pgStore) TaskRuns(ctx context.Context, task string) ([][]byte, error) {
	rows, err := s.pool.Query(ctx, `SELECT run FROM bmob_task_runs WHERE task = $1 ORDER BY id`, task)
	if err != nil {
		return nil, fmt.Errorf("runs of task %s: %w", task, err)
	}
	runs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("runs of task %s: %w", task, err)
	}
	return runs, nil
}

// RunningTasks implements TaskKeeper.
func (s *pgStore) RunningTasks(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT task FROM bmob_task_leases WHERE owner <> '' AND until_us > `+pgNowMicros)
	if err != nil {
		return nil, fmt.Errorf("running tasks: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("running tasks: %w", err)
	}
	return names, nil
}

var _ TaskKeeper = (*pgStore)(nil)
