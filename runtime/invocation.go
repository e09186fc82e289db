package runtime

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/eventloop"
)

// errDeadline is the value a VM is interrupted with when its invocation's deadline passes.
var errDeadline = errors.New("deadline exceeded")

// invocation is one call's state, touched only on the JS thread except done.
type invocation struct {
	fn       *Function
	req      *Request
	ctx      context.Context
	deadline time.Time
	loop     *eventloop.Loop
	done     chan *Response // receives exactly one Response
	res      *responseState
	seq      int64 // this invocation's number on its VM
	cancel   context.CancelFunc
	answered atomic.Bool
	aborted  atomic.Bool                    // set by Function.Abort
	loopRef  atomic.Pointer[eventloop.Loop] // loop, for Function.Settled on other goroutines

	stopInterrupt func() bool // unregisters the deadline's interrupt; false if it fired

	// The call's own request and modules objects: getters on the shared
	// prototypes serve only these (a kept object from an earlier call is stale).
	reqObj, modsObj *goja.Object
}

func newInvocation(f *Function, req *Request) *invocation {
	return &invocation{fn: f, req: req, done: make(chan *Response, 1)}
}

// finish delivers the first response and reports whether r was it.
func (inv *invocation) finish(r *Response) bool {
	if !inv.answered.CompareAndSwap(false, true) {
		return false
	}
	inv.done <- r // buffered: never blocks
	return true
}

// start runs a call on the caller's goroutine until it is answered or finished.
// Most scripts are done when they answer; those with work left (timers, callbacks
// after the response) are paused and finished by the VM's own goroutine, so the
// common call needs no goroutine switch.
func (v *vu) start(inv *invocation) (paused bool, err error) {
	defer func() {
		// A Go panic below a script (a bug in a module) fails this call, not the server.
		if r := recover(); r != nil {
			paused, err = false, fmt.Errorf("internal error in bmobemu while running %s: %v", inv.fn.name, r)
			v.broken = true
		}
	}()
	inv.loop = eventloop.New(v.vm, v.trampoline)
	inv.loop.UseClock(v.fn.engine.opts.Clock, func() bool { return !inv.answered.Load() })
	inv.loopRef.Store(inv.loop)
	v.seq++
	inv.seq = v.seq
	inv.res = newResponseState(v, inv)
	v.inv = inv
	inv.stopInterrupt = context.AfterFunc(inv.ctx, func() { v.vm.Interrupt(errDeadline) })
	return inv.loop.RunUntil(inv.ctx, func() error {
		req := v.requestObject(inv.req)
		res := inv.res.object()
		mods := v.modulesObject(inv)
		_, err := v.onRequest(goja.Undefined(), req, res, mods)
		return err
	}, inv.answered.Load)
}

// conclude turns how the loop ended into the call's answer (when the script gave
// none) and reports whether the VM may be reused.
func (v *vu) conclude(inv *invocation, err error) (reusable bool) {
	defer func() { v.inv = nil }()
	interrupted := !inv.stopInterrupt()
	f := inv.fn
	timeout := f.engine.opts.Timeout

	switch {
	case err == nil && inv.answered.Load():
		// The usual end: answered, nothing left to do.
	case err == nil:
		if inv.finish(runtimeAnswer(NoResponse, http.StatusInternalServerError,
			fmt.Sprintf("there is an error:function %s finished without calling response.send or response.end", f.name))) {
			v.Log("error", "the function finished without responding; Bmob would answer only at its 30 s timeout")
		}
	case inv.aborted.Load():
		if inv.finish(runtimeAnswer(TimedOut, http.StatusServiceUnavailable,
			fmt.Sprintf("there is an error:function %s was stopped: the emulator is closing", f.name))) {
			v.Log("warn", "stopped before responding: the emulator is closing")
		}
	case interrupted || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		if inv.finish(runtimeAnswer(TimedOut, http.StatusGatewayTimeout,
			fmt.Sprintf("there is an error:function %s timed out: no response within %s", f.name, timeout))) {
			v.Log("error", fmt.Sprintf("timed out after %s without responding%s", timeout, whereStopped(err)))
		} else {
			v.Log("warn", fmt.Sprintf("stopped at the %s deadline with work still pending%s", timeout, whereStopped(err)))
		}
	default:
		var ex *goja.Exception
		if errors.As(err, &ex) {
			if obj, ok := ex.Value().(*goja.Object); ok {
				v.normalizeError(obj)
			}
		}
		msg, stack := describeError(err)
		v.Log("error", "uncaught exception: "+stack)
		if !inv.finish(runtimeAnswer(Threw, http.StatusInternalServerError, "there is an error:"+msg)) {
			v.Log("warn", "the exception came after the response was sent; the caller did not see it")
		}
	}
	if interrupted || v.broken {
		v.vm.ClearInterrupt()
		return false // a VM stopped mid-script may hold half-updated state
	}
	return true
}

func whereStopped(err error) string {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		if s := strings.TrimSpace(cleanStack(ie.String())); s != "" {
			return "; the script was running:\n" + s
		}
	}
	return ""
}

// describeError gives the one-line message for the caller (with the script's
// file:line) and the full stack for the log.
func describeError(err error) (msg, stack string) {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		first := ex.Value().String()
		if obj, ok := ex.Value().(*goja.Object); ok {
			if s := obj.Get("stack"); s != nil && !goja.IsUndefined(s) {
				stack = s.String()
			}
		}
		if stack == "" {
			stack = ex.String()
		}
		stack = cleanStack(stack)
		if frames := ex.Stack(); len(frames) > 0 {
			for _, fr := range frames {
				if fr.SrcName() != "" && !strings.HasPrefix(fr.SrcName(), "eventloop-") {
					p := fr.Position()
					first = fmt.Sprintf("%s (%s:%d:%d)", first, p.Filename, p.Line, p.Column)
					break
				}
			}
		}
		return first, stack
	}
	return err.Error(), err.Error()
}

func runtimeAnswer(kind ResponseKind, status int, text string) *Response {
	h := http.Header{}
	h.Set("Content-Type", "text/html; charset=utf-8")
	return &Response{Status: status, Header: h, Body: []byte(text), Kind: kind}
}
