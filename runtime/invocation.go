package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/internal/eventloop"
)

// errDeadline is the value a VM is interrupted with when its invocation's deadline passes.
var errDeadline = errors.New("deadline exceeded")

// invocation is one call's state, touched only on the JS thread except done.
type invocation struct {
	fn       *Function
	req      *fncall.Request
	ctx      context.Context
	loop     *eventloop.Loop
	done     chan *fncall.Response // receives exactly one Response
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

func newInvocation(f *Function, req *fncall.Request) *invocation {
	return &invocation{fn: f, req: req, done: make(chan *fncall.Response, 1)}
}

// finish delivers the first response and reports whether r was it.
func (inv *invocation) finish(r *fncall.Response) bool {
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
	v.interrupting.Store(false) // a reused VM starts with no interrupt of ours pending
	inv.stopInterrupt = context.AfterFunc(inv.ctx, func() { v.interrupt(errDeadline) })
	v.fn.engine.mem.enter(v)
	return inv.loop.RunUntil(inv.ctx, func() error { return v.style.call(v, inv) }, inv.answered.Load)
}

// conclude turns how the loop ended into the call's answer (when the script gave
// none) and reports whether the VM may be reused.
func (v *vu) conclude(inv *invocation, err error) (reusable bool) {
	defer func() { v.inv = nil }()
	interrupted := !inv.stopInterrupt()
	overMemory := v.fn.engine.mem.leave(v)
	f := inv.fn
	timeout := f.engine.opts.Timeout
	// A thrown value is described before any errors.Is: goja's Exception.Unwrap
	// reads the thrown object (a Proxy trap or getter would run unbounded).
	var thrown *goja.Exception
	isThrow := errors.As(err, &thrown)

	switch {
	case err == nil && inv.answered.Load():
		// The usual end: answered, nothing left to do.
	case err == nil:
		answer, logLine := v.style.unanswered(f.name)
		if inv.finish(runtimeAnswer(fncall.NoResponse, http.StatusInternalServerError, answer)) {
			v.Log("error", logLine)
		}
	case overMemory:
		limit := f.engine.mem.text()
		if inv.finish(runtimeAnswer(fncall.TimedOut, http.StatusServiceUnavailable,
			fmt.Sprintf("there is an error:function %s was stopped: scripts used more memory than the limit of %s", f.name, limit))) {
			v.Log("error", "stopped: scripts used more memory than the limit of "+limit+whereStopped(err))
		} else {
			v.Log("warn", "stopped after responding: scripts used more memory than the limit of "+limit+whereStopped(err))
		}
	case inv.aborted.Load():
		if inv.finish(runtimeAnswer(fncall.TimedOut, http.StatusServiceUnavailable,
			fmt.Sprintf("there is an error:function %s was stopped: the emulator is closing", f.name))) {
			v.Log("warn", "stopped before responding: the emulator is closing")
		}
	case interrupted || !isThrow && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)):
		if inv.finish(runtimeAnswer(fncall.TimedOut, http.StatusGatewayTimeout,
			fmt.Sprintf("there is an error:function %s timed out: no response within %s", f.name, timeout))) {
			v.Log("error", fmt.Sprintf("timed out after %s without responding%s", timeout, whereStopped(err)))
		} else {
			v.Log("warn", fmt.Sprintf("stopped at the %s deadline with work still pending%s", timeout, whereStopped(err)))
		}
	default:
		msg, stack, ok := v.describeBounded(err)
		if !ok {
			v.broken = true // the VM was interrupted in the middle of the script's toString
		}
		v.Log("error", "uncaught exception: "+stack)
		// The style's answer may read the thrown value (the ctx style's message
		// and stack): script code, so bounded too, with the described text as
		// the fallback.
		answer := runtimeAnswer(fncall.Threw, http.StatusInternalServerError, "there is an error:"+msg)
		if ok && !v.bounded(errorFormatBudget, func() { answer = v.style.threw(v, err, msg) }) {
			v.broken = true
			answer = runtimeAnswer(fncall.Threw, http.StatusInternalServerError, "there is an error:"+msg)
		}
		if !inv.finish(answer) {
			v.Log("warn", "the exception came after the response was sent; the caller did not see it")
		}
	}
	var overflow *goja.StackOverflowError
	if interrupted || overMemory || v.broken || errors.As(err, &overflow) {
		v.clearInterrupt()
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
	var overflow *goja.StackOverflowError
	if errors.As(err, &overflow) {
		return describeStackOverflow(overflow.Stack())
	}
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

// errorFormatBudget bounds the script code that describing a thrown value may
// run (its toString, a stack getter, Proxy traps) once the call's own deadline
// is no longer armed: honest values take microseconds.
const errorFormatBudget = 500 * time.Millisecond

// errFormatting interrupts a VM whose thrown value took too long to describe.
var errFormatting = errors.New("describing the thrown value took too long")

// describeBounded is describeError with the script code it may run bounded by
// errorFormatBudget; when cut short (ok false) it describes the value without
// running any script code and the VM must not be reused.
func (v *vu) describeBounded(err error) (msg, stack string, ok bool) {
	ok = v.bounded(errorFormatBudget, func() {
		var ex *goja.Exception
		if errors.As(err, &ex) {
			if obj, isObj := ex.Value().(*goja.Object); isObj {
				v.normalizeError(obj) // Node's texts and stack layout (nodeerrors.go)
			}
		}
		msg, stack = describeError(err)
	})
	if !ok {
		msg = "Uncaught exception (a thrown value whose toString or stack did not return within " + errorFormatBudget.String() + ")"
		var ex *goja.Exception
		if errors.As(err, &ex) {
			for _, fr := range ex.Stack() {
				if fr.SrcName() != "" && !strings.HasPrefix(fr.SrcName(), "eventloop-") {
					p := fr.Position()
					msg = fmt.Sprintf("%s (%s:%d:%d)", msg, p.Filename, p.Line, p.Column)
					break
				}
			}
		}
		stack = msg
	}
	return msg, stack, ok
}

// bounded runs fn, which may call script code, with the VM interrupted after
// budget; it reports false when fn was interrupted or panicked (a throw from
// the script's code surfaces as a Go panic outside a VM call).
func (v *vu) bounded(budget time.Duration, fn func()) (ok bool) {
	timer := time.AfterFunc(budget, func() { v.interrupt(errFormatting) })
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
		if !timer.Stop() { // fired: clear it whether or not fn noticed
			v.clearInterrupt()
			ok = false
		}
	}()
	fn()
	return true
}

// safeError is a script error described once, under a bound, so that printing
// it later runs no script code (goja's Exception.Error calls the thrown
// value's toString).
type safeError struct{ msg string }

func (e *safeError) Error() string { return e.msg }

// stackOverflowMessage is Node's message for a call stack past its limit.
const stackOverflowMessage = "RangeError: Maximum call stack size exceeded"

// describeStackOverflow renders goja's (uncatchable) stack overflow as Node's
// RangeError; the logged stack keeps only its innermost frames (it is as deep
// as the limit).
func describeStackOverflow(frames []goja.StackFrame) (msg, stack string) {
	msg = stackOverflowMessage
	for _, fr := range frames {
		if fr.SrcName() != "" && !strings.HasPrefix(fr.SrcName(), "eventloop-") {
			p := fr.Position()
			msg = fmt.Sprintf("%s (%s:%d:%d)", msg, p.Filename, p.Line, p.Column)
			break
		}
	}
	var b bytes.Buffer
	b.WriteString(stackOverflowMessage)
	const shown = 10
	for i, fr := range frames {
		if i == shown {
			fmt.Fprintf(&b, "\n    ... %d more frames", len(frames)-shown)
			break
		}
		b.WriteString("\n    at ")
		fr.Write(&b)
	}
	return msg, b.String()
}

func runtimeAnswer(kind fncall.ResponseKind, status int, text string) *fncall.Response {
	h := http.Header{}
	h.Set("Content-Type", "text/html; charset=utf-8")
	return &fncall.Response{Status: status, Header: h, Body: []byte(text), Kind: kind}
}
