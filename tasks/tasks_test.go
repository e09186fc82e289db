package tasks

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/project"
)

// blockingFunctions answers each call when the test releases it, and counts
// the calls running at once.
type blockingFunctions struct {
	release chan struct{}
	started chan *fncall.Request
	now     atomic.Int32
	most    atomic.Int32
	fail    bool
}

func newBlocking() *blockingFunctions {
	return &blockingFunctions{release: make(chan struct{}), started: make(chan *fncall.Request, 100)}
}

func (b *blockingFunctions) Invoke(ctx context.Context, name string, req *fncall.Request) (*fncall.Response, error) {
	n := b.now.Add(1)
	defer b.now.Add(-1)
	for {
		m := b.most.Load()
		if n <= m || b.most.CompareAndSwap(m, n) {
			break
		}
	}
	b.started <- req
	select {
	case <-b.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if b.fail {
		return &fncall.Response{Status: 500, Body: []byte("there is an error:<Error: boom> (t.js:3:9)"), Kind: fncall.Threw}, nil
	}
	return &fncall.Response{Status: 200, Body: []byte("done"), Kind: fncall.Sent}, nil
}

func mustProject(t *testing.T, yaml string) *project.Project {
	t.Helper()
	p, err := project.Parse("bmobemu.yaml", []byte(yaml), project.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) log(level, line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+": "+line)
}

func (l *logLines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

var start = time.Date(2026, 1, 1, 10, 0, 0, 0, bjtime.Location)

// TestTickWhileRunningIsSkipped: a run still going at its next tick makes the
// tick a skipped run, logged; the task never runs twice at once.
func TestTickWhileRunningIsSkipped(t *testing.T) {
	fc := clock.NewFake(start)
	fns := newBlocking()
	var logs logLines
	s := New(Options{Clock: fc, Functions: fns, Log: logs.log})
	defer s.Close()
	s.Set(mustProject(t, "tasks:\n  - {name: tick, rule: '* * * * * *', function: f}\n"))

	fc.Advance(time.Second) // 10:00:01: the first run starts and blocks
	req := <-fns.started
	if got := req.Header.Get("X-Bmobemu-Task"); got != "tick" {
		t.Errorf("X-Bmobemu-Task = %q", got)
	}
	if got := req.Header.Get("X-Bmobemu-Scheduled-At"); got != "2026-01-01 10:00:01" {
		t.Errorf("X-Bmobemu-Scheduled-At = %q", got)
	}
	if req.Method != http.MethodPost || len(req.Body.Form) != 1 || req.Body.Form[0] != (fncall.Pair{Key: "_e", Value: "f"}) {
		t.Errorf("request = %s %+v, want POST with _e=f", req.Method, req.Body.Form)
	}
	fc.Advance(time.Second) // 10:00:02: still running
	waitFor(t, "the skipped tick", func() bool { return len(s.Runs("tick")) == 1 })
	if r := s.Runs("tick")[0]; r.Outcome != Skipped || !r.Scheduled.Equal(start.Add(2*time.Second)) {
		t.Fatalf("run = %+v, want the 10:00:02 tick skipped", r)
	}
	if !strings.Contains(logs.text(), "task tick: tick 2026-01-01 10:00:02 skipped, its previous run is still going") {
		t.Errorf("log:\n%s", logs.text())
	}
	if _, err := s.RunNow(context.Background(), "tick"); err == nil || !strings.Contains(err.Error(), "task is running") {
		t.Errorf("RunNow while running = %v, want ErrRunning", err)
	}
	fns.release <- struct{}{}
	waitFor(t, "the first run to finish", func() bool { return len(s.Runs("tick")) == 2 })
	fc.Advance(time.Second) // 10:00:03: runs again
	<-fns.started
	fns.release <- struct{}{}
	waitFor(t, "the third tick's run", func() bool { return len(s.Runs("tick")) == 3 })
	runs := s.Runs("tick")
	if runs[1].Outcome != OK || runs[2].Outcome != OK || !runs[2].Scheduled.Equal(start.Add(3*time.Second)) {
		t.Fatalf("runs = %+v", runs)
	}
	if m := fns.most.Load(); m != 1 {
		t.Fatalf("%d runs at once", m)
	}
}

// TestMissedTicksAreNotReplayed: the clock jumping an hour (a server that was
// down, a machine asleep) gives one run, then the rule's next tick after now.
func TestMissedTicksAreNotReplayed(t *testing.T) {
	fc := clock.NewFake(start)
	fns := newBlocking()
	close(fns.release)
	s := New(Options{Clock: fc, Functions: fns})
	defer s.Close()
	s.Set(mustProject(t, "tasks:\n  - {name: tick, rule: '0 * * * * *', function: f}\n"))
	fc.Advance(time.Hour)
	waitFor(t, "one run", func() bool { return len(s.Runs("tick")) == 1 })
	time.Sleep(20 * time.Millisecond) // room for wrongly replayed ticks to show
	if n := len(s.Runs("tick")); n != 1 {
		t.Fatalf("%d runs after the jump, want 1 (missed ticks are not replayed)", n)
	}
	if next := s.List()[0].Next; !next.Equal(start.Add(time.Hour + time.Minute)) {
		t.Fatalf("next = %v, want the first tick after now", next)
	}
}

// TestRunDueRunsEveryTickInOrder: the manual mode of tests steps from tick to
// tick, sets the clock to each and runs each due task to completion.
func TestRunDueRunsEveryTickInOrder(t *testing.T) {
	fc := clock.NewFake(start)
	var order []string
	fns := invokerFunc(func(ctx context.Context, name string, req *fncall.Request) (*fncall.Response, error) {
		order = append(order, fmt.Sprintf("%s@%s", name, bjtime.Format(fc.Now())))
		return &fncall.Response{Status: 200, Kind: fncall.Sent}, nil
	})
	s := New(Options{Clock: fc, Functions: fns, Manual: true, Keep: 100})
	s.Set(mustProject(t, `tasks:
  - {name: quarter, rule: "0 */15 * * * *", function: q}
  - {name: half, rule: "0 0,30 * * * *", function: h}
  - {name: off, rule: "0 * * * * *", function: o, enabled: false}
`))
	runs, err := s.RunDue(context.Background(), start.Add(time.Hour), fc.Set)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"q@2026-01-01 10:15:00", "q@2026-01-01 10:30:00", "h@2026-01-01 10:30:00", "q@2026-01-01 10:45:00",
		"q@2026-01-01 11:00:00", "h@2026-01-01 11:00:00"}
	if strings.Join(order, " ") != strings.Join(want, " ") || len(runs) != len(want) {
		t.Fatalf("order = %v, want %v", order, want)
	}
	if !fc.Now().Equal(start.Add(time.Hour)) {
		t.Fatalf("clock at %v", fc.Now())
	}
}

// TestFailedRunIsLoggedAndKept: a function that throws is a failed run with
// its error, logged with the duration.
func TestFailedRunIsLoggedAndKept(t *testing.T) {
	fns := newBlocking()
	fns.fail = true
	close(fns.release)
	var logs logLines
	s := New(Options{Clock: clock.NewFake(start), Functions: fns, Log: logs.log, Manual: true})
	s.Set(mustProject(t, "tasks:\n  - {name: boom, rule: '0 0 * * * *', function: f}\n"))
	r, err := s.RunNow(context.Background(), "boom")
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != Failed || !strings.Contains(r.Error, "boom") || !strings.Contains(r.Error, "t.js:3:9") {
		t.Fatalf("run = %+v", r)
	}
	if !strings.Contains(logs.text(), "error: task boom (f, run by hand): failed in") {
		t.Fatalf("log:\n%s", logs.text())
	}
	if last := s.List()[0].Last; last == nil || last.Outcome != Failed {
		t.Fatalf("List's last run = %+v", last)
	}
	if _, err := s.RunNow(context.Background(), "nope"); err == nil || !strings.Contains(err.Error(), `no such task "nope" (tasks: boom)`) {
		t.Fatalf("unknown task: %v", err)
	}
}

type invokerFunc func(ctx context.Context, name string, req *fncall.Request) (*fncall.Response, error)

func (f invokerFunc) Invoke(ctx context.Context, name string, req *fncall.Request) (*fncall.Response, error) {
	return f(ctx, name, req)
}

// TestReloadDuringARun: a project reload while a task runs keeps it counted as
// running (its next tick is skipped), and once it ends the task runs again.
func TestReloadDuringARun(t *testing.T) {
	fc := clock.NewFake(start)
	fns := newBlocking()
	s := New(Options{Clock: fc, Functions: fns})
	defer s.Close()
	yaml := "tasks:\n  - {name: tick, rule: '* * * * * *', function: f}\n"
	s.Set(mustProject(t, yaml))
	fc.Advance(time.Second)
	<-fns.started
	s.Set(mustProject(t, yaml)) // the file was saved again
	if !s.List()[0].Running {
		t.Fatal("the run in flight is no longer counted after the reload")
	}
	fc.Advance(time.Second)
	waitFor(t, "the skipped tick", func() bool { return len(s.Runs("tick")) == 1 })
	fns.release <- struct{}{}
	waitFor(t, "the run to end", func() bool { return len(s.Runs("tick")) == 2 })
	fc.Advance(time.Second)
	select {
	case <-fns.started:
	case <-time.After(10 * time.Second):
		t.Fatalf("the task never ran again after the reload: %+v", s.Runs("tick"))
	}
	fns.release <- struct{}{}
	waitFor(t, "the next run", func() bool { return len(s.Runs("tick")) == 3 })
	if r := s.Runs("tick"); r[0].Outcome != Skipped || r[1].Outcome != OK || r[2].Outcome != OK {
		t.Fatalf("runs: %+v", r)
	}
}

// TestRunDueStopsAtTheCap: a step that would run more than MaxRunsPerStep
// tasks (a day of a task due every second) stops with an error instead of
// running for minutes.
func TestRunDueStopsAtTheCap(t *testing.T) {
	fc := clock.NewFake(start)
	var n int
	fns := invokerFunc(func(ctx context.Context, name string, req *fncall.Request) (*fncall.Response, error) {
		n++
		return &fncall.Response{Status: 200, Kind: fncall.Sent}, nil
	})
	s := New(Options{Clock: fc, Functions: fns, Manual: true})
	s.Set(mustProject(t, "tasks:\n  - {name: tick, rule: '* * * * * *', function: f}\n"))
	runs, err := s.RunDue(context.Background(), start.Add(24*time.Hour), fc.Set)
	if err == nil || !strings.Contains(err.Error(), "would run more than 10000 timed tasks (stopped before the tick at 2026-01-01 12:46:41)") {
		t.Fatalf("err = %v", err)
	}
	if n != MaxRunsPerStep || len(runs) != MaxRunsPerStep || !fc.Now().Equal(start.Add(MaxRunsPerStep*time.Second)) {
		t.Fatalf("%d calls, %d runs, clock at %v", n, len(runs), fc.Now())
	}
}
