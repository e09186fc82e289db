package runtime

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/bmobemu/bmobemu/internal/eventloop"
	"github.com/bmobemu/bmobemu/internal/jsdate"
	"github.com/bmobemu/bmobemu/internal/jsguard"
	"github.com/bmobemu/bmobemu/internal/jsjson"
	"github.com/bmobemu/bmobemu/modules"
)

// vu is one pooled VM of a function: its globals, its require cache and the
// script's entry (onRequest, or the ctx function) with its style. It implements
// modules.VU for the invocation it runs now.
type vu struct {
	fn        *Function
	vm        *goja.Runtime
	style     style
	entry     goja.Callable
	required  map[string]goja.Value
	inv       *invocation // the invocation running now; nil between calls
	formatter func(args []goja.Value) string

	// What require takes from disk, and where the local debugger's tool.test
	// calls go when bmobemu test sets it (diskrequire.go, localtool.go).
	nodeRequire *require.RequireModule
	localTests  func(LocalTest)

	// Built once per VM: the prototypes of `request`, `response` and `modules`.
	resProto  *goja.Object
	reqProto  *goja.Object
	modsProto *goja.Object
	ctxProto  *goja.Object // of the ctx style's ctx
	seq       int64        // invocations run on this VM
	broken    bool         // a Go panic escaped a call: the VM is not reused

	trampoline    goja.Callable // the event loop's JS frame, compiled once per VM
	jsonParse     goja.Callable // the VM's JSON.parse and JSON.stringify (internal/jsjson's), looked up once
	jsonStringify goja.Callable
	work          chan *invocation // calls for this VM's goroutine
	stopOnce      sync.Once

	// interrupting is set with every vm.Interrupt and cleared with every
	// ClearInterrupt: natives of ours that can run long (JSON.stringify) ask
	// it, since goja only looks at its interrupt between instructions.
	interrupting atomic.Bool
}

// interrupt stops the script running on v's VM with err, native code of ours
// included.
func (v *vu) interrupt(err error) {
	v.interrupting.Store(true)
	v.vm.Interrupt(err)
}

// clearInterrupt withdraws an interrupt that did not land.
func (v *vu) clearInterrupt() {
	v.vm.ClearInterrupt()
	v.interrupting.Store(false)
}

// serve finishes the calls whose answer came before their work was done (see
// start), one at a time, until the VM is stopped or a call leaves it unusable.
func (v *vu) serve() {
	for inv := range v.work {
		reusable := v.conclude(inv, inv.loop.Continue(inv.ctx))
		inv.cancel()
		v.fn.inflight.Delete(inv)
		v.fn.release(v, reusable)
		if !reusable {
			return
		}
	}
}

// stop ends the VM's goroutine once its current call, if any, is done.
func (v *vu) stop() { v.stopOnce.Do(func() { close(v.work) }) }

var _ modules.VU = (*vu)(nil)

func (f *Function) newVU() (*vu, error) {
	v, err := f.newBareVU()
	if err != nil {
		return nil, err
	}
	if err := v.runTopLevel(); err != nil {
		return nil, err
	}
	v.work = make(chan *invocation, 1)
	go v.serve()
	return v, nil
}

// newBareVU makes a VM with a function's globals, before any script runs.
func (f *Function) newBareVU() (*vu, error) {
	e := f.engine
	vm := goja.New()
	vm.SetTimeSource(e.opts.Env.Now)
	if err := jsdate.Install(vm, e.opts.Env.Zone); err != nil {
		return nil, fmt.Errorf("setting up VM for %s: %w", f.name, err)
	}
	if e.opts.MathRandom != nil {
		vm.SetRandSource(e.opts.MathRandom)
	}
	vm.SetMaxCallStackSize(e.opts.MaxCallDepth)
	// goja_nodejs's require loads Buffer and the files and packages scripts
	// require from disk (diskrequire.go). Its modules are loaded through this
	// RequireModule, never through the global require (that is ours).
	nodeRequire := f.diskModules().Enable(vm)
	v := &vu{fn: f, vm: vm, required: map[string]goja.Value{}, nodeRequire: nodeRequire}
	// JSON.stringify that a timeout or the memory limit can stop, with Node's
	// nesting and length limits (goja's own runs to its end, however long).
	if err := jsjson.Install(vm, jsjson.Limits{Stop: v.interrupting.Load}); err != nil {
		return nil, fmt.Errorf("setting up VM for %s: %w", f.name, err)
	}
	// The same for the natives that walk a huge sparse array or build a huge
	// string in one go (repeat, padStart, join, fill, includes, …).
	if err := jsguard.Install(vm, jsguard.Options{Stop: v.interrupting.Load}); err != nil {
		return nil, fmt.Errorf("setting up VM for %s: %w", f.name, err)
	}
	nodeRequireFn := vm.Get("require")
	v.installGlobals()
	if err := v.installRegistryGlobals(nodeRequireFn); err != nil {
		return nil, fmt.Errorf("setting up VM for %s: %w", f.name, err)
	}
	if err := v.installNodeErrors(); err != nil {
		return nil, fmt.Errorf("setting up VM for %s: %w", f.name, err)
	}
	if e.opts.Setup != nil {
		if err := e.opts.Setup(vm); err != nil {
			return nil, fmt.Errorf("setting up VM for %s: %w", f.name, err)
		}
	}
	trampoline, err := eventloop.Trampoline(vm)
	if err != nil {
		return nil, err
	}
	v.trampoline = trampoline
	json := vm.Get("JSON").ToObject(vm)
	v.jsonParse, _ = goja.AssertFunction(json.Get("parse"))
	v.jsonStringify, _ = goja.AssertFunction(json.Get("stringify"))
	return v, nil
}

// installRegistryGlobals installs the registry's globals (Buffer, URL, …) after
// the runtime's own. While they run, the global require is goja_nodejs's, whose
// core modules (buffer) they build on; then it is the script's again.
func (v *vu) installRegistryGlobals(nodeRequireFn goja.Value) error {
	e := v.fn.engine
	global := v.vm.GlobalObject()
	own := global.Get("require")
	_ = global.Set("require", nodeRequireFn)
	defer func() { _ = global.Set("require", own) }()
	for _, g := range e.opts.Registry.Globals() {
		if err := g(v.vm, e.opts.Env); err != nil {
			return err
		}
	}
	return nil
}

// runTopLevel runs the script once on this VM, as Node loads a module once, and
// finds its style and entry. Timers and callbacks the top level starts run to completion
// under the same deadline as a call.
func (v *vu) runTopLevel() error {
	inv := newInvocation(v.fn, nil)
	ctx := context.Background()
	cancel := context.CancelFunc(func() {})
	if t := v.fn.engine.opts.Timeout; t > 0 {
		ctx, cancel = context.WithTimeout(ctx, t)
	}
	defer cancel()
	inv.ctx = ctx
	inv.loop = eventloop.New(v.vm, v.trampoline)
	inv.loop.UseClock(v.fn.engine.opts.Clock, nil)
	v.inv = inv
	defer func() { v.inv = nil }()
	stop := context.AfterFunc(ctx, func() { v.interrupt(errDeadline) })
	var (
		st style
		fn goja.Callable
	)
	v.fn.engine.mem.enter(v)
	err := inv.loop.Run(ctx, func() error {
		_, err := v.vm.RunProgram(v.fn.program)
		return err
	})
	if err == nil {
		// Still under the deadline: onRequest or module.exports may be a
		// getter or a Proxy, which is script code.
		st, fn, err = v.findStyleGuarded()
	}
	if v.fn.engine.mem.leave(v) {
		stop()
		v.clearInterrupt()
		return &LoadError{Function: v.fn.name, Err: fmt.Errorf("top level stopped: scripts used more memory than the limit of %s", v.fn.engine.mem.text())}
	}
	if !stop() {
		v.clearInterrupt()
		return &LoadError{Function: v.fn.name, Err: fmt.Errorf("top level did not finish within %s", v.fn.engine.opts.Timeout)}
	}
	if err != nil {
		// Described now, bounded: the error is printed later, outside any deadline.
		msg, _, _ := v.describeBounded(err)
		return &LoadError{Function: v.fn.name, Err: &safeError{msg: msg}}
	}
	v.style, v.entry = st, fn
	return nil
}

// findStyleGuarded is findStyle with a throw from a getter returned as an
// error (goja panics with it outside a VM call).
func (v *vu) findStyleGuarded() (st style, fn goja.Callable, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
				return
			}
			panic(r)
		}
	}()
	return v.findStyle()
}

// LoadError is a function whose top level failed or that has no entry.
type LoadError struct {
	Function string
	Err      error
}

func (e *LoadError) Error() string { return fmt.Sprintf("loading function %s: %v", e.Function, e.Err) }

func (e *LoadError) Unwrap() error { return e.Err }

func (v *vu) installGlobals() {
	vm := v.vm
	global := vm.GlobalObject()
	_ = global.Set("global", global)
	module := vm.NewObject()
	exports := vm.NewObject()
	_ = module.Set("exports", exports)
	_ = global.Set("module", module)
	_ = global.Set("exports", exports)
	_ = global.Set("require", v.require)
	// Node's module wrapper variables: the function file's absolute path and folder.
	filename, err := filepath.Abs(v.fn.filename)
	if err != nil {
		filename = v.fn.filename
	}
	_ = global.Set("__filename", filename)
	_ = global.Set("__dirname", filepath.Dir(filename))

	timer := func(repeat bool) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			fn, ok := goja.AssertFunction(call.Argument(0))
			if !ok {
				panic(nodeTypeError(vm, "ERR_INVALID_ARG_TYPE", `The "callback" argument must be of type function. Received `+describe(call.Argument(0))))
			}
			var args []goja.Value
			if len(call.Arguments) > 2 {
				args = append(args, call.Arguments[2:]...)
			}
			ms := call.Argument(1).ToFloat()
			if ms != ms || ms < 1 { // NaN or below 1 ms: Node uses 1 ms
				ms = 1
			}
			id := v.inv.loop.SetTimer(time.Duration(ms*float64(time.Millisecond)), repeat, func() error {
				_, err := fn(goja.Undefined(), args...)
				return err
			})
			return vm.ToValue(id)
		}
	}
	clear := func(call goja.FunctionCall) goja.Value {
		if v.inv != nil && !goja.IsUndefined(call.Argument(0)) && !goja.IsNull(call.Argument(0)) {
			v.inv.loop.ClearTimer(call.Argument(0).ToInteger())
		}
		return goja.Undefined()
	}
	_ = global.Set("setTimeout", timer(false))
	_ = global.Set("setInterval", timer(true))
	_ = global.Set("clearTimeout", clear)
	_ = global.Set("clearInterval", clear)
	_ = global.Set("clearImmediate", func(goja.FunctionCall) goja.Value { return goja.Undefined() })
	_ = global.Set("setImmediate", func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(nodeTypeError(vm, "ERR_INVALID_ARG_TYPE", `The "callback" argument must be of type function. Received `+describe(call.Argument(0))))
		}
		args := append([]goja.Value(nil), call.Arguments[min(1, len(call.Arguments)):]...)
		v.inv.loop.Enqueue(func() error { _, err := fn(goja.Undefined(), args...); return err })
		return goja.Undefined()
	})
	if err := v.installQueueMicrotask(); err != nil {
		panic(err) // a compiled constant program: cannot fail on a fresh VM
	}

	console := vm.NewObject()
	for _, level := range []string{"log", "info", "warn", "error", "debug", "trace"} {
		level := level
		_ = console.Set(level, func(call goja.FunctionCall) goja.Value {
			v.Log(level, v.format(call.Arguments))
			return goja.Undefined()
		})
	}
	_ = global.Set("console", console)

	process := vm.NewObject()
	_ = process.Set("env", vm.NewObject())
	_ = process.Set("version", "v16.20.2")
	_ = process.Set("versions", map[string]any{"node": "16.20.2"})
	_ = process.Set("platform", "linux")
	_ = process.Set("argv", []any{"node", "index.js"})
	_ = process.Set("pid", 1)
	_ = process.Set("cwd", func() string { return "/" })
	_ = process.Set("uptime", func() float64 { return time.Since(processStart).Seconds() })
	_ = process.Set("hrtime", func(call goja.FunctionCall) goja.Value {
		ns := time.Since(processStart).Nanoseconds()
		return vm.ToValue([]any{ns / 1e9, ns % 1e9})
	})
	_ = process.Set("nextTick", func(call goja.FunctionCall) goja.Value {
		fn, ok := goja.AssertFunction(call.Argument(0))
		if !ok {
			panic(nodeTypeError(vm, "ERR_INVALID_ARG_TYPE", `The "callback" argument must be of type function. Received `+describe(call.Argument(0))))
		}
		args := append([]goja.Value(nil), call.Arguments[min(1, len(call.Arguments)):]...)
		v.inv.loop.NextTick(func() error { _, err := fn(goja.Undefined(), args...); return err })
		return goja.Undefined()
	})
	_ = global.Set("process", process)
}

// microtaskProgram makes queueMicrotask in JavaScript: the callback runs as a
// promise reaction straight from goja's job queue, so a chain of a million
// microtasks is a flat loop, as in Node. (A Go wrapper calling the callback back
// through a goja.Callable drained the job queue again inside every callback: the
// Go stack grew with the chain until the process died.) An exception in the
// callback ends the call like any uncaught exception, instead of becoming an
// invisible rejection. The file name keeps these frames out of error positions.
var microtaskProgram = goja.MustCompile("eventloop-microtask.js", `(function (invalidCallback, report) {
	var resolved = Promise.resolve(), thenOf = Function.prototype.call.bind(Promise.prototype.then);
	return {
		queueMicrotask: function queueMicrotask(callback) {
			if (typeof callback !== 'function') throw invalidCallback(callback);
			thenOf(resolved, function () {
				try { callback(); } catch (e) { report(e); }
			});
		},
		rethrow: function (e) { throw e; }
	};
})`, false)

func (v *vu) installQueueMicrotask() error {
	vm := v.vm
	made, err := vm.RunProgram(microtaskProgram)
	if err != nil {
		return fmt.Errorf("queueMicrotask: %w", err)
	}
	maker, _ := goja.AssertFunction(made)
	var rethrow goja.Callable
	invalid := func(call goja.FunctionCall) goja.Value {
		return nodeTypeError(vm, "ERR_INVALID_ARG_TYPE", `The "callback" argument must be of type function. Received `+describe(call.Argument(0)))
	}
	report := func(call goja.FunctionCall) goja.Value {
		// Called from a JS frame, so rethrow returns the value as the
		// *goja.Exception the loop reports, without draining any jobs.
		if _, err := rethrow(goja.Undefined(), call.Argument(0)); err != nil && v.inv != nil {
			v.inv.loop.Fail(err)
		}
		return goja.Undefined()
	}
	pair, err := maker(goja.Undefined(), vm.ToValue(invalid), vm.ToValue(report))
	if err != nil {
		return fmt.Errorf("queueMicrotask: %w", err)
	}
	obj := pair.ToObject(vm)
	rethrow, _ = goja.AssertFunction(obj.Get("rethrow"))
	return vm.GlobalObject().Set("queueMicrotask", obj.Get("queueMicrotask"))
}

// processStart anchors process.uptime and process.hrtime; it is set once and never
// changed.
var processStart = time.Now()

// format renders console arguments. Lines of plain strings and numbers are joined
// directly (what util.format prints for them); anything else goes through the
// engine's formatter, made on first need because it is costly to set up.
func (v *vu) format(args []goja.Value) string {
	if !allPlain(args) {
		if v.formatter == nil && v.fn.engine.opts.Formatter != nil {
			format, err := v.fn.engine.opts.Formatter(v.vm)
			if err == nil {
				v.formatter = format
			}
		}
		if v.formatter != nil {
			return v.formatter(args)
		}
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.String()
	}
	return strings.Join(parts, " ")
}

func allPlain(args []goja.Value) bool {
	for i, a := range args {
		if _, isObj := a.(*goja.Object); isObj || a == nil {
			return false
		}
		switch x := a.Export().(type) {
		case string:
			if i == 0 && strings.Contains(x, "%") {
				return false
			}
		case int64, bool:
		case float64:
			if x == 0 { // -0 prints as -0
				return false
			}
		default:
			return false
		}
	}
	return true
}

// require gives the registry's modules, one instance per VM, like Node's cache.
func (v *vu) require(call goja.FunctionCall) goja.Value {
	name := call.Argument(0).String()
	if val, ok := v.required[name]; ok {
		return val
	}
	reg := v.fn.engine.opts.Registry
	ctor, ok := reg.Require(name)
	if !ok {
		if name == "buffer" || name == "node:buffer" {
			// Not require.Require: it calls the global require, which is this
			// function, and recursed until Go's stack overflowed.
			val, err := v.nodeRequire.Require("buffer")
			if err != nil {
				panic(err)
			}
			v.required[name] = val
			return val
		}
		return v.requireBeyondRegistry(name) // diskrequire.go
	}
	val, err := ctor(v)
	if err != nil {
		panic(v.vm.NewGoError(fmt.Errorf("loading module %q: %w", name, err)))
	}
	v.required[name] = val
	return val
}

// Runtime implements modules.VU.
func (v *vu) Runtime() *goja.Runtime { return v.vm }

// Context implements modules.VU.
func (v *vu) Context() context.Context {
	if v.inv == nil {
		return context.Background()
	}
	return v.inv.ctx
}

// RegisterCallback implements modules.VU.
func (v *vu) RegisterCallback() func(func() error) { return v.inv.loop.RegisterCallback() }

// Env implements modules.VU.
func (v *vu) Env() *modules.Env { return v.fn.engine.opts.Env }

// Log implements modules.VU.
func (v *vu) Log(level, line string) { v.fn.engine.opts.Log.FunctionLog(v.fn.name, level, line) }

// Note implements modules.VU: once per call site of this function version.
func (v *vu) Note(what, bmobWould string) {
	site := v.callSite()
	key := site + "\x00" + what
	f := v.fn
	f.notesMu.Lock()
	seen := f.notes[key]
	f.notes[key] = true
	f.notesMu.Unlock()
	if !seen {
		v.Log("note", fmt.Sprintf("fidelity note at %s: %s; Bmob would %s", site, what, bmobWould))
	}
}

// callSite is the innermost frame of the function's own file, as file:line:column.
func (v *vu) callSite() string {
	for _, frame := range v.vm.CaptureCallStack(0, nil) {
		if frame.SrcName() == v.fn.filename {
			pos := frame.Position()
			return fmt.Sprintf("%s:%d:%d", pos.Filename, pos.Line, pos.Column)
		}
	}
	return v.fn.filename
}

func nodeTypeError(vm *goja.Runtime, code, msg string) *goja.Object {
	err := vm.NewTypeError(msg)
	_ = err.Set("code", code)
	return err
}

// describe renders a value the way Node's ERR_INVALID_ARG_TYPE messages do.
func describe(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	switch x := v.Export().(type) {
	case string:
		if len([]rune(x)) > 28 { // util.inspect's cut, as Node's message shows it
			x = string([]rune(x)[:25]) + "..."
		}
		return "type string ('" + x + "')"
	case int64, float64:
		return "type number (" + v.String() + ")"
	case bool:
		return "type boolean (" + v.String() + ")"
	}
	if _, ok := goja.AssertFunction(v); ok {
		return "function"
	}
	return "an instance of Object"
}
