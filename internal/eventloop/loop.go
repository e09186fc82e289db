// Package eventloop runs one invocation's JavaScript the way Node does: the script's
// own turn first, then, one at a time and in order, the callbacks that Go work and
// timers queued, each followed by process.nextTick callbacks and then promise jobs.
// A callback never runs before the current turn ends.
//
// The design follows k6's event loop: asynchronous Go work calls RegisterCallback on
// the JS thread, which keeps the loop alive, and later hands back exactly one function
// to run on the JS thread.
package eventloop

import (
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
	pending int // callbacks registered and not yet queued
	closed  bool
	stopped bool
	inTurn  bool // a macrotask is running
	wakeup  chan struct{}

	ticks  []func() error // process.nextTick queue, only touched on the JS thread
	timers map[*timer]struct{}
	nextID int64

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
	stop     func() bool // cancels the clock's AfterFunc
	at       time.Time   // when it falls due on the loop's clock
	interval time.Duration
	repeat   bool
	release  func(func() error)
	fn       func() error
}

// New makes a loop for vm. trampoline may be nil; callers that make many loops on
// one VM pass the one Trampoline returns, so it is compiled into the VM once.
func New(vm *goja.Runtime, trampoline goja.Callable) *Loop {
	return &Loop{vm: vm, wakeup: make(chan struct{}, 1), timers: map[*timer]struct{}{}, trampoline: trampoline, clock: clock.Real()}
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
	l.RegisterCallback()(fn)
}

// NextTick queues fn to run after the current macrotask, before promise jobs.
// It must be called on the JS thread.
func (l *Loop) NextTick(fn func() error) { l.ticks = append(l.ticks, fn) }

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
// an HTTP call on the caller's goroutine and leave the script's later callbacks to
// the VM's own goroutine.
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
		l.mu.Lock()
		if l.stopped {
			l.mu.Unlock()
			l.close()
			return false, ErrStopped
		}
		if len(l.queue) > 0 {
			fn := l.queue[0]
			l.queue[0] = nil
			l.queue = l.queue[1:]
			l.mu.Unlock()
			if err := l.turn(fn); err != nil {
				l.close()
				return false, err
			}
			continue
		}
		idle := l.pending == 0
		l.mu.Unlock()
		if idle {
			l.close()
			return false, nil
		}
		if pause != nil && pause() {
			return true, nil
		}
		l.stepToNextTimer()
		select {
		case <-ctx.Done():
			l.close()
			return false, ctx.Err()
		case <-l.wakeup:
		}
	}
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
		for len(l.ticks) > 0 {
			tick := l.ticks[0]
			l.ticks = l.ticks[1:]
			if err = tick(); err != nil {
				return goja.Undefined()
			}
		}
		return goja.Undefined()
	}
	if l.trampoline == nil {
		t, err := Trampoline(l.vm)
		if err != nil {
			return err
		}
		l.trampoline = t
	}
	if _, jsErr := l.trampoline(goja.Undefined(), l.vm.ToValue(runner)); jsErr != nil && err == nil {
		err = jsErr
	}
	// Promise jobs may queue ticks; Node runs those (and the promise jobs they
	// queue) before the next macrotask, so drain them in further passes.
	for err == nil && len(l.ticks) > 0 {
		if _, jsErr := l.trampoline(goja.Undefined(), l.vm.ToValue(func(goja.FunctionCall) goja.Value {
			for len(l.ticks) > 0 {
				tick := l.ticks[0]
				l.ticks = l.ticks[1:]
				if err = tick(); err != nil {
					return goja.Undefined()
				}
			}
			return goja.Undefined()
		})); jsErr != nil && err == nil {
			err = jsErr
		}
	}
	return err
}

func (l *Loop) close() {
	l.mu.Lock()
	l.closed = true
	l.queue = nil
	timers := l.timers
	l.timers = map[*timer]struct{}{}
	l.mu.Unlock()
	for t := range timers {
		t.stop()
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
	if l.inTurn || len(l.queue) > 0 {
		return false
	}
	now := l.clock.Now()
	waiting := 0
	for t := range l.timers {
		if !t.at.After(now) {
			return false // due: its callback is on its way
		}
		waiting++
	}
	return l.pending == waiting
}

// stepToNextTimer steps a stepping clock to the loop's earliest timer when
// timers are all that is pending; the timer's callback then wakes the loop.
func (l *Loop) stepToNextTimer() {
	stepper, ok := l.clock.(clock.Stepper)
	if !ok || (l.stepWhile != nil && !l.stepWhile()) {
		return
	}
	l.mu.Lock()
	var next time.Time
	onlyTimers := len(l.queue) == 0 && l.pending == len(l.timers) && len(l.timers) > 0
	if onlyTimers {
		for t := range l.timers {
			if next.IsZero() || t.at.Before(next) {
				next = t.at
			}
		}
	}
	l.mu.Unlock()
	if onlyTimers {
		stepper.StepTo(next)
	}
}

// SetTimer runs fn on the JS thread after d (again every d if repeat) and returns an
// id for ClearTimer. It must be called on the JS thread.
func (l *Loop) SetTimer(d time.Duration, repeat bool, fn func() error) int64 {
	if d < time.Millisecond {
		d = time.Millisecond // Node clamps 0 to 1 ms
	}
	l.nextID++
	t := &timer{id: l.nextID, interval: d, repeat: repeat, fn: fn}
	l.arm(t)
	return t.id
}

func (l *Loop) arm(t *timer) {
	t.release = l.RegisterCallback()
	l.mu.Lock()
	l.timers[t] = struct{}{}
	l.mu.Unlock()
	t.at = l.clock.Now().Add(t.interval)
	t.stop = l.clock.AfterFunc(t.interval, func() {
		t.release(func() error {
			l.mu.Lock()
			_, live := l.timers[t]
			delete(l.timers, t)
			l.mu.Unlock()
			if !live {
				return nil
			}
			if t.repeat {
				l.arm(t)
			}
			return t.fn()
		})
	})
}

// ClearTimer cancels a timer set by SetTimer; unknown ids are ignored, as in Node.
func (l *Loop) ClearTimer(id int64) {
	l.mu.Lock()
	var found *timer
	for t := range l.timers {
		if t.id == id {
			found = t
			break
		}
	}
	if found != nil {
		delete(l.timers, found)
	}
	l.mu.Unlock()
	if found != nil && found.stop() {
		found.release(nil)
	}
}
