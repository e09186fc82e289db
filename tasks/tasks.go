// Package tasks runs the timed tasks of the project file on the emulator's
// clock, on Beijing time: each task calls its function when its rule falls due.
//
//   - A run still going when its task's next tick comes makes that tick a
//     skipped run (logged and kept): a task never runs twice at once.
//   - Ticks missed while the server was down, or while the process could not
//     keep up, are not replayed: the next run is the rule's next time after now.
//   - Every run is logged with its duration and outcome; the last runs of each
//     task are kept (List, Runs).
//   - The function is called as Bmob's runtime calls functions internally: a
//     POST to "/" with the form body _e=<function>, plus the headers
//     X-Bmobemu-Task (the task's name) and X-Bmobemu-Scheduled-At (the tick,
//     Beijing time; empty for a run started by hand).
//
// On a real clock the scheduler arms one timer per task. In manual mode (tests
// on a frozen clock) nothing fires by itself: RunDue steps the clock from tick
// to tick and runs each due task to completion, in order.
package tasks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/project"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/store"
)

// Invoker runs a function (functions.Set).
type Invoker interface {
	Invoke(ctx context.Context, name string, req *runtime.Request) (*runtime.Response, error)
}

// Outcomes of a run.
const (
	OK      = "ok"
	Failed  = "failed"
	Skipped = "skipped"
)

// Run is one run of a task (or one skipped tick).
type Run struct {
	Task      string    `json:"task"`
	Function  string    `json:"function"`
	Scheduled time.Time `json:"scheduled,omitzero"` // the tick; zero for a run by hand
	Started   time.Time `json:"started"`            // on the emulator's clock
	Duration  Millis    `json:"durationMs"`         // real time the call took
	Outcome   string    `json:"outcome"`            // ok, failed or skipped
	Status    int       `json:"status,omitempty"`   // the function's HTTP status
	Error     string    `json:"error,omitempty"`    // why it failed or was skipped
	ByHand    bool      `json:"byHand,omitempty"`
}

// Millis is a duration written as milliseconds in JSON.
type Millis time.Duration

// MarshalJSON writes whole milliseconds with up to three decimals.
func (m Millis) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("%.3f", float64(time.Duration(m))/float64(time.Millisecond))), nil
}

// UnmarshalJSON reads milliseconds.
func (m *Millis) UnmarshalJSON(b []byte) error {
	var f float64
	if _, err := fmt.Sscanf(string(b), "%g", &f); err != nil {
		return fmt.Errorf("duration in ms: %w", err)
	}
	*m = Millis(f * float64(time.Millisecond))
	return nil
}

// Status is one task as List shows it.
type Status struct {
	Name     string    `json:"name"`
	Rule     string    `json:"rule"`
	Function string    `json:"function"`
	Enabled  bool      `json:"enabled"`
	Next     time.Time `json:"next,omitzero"` // zero when disabled
	Running  bool      `json:"running"`
	Last     *Run      `json:"last,omitempty"`
}

// Options configure a Scheduler.
type Options struct {
	Clock     clock.Clock // nil: real time
	Functions Invoker
	// Log receives one line per run and per skipped tick (nil: discarded).
	Log func(level, line string)
	// Keep is how many runs are kept per task (0: 20).
	Keep int
	// Manual arms no timers: only RunDue and RunNow run tasks.
	Manual bool
	// Shared coordinates the tasks with the other processes on the same
	// database (nil: this process alone). With it, each tick runs in one
	// process, a run in flight anywhere makes a tick skipped (and RunNow
	// ErrRunning) everywhere, and List and Runs show the database's history.
	// RunDue (manual mode, tests on a frozen clock) stays local.
	Shared Shared
}

// ErrUnknownTask is RunNow's error for a name no task has.
var ErrUnknownTask = errors.New("no such task")

// ErrRunning is RunNow's error while the task's previous run is going.
var ErrRunning = errors.New("task is running")

// Scheduler runs the tasks of the current project.
type Scheduler struct {
	opts Options
	wg   sync.WaitGroup

	mu      sync.Mutex
	order   []string
	tasks   map[string]*state
	runs    map[string][]Run // kept across reloads, by task name
	running map[string]bool  // by task name, so a run in flight across a reload still counts
	closed  bool
}

type state struct {
	task project.Task
	next time.Time
	stop func() bool
}

// New returns a scheduler with no tasks; Set gives it the project's.
func New(opts Options) *Scheduler {
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Log == nil {
		opts.Log = func(string, string) {}
	}
	if opts.Keep <= 0 {
		opts.Keep = 20
	}
	return &Scheduler{opts: opts, tasks: map[string]*state{}, runs: map[string][]Run{}, running: map[string]bool{}}
}

// Set replaces the tasks with p's (a reloaded project file): timers of the old
// ones stop, a run in flight finishes, kept runs stay with their task's name.
func (s *Scheduler) Set(p *project.Project) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	old := s.tasks
	s.tasks, s.order = map[string]*state{}, nil
	for _, st := range old {
		if st.stop != nil {
			st.stop()
		}
	}
	if p == nil {
		return
	}
	now := s.opts.Clock.Now()
	for _, t := range p.Tasks {
		st := &state{task: t}
		s.tasks[t.Name] = st
		s.order = append(s.order, t.Name)
		if t.Enabled {
			s.armLocked(st, t.Rule.Next(now))
		}
	}
}

// armLocked sets the task's next tick and, on a real schedule, its timer.
func (s *Scheduler) armLocked(st *state, next time.Time) {
	st.next = next
	if s.opts.Manual || next.IsZero() {
		return
	}
	wait := next.Sub(s.opts.Clock.Now())
	st.stop = s.opts.Clock.AfterFunc(wait, func() { s.tick(st, next) })
}

// tick is a timer firing for the tick at `at`.
func (s *Scheduler) tick(st *state, at time.Time) {
	s.mu.Lock()
	if s.closed || s.tasks[st.task.Name] != st {
		s.mu.Unlock()
		return // stopped or replaced meanwhile
	}
	start := !s.running[st.task.Name]
	switch {
	case start:
		s.running[st.task.Name] = true
		s.wg.Add(1)
	case s.opts.Shared != nil:
		// Running here: the tick is still claimed, so that it is kept as
		// skipped once, by whichever process claims it.
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.claim(st, at, false)
		}()
	default:
		s.skippedLocked(st, at)
	}
	// The next tick counts from this one, so timers' lateness never adds up;
	// ticks already past are dropped, not replayed.
	next := st.task.Rule.Next(at)
	if now := s.opts.Clock.Now(); !next.After(now) {
		next = st.task.Rule.Next(now)
	}
	s.armLocked(st, next)
	s.mu.Unlock()
	if start {
		go func() {
			defer s.wg.Done()
			if s.opts.Shared != nil && !s.claim(st, at, true) {
				return
			}
			s.run(context.Background(), st, at, false)
		}()
	}
}

// sharedTimeout bounds one exchange with the database of Options.Shared.
const sharedTimeout = 10 * time.Second

// claim asks the other processes for the tick at `at`; it reports whether
// this process runs it. A tick another process took is dropped without a
// word; a tick that finds the task running (anywhere) is kept as skipped by
// the one process that claimed it. starting is true when the caller set
// running for this run (false: a run of the task is going here).
func (s *Scheduler) claim(st *state, at time.Time, starting bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	c, err := s.opts.Shared.Claim(ctx, st.task.Name, at)
	if err == nil && c == store.TaskClaimed {
		if starting {
			return true
		}
		// The lease had lapsed (a renewal failed) though a run goes on here:
		// the new lease now covers that run, and this tick is skipped.
		c = store.TaskBusy
	}
	if starting {
		s.mu.Lock()
		s.running[st.task.Name] = false
		s.mu.Unlock()
	}
	switch {
	case err != nil:
		s.opts.Log("error", fmt.Sprintf("task %s: tick %s not run: %v", st.task.Name, bjtime.Format(at), err))
	case c == store.TaskBusy:
		r := s.skipped(st, at)
		if err := s.opts.Shared.Keep(ctx, r); err != nil {
			s.opts.Log("error", fmt.Sprintf("task %s: %v", st.task.Name, err))
		}
	}
	return false
}

func (s *Scheduler) skippedLocked(st *state, at time.Time) {
	s.keepLocked(s.skipped(st, at))
}

// skipped logs a skipped tick and returns its run.
func (s *Scheduler) skipped(st *state, at time.Time) Run {
	s.opts.Log("warn", fmt.Sprintf("task %s: tick %s skipped, its previous run is still going", st.task.Name, bjtime.Format(at)))
	return Run{Task: st.task.Name, Function: st.task.Function, Scheduled: at, Started: s.opts.Clock.Now(), Outcome: Skipped,
		Error: "the previous run is still going"}
}

func (s *Scheduler) keepLocked(r Run) {
	runs := append(s.runs[r.Task], r)
	if len(runs) > s.opts.Keep {
		runs = runs[len(runs)-s.opts.Keep:]
	}
	s.runs[r.Task] = runs
}

// run calls the task's function once (running is already set) and records
// the run.
func (s *Scheduler) run(ctx context.Context, st *state, scheduled time.Time, byHand bool) Run {
	t := st.task
	r := Run{Task: t.Name, Function: t.Function, Scheduled: scheduled, Started: s.opts.Clock.Now(), ByHand: byHand}
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/x-www-form-urlencoded")
	hdr.Set("X-Bmobemu-Task", t.Name)
	if !scheduled.IsZero() {
		hdr.Set("X-Bmobemu-Scheduled-At", bjtime.Format(scheduled))
	}
	req := &runtime.Request{
		Method: http.MethodPost, URL: "/", Path: "/", Header: hdr, IP: "127.0.0.1", Hostname: "127.0.0.1", Protocol: "http",
		Params: map[string]string{}, Body: runtime.Body{Kind: runtime.BodyForm, Form: []runtime.Pair{{Key: "_e", Value: t.Function}}},
	}
	began := time.Now()
	resp, err := s.opts.Functions.Invoke(ctx, t.Function, req)
	r.Duration = Millis(time.Since(began))
	switch {
	case err != nil:
		r.Outcome, r.Error = Failed, err.Error()
	case resp.Kind != runtime.Sent:
		r.Outcome, r.Status, r.Error = Failed, resp.Status, strings.TrimPrefix(string(resp.Body), "there is an error:")
	case resp.Status >= 500:
		r.Outcome, r.Status, r.Error = Failed, resp.Status, fmt.Sprintf("answered %d: %.200s", resp.Status, resp.Body)
	default:
		r.Outcome, r.Status = OK, resp.Status
	}
	if s.opts.Shared != nil {
		// Finished on a context of its own: a run cut short by its caller
		// must still free the task for the other processes.
		fctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		if err := s.opts.Shared.Finish(fctx, r); err != nil {
			s.opts.Log("error", fmt.Sprintf("task %s: %v", t.Name, err))
		}
		cancel()
	}
	s.mu.Lock()
	s.running[t.Name] = false
	s.keepLocked(r)
	s.mu.Unlock()
	how := "tick " + bjtime.Format(scheduled)
	if byHand {
		how = "run by hand"
	}
	if r.Outcome == OK {
		s.opts.Log("info", fmt.Sprintf("task %s (%s, %s): ok %d in %v", t.Name, t.Function, how, r.Status, time.Duration(r.Duration).Round(time.Microsecond)))
	} else {
		s.opts.Log("error", fmt.Sprintf("task %s (%s, %s): failed in %v: %s", t.Name, t.Function, how, time.Duration(r.Duration).Round(time.Microsecond), r.Error))
	}
	return r
}

// RunNow runs a task at once (enabled or not) and waits for it. A task whose
// previous run is going is not started (ErrRunning).
func (s *Scheduler) RunNow(ctx context.Context, name string) (Run, error) {
	s.mu.Lock()
	st, ok := s.tasks[name]
	switch {
	case s.closed:
		s.mu.Unlock()
		return Run{}, errors.New("tasks: the scheduler is closed")
	case !ok:
		s.mu.Unlock()
		return Run{}, fmt.Errorf("%w %q (tasks: %s)", ErrUnknownTask, name, strings.Join(s.order, ", "))
	case s.running[name]:
		s.mu.Unlock()
		return Run{}, fmt.Errorf("%w: %s", ErrRunning, name)
	}
	s.running[name] = true
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	if s.opts.Shared != nil {
		c, err := s.opts.Shared.Claim(ctx, name, time.Time{})
		if err != nil || c != store.TaskClaimed {
			s.mu.Lock()
			s.running[name] = false
			s.mu.Unlock()
			if err != nil {
				return Run{}, fmt.Errorf("tasks: %w", err)
			}
			return Run{}, fmt.Errorf("%w: %s (in another process)", ErrRunning, name)
		}
	}
	return s.run(ctx, st, time.Time{}, true), nil
}

// MaxRunsPerStep bounds the runs one RunDue may make: a day of a task due
// every second would be 86,400 calls, which a test almost never means.
const MaxRunsPerStep = 10000

// RunDue steps a manual scheduler's clock to until: at each tick on the way it
// sets the clock to the tick (with set), then runs every task due then, in
// declaration order, each to completion. It returns the runs. A step that would
// run more than MaxRunsPerStep tasks stops at the tick where it would, with an
// error.
func (s *Scheduler) RunDue(ctx context.Context, until time.Time, set func(time.Time)) ([]Run, error) {
	var runs []Run
	for {
		if err := ctx.Err(); err != nil {
			return runs, fmt.Errorf("tasks: stepping the clock: %w", err)
		}
		s.mu.Lock()
		var at time.Time
		for _, name := range s.order {
			st := s.tasks[name]
			if st.task.Enabled && !st.next.IsZero() && !st.next.After(until) && (at.IsZero() || st.next.Before(at)) {
				at = st.next
			}
		}
		var due []*state
		if !at.IsZero() {
			for _, name := range s.order {
				if st := s.tasks[name]; st.task.Enabled && st.next.Equal(at) {
					due = append(due, st)
					st.next = st.task.Rule.Next(at)
				}
			}
		}
		s.mu.Unlock()
		if at.IsZero() {
			set(until)
			return runs, nil
		}
		if len(runs)+len(due) > MaxRunsPerStep {
			return runs, fmt.Errorf("tasks: this clock step would run more than %d timed tasks (stopped before the tick at %s); step the clock in smaller steps, or run a task with tasks.run",
				MaxRunsPerStep, bjtime.Format(at))
		}
		set(at)
		for _, st := range due {
			s.mu.Lock()
			busy := s.running[st.task.Name]
			if busy {
				s.skippedLocked(st, at)
			} else {
				s.running[st.task.Name] = true
			}
			s.mu.Unlock()
			if !busy {
				runs = append(runs, s.run(ctx, st, at, false))
			}
		}
	}
}

// List is every task with its next tick and last run, in declaration order.
// With Options.Shared, running and the last run are every process's.
func (s *Scheduler) List() []Status {
	s.mu.Lock()
	out := make([]Status, 0, len(s.order))
	for _, name := range s.order {
		st := s.tasks[name]
		ts := Status{Name: name, Rule: st.task.Rule.Text, Function: st.task.Function, Enabled: st.task.Enabled, Running: s.running[name]}
		if st.task.Enabled {
			ts.Next = st.next
		}
		if runs := s.runs[name]; len(runs) > 0 {
			last := runs[len(runs)-1]
			ts.Last = &last
		}
		out = append(out, ts)
	}
	s.mu.Unlock()
	if s.opts.Shared == nil {
		return out
	}
	ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
	defer cancel()
	running, err := s.opts.Shared.Running(ctx)
	if err != nil {
		s.opts.Log("error", fmt.Sprintf("tasks: listing this process's view only: %v", err))
		return out
	}
	for i := range out {
		out[i].Running = out[i].Running || running[out[i].Name]
		if runs, err := s.opts.Shared.Runs(ctx, out[i].Name); err == nil && len(runs) > 0 {
			out[i].Last = &runs[len(runs)-1]
		}
	}
	return out
}

// Runs are the kept runs of a task, oldest first: with Options.Shared, every
// process's (this process's alone if the database cannot be read).
func (s *Scheduler) Runs(name string) []Run {
	if s.opts.Shared != nil {
		ctx, cancel := context.WithTimeout(context.Background(), sharedTimeout)
		defer cancel()
		runs, err := s.opts.Shared.Runs(ctx, name)
		if err == nil {
			return runs
		}
		s.opts.Log("error", fmt.Sprintf("tasks: runs of %s from this process only: %v", name, err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Run(nil), s.runs[name]...)
}

// Close stops every timer; Wait then waits for runs in flight.
func (s *Scheduler) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, st := range s.tasks {
		if st.stop != nil {
			st.stop()
		}
	}
}

// Wait waits for the runs in flight (after Close, or after the functions were
// aborted).
func (s *Scheduler) Wait() { s.wg.Wait() }

// Names are the task names in declaration order.
func (s *Scheduler) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.order...)
}
