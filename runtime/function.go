package runtime

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/bmobemu/bmobemu/fncall"
)

// ErrBusy is returned when no VM of a function became free before the caller's deadline.
var ErrBusy = errors.New("all VMs of the function are busy")

// Function is one compiled version of a cloud function with its pool of VMs.
// Versions are immutable: a reload makes a new Function, and the old one finishes
// the calls it has.
type Function struct {
	engine   *Engine
	name     string
	filename string
	program  *goja.Program

	slots chan struct{} // one token per VM allowed to exist at once
	idle  chan *vu      // VMs ready for the next invocation

	poolMu sync.Mutex // orders release against Close
	closed bool       // set by Close: released VMs are stopped, not kept

	inflight sync.Map // *invocation -> struct{}: calls started and not concluded

	notesMu sync.Mutex
	notes   map[string]bool // fidelity notes already logged, by call site

	diskOnce sync.Once
	disk     *require.Registry // files and npm packages required from disk (diskrequire.go)

	// The web console shows which version serves and since when.
	version  string    // the first 12 hex digits of the source's SHA-256
	loadedAt time.Time // when Compile made this version (wall clock)
}

func newFunction(e *Engine, name, filename string, prg *goja.Program) *Function {
	return &Function{
		engine:   e,
		name:     name,
		filename: filename,
		program:  prg,
		slots:    make(chan struct{}, e.opts.PoolSize),
		idle:     make(chan *vu, e.opts.PoolSize),
		notes:    map[string]bool{},
	}
}

// Name is the function's name (its file name without .js).
func (f *Function) Name() string { return f.name }

// File is the path the function was compiled from.
func (f *Function) File() string { return f.filename }

// Version names the compiled source: the first 12 hex digits of its SHA-256.
func (f *Function) Version() string { return f.version }

// LoadedAt is when this version was compiled (wall clock).
func (f *Function) LoadedAt() time.Time { return f.loadedAt }

// Warm prepares one VM so that the first call does not pay for VM setup and the
// script's top level. Errors of the top level are returned.
func (f *Function) Warm() error {
	select {
	case f.slots <- struct{}{}:
	default:
		return nil
	}
	v, err := f.newVU()
	if err != nil {
		<-f.slots
		return err
	}
	f.release(v, true)
	return nil
}

// Invoke runs one call. The returned Response is the first one the script sent, or
// Bmob-style error answers for a throw (500), a timeout or a function that ended
// without responding. err is set only when the call could not start (ctx done
// while waiting for a VM). The script may keep running after Invoke returns (timers,
// callbacks after the response) until it is idle or its deadline passes.
func (f *Function) Invoke(ctx context.Context, req *fncall.Request) (*fncall.Response, error) {
	inv := newInvocation(f, req)
	var cancel context.CancelFunc
	invCtx := baseContext(ctx)
	depth, nested := callDepth(ctx)
	if nested {
		// A call made by a running script (oFunctions.run) is part of that call:
		// it ends with its caller's deadline and cancellation, so a chain that
		// calls itself cannot outlive the request that started it.
		if depth >= f.engine.opts.RunDepth {
			return nil, &RunDepthError{Function: f.name, Limit: f.engine.opts.RunDepth}
		}
		invCtx = ctx
	}
	invCtx = context.WithValue(invCtx, callDepthKey{}, depth+1)
	if t := f.engine.opts.Timeout; t > 0 {
		invCtx, cancel = context.WithDeadline(invCtx, time.Now().Add(t))
	} else {
		invCtx, cancel = context.WithCancel(invCtx)
	}
	if decorate := f.engine.opts.Context; decorate != nil {
		invCtx = decorate(invCtx, f.name)
	}
	inv.ctx = invCtx

	v, err := f.acquire(ctx, invCtx)
	if err == nil && invCtx.Err() != nil {
		// The deadline ran out while this caller waited (or while its VM was
		// being made): it is busy, not timed out, and costs nothing: the VM,
		// which never ran this call, goes back to the pool.
		f.release(v, true)
		err = fmt.Errorf("%s: %w (the deadline passed while this call waited for one of its %d VMs or one was being made for it)", f.name, ErrBusy, cap(f.slots))
	}
	if err != nil {
		cancel()
		var loadErr *LoadError
		if errors.As(err, &loadErr) {
			f.engine.opts.Log.FunctionLog(f.name, "error", err.Error())
			return runtimeAnswer(fncall.Unavailable, http.StatusInternalServerError, "there is an error:"+loadErr.Err.Error()), nil
		}
		return nil, err
	}
	inv.cancel = cancel
	f.inflight.Store(inv, struct{}{})
	if paused, err := v.start(inv); paused {
		v.work <- inv // answered with work left: the VM's goroutine finishes it
	} else {
		reusable := v.conclude(inv, err)
		cancel()
		f.inflight.Delete(inv)
		f.release(v, reusable)
	}

	select {
	case resp := <-inv.done:
		return resp, nil
	case <-ctx.Done():
		// The caller gave up (server shutting down); the script runs on to its deadline.
		return nil, fmt.Errorf("invoke %s: %w", f.name, ctx.Err())
	}
}

// callDepthKey carries, in every invocation's context, how many functions deep
// its oFunctions.run chain is (1 for a call from outside).
type callDepthKey struct{}

// callDepth is the depth of the invocation whose context ctx is, if any.
func callDepth(ctx context.Context) (depth int, nested bool) {
	depth, nested = ctx.Value(callDepthKey{}).(int)
	return depth, nested
}

// RunDepthError is a call refused because the chain of oFunctions.run calls that
// leads to it is already as deep as Options.RunDepth allows.
type RunDepthError struct {
	Function string
	Limit    int
}

func (e *RunDepthError) Error() string {
	return fmt.Sprintf("oFunctions.run %s refused: the chain of calls is already %d functions deep, the limit set by --run-depth",
		e.Function, e.Limit)
}

func (f *Function) acquire(callerCtx, invCtx context.Context) (*vu, error) {
	select {
	case v := <-f.idle:
		return v, nil
	default:
	}
	select {
	case v := <-f.idle:
		return v, nil
	case f.slots <- struct{}{}:
		v, err := f.newVU()
		if err != nil {
			<-f.slots
			return nil, err
		}
		return v, nil
	case <-invCtx.Done():
		return nil, fmt.Errorf("%s: %w (all %d of its VMs in use until the deadline)", f.name, ErrBusy, cap(f.slots))
	case <-callerCtx.Done():
		return nil, fmt.Errorf("%s: %w", f.name, callerCtx.Err())
	}
}

func (f *Function) release(v *vu, reusable bool) {
	f.poolMu.Lock()
	defer f.poolMu.Unlock()
	if reusable && !f.closed {
		select {
		case f.idle <- v:
			return
		default:
		}
	}
	v.stop()
	<-f.slots
}

// Close stops the idle VMs of a version that no longer serves new calls (after a
// reload); calls in flight finish and then stop their VMs too.
func (f *Function) Close() {
	f.poolMu.Lock()
	defer f.poolMu.Unlock()
	f.closed = true
	for {
		select {
		case v := <-f.idle:
			v.stop()
			<-f.slots
		default:
			return
		}
	}
}

// Abort closes the version and stops every call of it still running (a script's
// timers and callbacks left after its answer, or a call not answered yet, which
// gets a 503). Handler tests abort between tests so no work leaks into the next.
func (f *Function) Abort() {
	f.Close()
	f.inflight.Range(func(k, _ any) bool {
		inv := k.(*invocation)
		inv.aborted.Store(true)
		inv.cancel()
		return true
	})
}

// Settled reports whether every running call of this version waits only for its
// clock (see eventloop.Loop.Settled).
func (f *Function) Settled() bool {
	settled := true
	f.inflight.Range(func(k, _ any) bool {
		inv := k.(*invocation)
		if loop := inv.loopRef.Load(); loop == nil || !loop.Settled() {
			settled = false
		}
		return settled
	})
	return settled
}
