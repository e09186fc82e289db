// Package eventloop runs one invocation's JavaScript the way Node does: the script's
// own turn first, then, one at a time and in order, the callbacks that Go work and
// timers queued, each followed by process.nextTick callbacks and then promise jobs.
// A callback never runs before the current turn ends.
//
// The design follows k6's event loop: asynchronous Go work calls RegisterCallback on
// the JS thread, which keeps the loop alive, and later hands back exactly one function
// to run on the JS thread. Timers are the loop's own: a min-heap ordered by due time
// and one clock wake-up for the earliest, so setting and clearing cost O(log n)
// whatever the number of timers.
package eventloop

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/clock"
)

// ErrStopped is returned by Run when Stop ended the loop early.
var ErrStopped = errors.New("event loop stopped")

// Loop is one invocation's event loop. It is not reusable: make a new one per invocation.
type Loop struct {
	vm *goja.Runtime

	mu      sync.Mutex
	queue   []func() error
	pending int // callbacks registered and not yet queued (timers not counted)
	closed  bool
	stopped bool
	inTurn  bool // a macrotask is running
	wakeup  chan struct{}

	ticks  []func() error // process.nextTick queue, only touched on the JS thread
	failed error          // set by Fail during a turn: the turn ends with it

	// Timers. live holds every timer set and not yet cleared or finished (a
	// one-shot timer leaves when it runs); due holds the live ones not yet due,
	// earliest first. Both are guarded by mu (Settled reads them from other
	// goroutines); only the JS thread changes them.
	live   map[int64]*timer // made by the first SetTimer: most calls set none
	due    timerHeap
	nextID int64
	seq    int64 // arming order: ties between equal due times run in it

	// The one clock wake-up, armed for the earliest timer when the loop waits.
	wakeAt   time.Time
	stopWake func() bool

	trampoline goja.Callable

	clock     clock.Clock // timers run on it; real time unless UseClock set another
	stepWhile func() bool // with a clock.Stepper: step to the next timer while this reports true
}

// trampoline is a JavaScript frame around each macrotask: goja runs promise jobs when
// the outermost call returns, and only a JS frame makes the Go code below it nested
// (RunString inside a bare Go call would drain the jobs before the nextTick queue).
var trampolineProgram = goja.MustCompile("eventloop-trampoline.js", "(function (run) { run(); })", false)

type timer struct {
	id       int64
	at       time.Time // when it falls due on the loop's clock
	seq      int64
	interval time.Duration
	repeat   bool
	index    int // position in the heap; -1 when not in it (queued to run, or cleared)
	fn       func() error
}

// timerHeap orders timers by due time, then by arming order, as Node runs them.
type timerHeap []*timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// New makes a loop for vm. trampoline may be nil; callers that make many loops on
// one VM pass the one Trampoline returns, so it is compiled into the VM once.
func New(vm *goja.Runtime, trampoline goja.Callable) *Loop {
	return &Loop{vm: vm, wakeup: make(chan struct{}, 1), trampoline: trampoline, clock: clock.Real()}
}

// UseClock makes the loop's timers run on c instead of real time. When c is a
// clock.Stepper and stepWhile (nil: always) reports true, the loop never waits for
// a timer: once nothing but its timers is pending, it steps c to the earliest one.
// The runtime steps only until the call has answered, so timers a script leaves
// behind after answering wait for the test to move the clock. Call it before Run.
func (l *Loop) UseClock(c clock.Clock, stepWhile func() bool) {
	if c == nil {
		c = clock.Real()
	}
	l.clock = c
	l.stepWhile = stepWhile
}

// Trampoline makes the JavaScript frame Run wraps around each macrotask.
func Trampoline(vm *goja.Runtime) (goja.Callable, error) {
	v, err := vm.RunProgram(trampolineProgram)
	if err != nil {
		return nil, fmt.Errorf("event loop: %w", err)
	}
	fn, _ := goja.AssertFunction(v)
	return fn, nil
}

// RegisterCallback must be called on the JS thread. It keeps the loop running until
// the returned function is called, exactly once, from any goroutine, with the function
// to run on the JS thread. After the loop has ended the queued function is dropped.
func (l *Loop) RegisterCallback() func(func() error) {
	l.mu.Lock()
	l.pending++
	l.mu.Unlock()
	var once sync.Once
	return func(fn func() error) {
		once.Do(func() {
			l.mu.Lock()
			l.pending--
			if !l.closed && fn != nil {
				l.queue = append(l.queue, fn)
			}
			l.mu.Unlock()
			l.signal()
		})
	}
}

// Enqueue queues fn to run on the JS thread as a new macrotask. It is for callers on
// the JS thread (setImmediate and the like); Go goroutines use RegisterCallback.
func (l *Loop) Enqueue(fn func() error) {
	l.mu.Lock()
	if !l.closed {
		l.queue = append(l.queue, fn)
	}
	l.mu.Unlock()
}

// NextTick queues fn to run after the current macrotask, before promise jobs.
// It must be called on the JS thread.
func (l *Loop) NextTick(fn func() error) { l.ticks = append(l.ticks, fn) }

// Fail makes the running turn end with err once its promise jobs are done, as an
// uncaught exception in a microtask ends a Node process. It must be called on
// the JS thread; the first error of a turn wins.
func (l *Loop) Fail(err error) {
	if l.failed == nil {
		l.failed = err
	}
}

// Stop ends the loop from any goroutine; Run returns ErrStopped.
func (l *Loop) Stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
	l.signal()
}

func (l *Loop) signal() {
	select {
	case l.wakeup <- struct{}{}:
	default:
	}
}

// Run runs first, then every queued callback, until nothing is queued or pending,
// ctx is done (it returns ctx.Err()), Stop is called, or a callback returns an error
// (it returns that error). Timers still set when Run returns are cancelled.
func (l *Loop) Run(ctx context.Context, first func() error) error {
	_, err := l.RunUntil(ctx, first, nil)
	return err
}

// RunUntil is Run that may pause: after each turn, if pause reports true while work
// is still pending, it returns paused=true and leaves the loop as it is, to be
// finished by Continue, possibly on another goroutine. The runtime uses it to answer
// an HTTP call on the caller's goroutine as soon as the answer exists, and leave the
// script's later callbacks to the VM's own goroutine.
func (l *Loop) RunUntil(ctx context.Context, first func() error, pause func() bool) (paused bool, err error) {
	if err := l.turn(first); err != nil {
		l.close()
		return false, err
	}
	return l.drain(ctx, pause)
}

// Continue finishes a loop that RunUntil paused.
func (l *Loop) Continue(ctx context.Context) error {
	_, err := l.drain(ctx, nil)
	return err
}

func (l *Loop) drain(ctx context.Context, pause func() bool) (paused bool, err error) {
	for {
		if err := ctx.Err(); err != nil {
			// A script that keeps the queue full must still stop at its deadline.
			l.close()
			return false, err
		}
		l.queueDueTimers()
		l.mu.Lock()
		if l.stopped {
			l.mu.Unlock()
			l.close()
			return false, ErrStopped
		}
		idle := len(l.queue) == 0 && l.pending == 0 && len(l.due) == 0
		// Pausing is checked before every macrotask, not only when the queue is
		// empty: an answer must not wait behind the script's queued work.
		wantPause := pause != nil && pause()
		var next func() error
		if len(l.queue) > 0 && !wantPause {
			next = l.queue[0]
			l.queue[0] = nil
			l.queue = l.queue[1:]
		}
		l.mu.Unlock()
		switch {
		case next != nil:
			if err := l.turn(next); err != nil {
				l.close()
				return false, err
			}
			continue
		case idle:
			l.close()
			return false, nil
		case wantPause:
			return true, nil
		}
		l.stepToNextTimer()
		l.armWake()
		select {
		case <-ctx.Done():
			l.close()
			return false, ctx.Err()
		case <-l.wakeup:
		}
	}
}

// queueDueTimers moves the timers whose time has come from the heap to the end
// of the queue, earliest first; each then runs as its own macrotask.
func (l *Loop) queueDueTimers() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.due) == 0 {
		return
	}
	now := l.clock.Now()
	for len(l.due) > 0 && !l.due[0].at.After(now) {
		t := heap.Pop(&l.due).(*timer)
		l.queue = append(l.queue, func() error { return l.fire(t) })
	}
}

// fire runs a due timer unless it was cleared after falling due; an interval is
// set again first, so the callback may clear it.
func (l *Loop) fire(t *timer) error {
	l.mu.Lock()
	if l.live[t.id] != t {
		l.mu.Unlock()
		return nil
	}
	if t.repeat {
		l.push(t, l.clock.Now().Add(t.interval))
	} else {
		delete(l.live, t.id)
	}
	l.mu.Unlock()
	return t.fn()
}

// armWake makes sure the clock wakes the loop when its earliest timer falls due.
// A wake-up armed for an earlier time (a timer since cleared) is kept: waking
// early costs one look at the heap.
func (l *Loop) armWake() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.due) == 0 {
		return
	}
	at := l.due[0].at
	if l.stopWake != nil && !l.wakeAt.After(at) {
		return
	}
	if l.stopWake != nil {
		l.stopWake()
	}
	l.wakeAt = at
	l.stopWake = l.clock.AfterFunc(at.Sub(l.clock.Now()), func() {
		l.mu.Lock()
		if l.wakeAt.Equal(at) {
			l.stopWake = nil
		}
		l.mu.Unlock()
		l.signal()
	})
}

// runTicks runs the nextTick queue until it is empty, ticks queued meanwhile
// included, or until a tick fails.
func (l *Loop) runTicks() error {
	for len(l.ticks) > 0 {
		tick := l.ticks[0]
		l.ticks = l.ticks[1:]
		if err := tick(); err != nil {
			return err
		}
	}
	return nil
}

// turn runs one macrotask and the nextTick queue inside one outermost goja call, so
// that goja runs the promise jobs after the ticks, as Node does.
func (l *Loop) turn(fn func() error) (err error) {
	l.mu.Lock()
	l.inTurn = true
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.inTurn = false
		l.mu.Unlock()
	}()
	runner := func(goja.FunctionCall) goja.Value {
		if err = fn(); err != nil {
			return goja.Undefined()
		}
		err = l.runTicks()
		return goja.Undefined()
	}
	if l.trampoline == nil {
		t, err := Trampoline(l.vm)
		if err != nil {
			return err
		}
		l.trampoline = t
	}
	l.failed = nil
	if _, jsErr := l.trampoline(goja.Undefined(), l.vm.ToValue(runner)); jsErr != nil && err == nil {
		err = jsErr
	}
	if err == nil {
		err = l.failed
	}
	l.failed = nil
	// Promise jobs may queue ticks; Node runs those (and the promise jobs they
	// queue) before the next macrotask, so drain them in further passes.
	for err == nil && len(l.ticks) > 0 {
		if _, jsErr := l.trampoline(goja.Undefined(), l.vm.ToValue(func(goja.FunctionCall) goja.Value {
			err = l.runTicks()
			return goja.Undefined()
		})); jsErr != nil && err == nil {
			err = jsErr
		}
	}
	if err == nil {
		err = l.failed // a microtask queued by a tick failed
	}
	l.failed = nil
	return err
}

func (l *Loop) close() {
	l.mu.Lock()
	l.closed = true
	l.queue = nil
	l.live = nil
	l.due = nil
	stopWake := l.stopWake
	l.stopWake = nil
	l.mu.Unlock()
	if stopWake != nil {
		stopWake()
	}
	l.ticks = nil
}

// Settled reports whether the loop can make no progress without its clock
// moving: it has ended, or it is waiting with nothing queued or running and
// nothing pending but timers that are not yet due. Tests use it to wait for the
// work a clock step released.
func (l *Loop) Settled() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return true
	}
	if l.inTurn || len(l.queue) > 0 || l.pending > 0 {
		return false
	}
	// A timer due now is on its way; one not in the heap is queued or running.
	return len(l.due) == len(l.live) && (len(l.due) == 0 || l.due[0].at.After(l.clock.Now()))
}

// stepToNextTimer steps a stepping clock to the loop's earliest timer when
// timers are all that is pending; the loop then finds it due.
func (l *Loop) stepToNextTimer() {
	stepper, ok := l.clock.(clock.Stepper)
	if !ok || (l.stepWhile != nil && !l.stepWhile()) {
		return
	}
	l.mu.Lock()
	var next time.Time
	onlyTimers := len(l.queue) == 0 && l.pending == 0 && len(l.due) > 0
	if onlyTimers {
		next = l.due[0].at
	}
	l.mu.Unlock()
	if onlyTimers {
		stepper.StepTo(next)
		l.signal()
	}
}

// SetTimer runs fn on the JS thread after d (again every d if repeat) and returns an
// id for ClearTimer. It must be called on the JS thread.
func (l *Loop) SetTimer(d time.Duration, repeat bool, fn func() error) int64 {
	if d < time.Millisecond {
		d = time.Millisecond // Node clamps 0 to 1 ms
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nextID++
	t := &timer{id: l.nextID, interval: d, repeat: repeat, fn: fn, index: -1}
	if !l.closed {
		if l.live == nil {
			l.live = map[int64]*timer{}
		}
		l.live[t.id] = t
		l.push(t, l.clock.Now().Add(d))
	}
	return t.id
}

// push puts t in the heap, due at at. l.mu must be held.
func (l *Loop) push(t *timer, at time.Time) {
	l.seq++
	t.at, t.seq = at, l.seq
	heap.Push(&l.due, t)
}

// ClearTimer cancels a timer set by SetTimer; unknown ids are ignored, as in Node.
func (l *Loop) ClearTimer(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.live[id]
	if !ok {
		return
	}
	delete(l.live, id)
	if t.index >= 0 {
		heap.Remove(&l.due, t.index)
	}
}
