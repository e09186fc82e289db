// Package modulestest runs a module in a real goja VM with a real event loop, for the
// modules' own tests: no server, no pool, one invocation at a time.
package modulestest

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/internal/eventloop"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/nodebuffer"
)

// VU is a modules.VU for tests. Logs and Notes collect what modules reported.
type VU struct {
	vm   *goja.Runtime
	env  *modules.Env
	loop *eventloop.Loop
	ctx  context.Context

	mu    sync.Mutex
	Logs  []string
	Notes []string
}

// New makes a VU with Buffer, setTimeout/setImmediate/clearTimeout, console.log and
// process.nextTick defined. A nil env gets compat profile, real clock, crypto/rand
// randomness and http.DefaultClient.
func New(t testing.TB, env *modules.Env) *VU {
	t.Helper()
	bjtime.UseAsLocal()
	if env == nil {
		env = &modules.Env{}
	}
	if env.Profile == "" {
		env.Profile = modules.Compat
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Random == nil {
		env.Random = rand.Reader
	}
	if env.HTTP == nil {
		env.HTTP = http.DefaultClient
	}
	vm := goja.New()
	vm.SetFieldNameMapper(goja.TagFieldNameMapper("json", true))
	new(require.Registry).Enable(vm)
	nodebuffer.Enable(vm)
	v := &VU{vm: vm, env: env, ctx: context.Background()}
	v.loop = eventloop.New(vm, nil)
	v.installGlobals()
	return v
}

func (v *VU) installGlobals() {
	vm := v.vm
	timer := func(repeat bool) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			fn, ok := goja.AssertFunction(call.Argument(0))
			if !ok {
				panic(vm.NewTypeError("callback must be a function"))
			}
			args := append([]goja.Value(nil), call.Arguments[min(2, len(call.Arguments)):]...)
			d := time.Duration(call.Argument(1).ToFloat() * float64(time.Millisecond))
			id := v.loop.SetTimer(d, repeat, func() error { _, err := fn(goja.Undefined(), args...); return err })
			return vm.ToValue(id)
		}
	}
	clear := func(call goja.FunctionCall) goja.Value {
		v.loop.ClearTimer(call.Argument(0).ToInteger())
		return goja.Undefined()
	}
	_ = vm.Set("setTimeout", timer(false))
	_ = vm.Set("setInterval", timer(true))
	_ = vm.Set("clearTimeout", clear)
	_ = vm.Set("clearInterval", clear)
	_ = vm.Set("setImmediate", func(call goja.FunctionCall) goja.Value {
		fn, _ := goja.AssertFunction(call.Argument(0))
		v.loop.Enqueue(func() error { _, err := fn(goja.Undefined()); return err })
		return goja.Undefined()
	})
	console := vm.NewObject()
	for _, level := range []string{"log", "info", "warn", "error", "debug"} {
		level := level
		_ = console.Set(level, func(call goja.FunctionCall) goja.Value {
			parts := make([]string, len(call.Arguments))
			for i, a := range call.Arguments {
				parts[i] = a.String()
			}
			v.Log(level, strings.Join(parts, " "))
			return goja.Undefined()
		})
	}
	_ = vm.Set("console", console)
	process := vm.NewObject()
	_ = process.Set("nextTick", func(call goja.FunctionCall) goja.Value {
		fn, _ := goja.AssertFunction(call.Argument(0))
		v.loop.NextTick(func() error { _, err := fn(goja.Undefined()); return err })
		return goja.Undefined()
	})
	_ = vm.Set("process", process)
}

// Runtime implements modules.VU.
func (v *VU) Runtime() *goja.Runtime { return v.vm }

// Context implements modules.VU.
func (v *VU) Context() context.Context { return v.ctx }

// RegisterCallback implements modules.VU.
func (v *VU) RegisterCallback() func(func() error) { return v.loop.RegisterCallback() }

// Env implements modules.VU.
func (v *VU) Env() *modules.Env { return v.env }

// Note implements modules.VU.
func (v *VU) Note(what, bmobWould string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.Notes = append(v.Notes, what+"; Bmob would "+bmobWould)
}

// Log implements modules.VU.
func (v *VU) Log(level, line string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.Logs = append(v.Logs, level+": "+line)
}

// Set defines a global, typically a module's value: vu.Set("crypto", value).
func (v *VU) Set(name string, value any) { _ = v.vm.Set(name, value) }

// Load constructs a module and defines it as the global name.
func (v *VU) Load(t testing.TB, name string, c modules.Constructor) goja.Value {
	t.Helper()
	val, err := c(v)
	if err != nil {
		t.Fatalf("constructing %s: %v", name, err)
	}
	v.Set(name, val)
	return val
}

// Run runs src as the script's turn, then the event loop until nothing is pending
// (at most 10 s), and returns the completion value of src. Errors are returned.
func (v *VU) Run(src string) (goja.Value, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v.ctx = ctx
	v.loop = eventloop.New(v.vm, nil)
	var result goja.Value
	err := v.loop.Run(ctx, func() error {
		var err error
		result, err = v.vm.RunString(src)
		return err
	})
	return result, err
}

// MustRun is Run that fails the test on error.
func (v *VU) MustRun(t testing.TB, src string) goja.Value {
	t.Helper()
	val, err := v.Run(src)
	if err != nil {
		t.Fatalf("script failed: %v\n%s", err, src)
	}
	return val
}

// Global reads a global variable, handy for values set by callbacks: the script
// assigns `result = …` in a callback and the test reads vu.Global("result") after Run.
func (v *VU) Global(name string) goja.Value { return v.vm.Get(name) }

// JSON returns JSON.stringify(val), for comparing values in tests.
func (v *VU) JSON(val goja.Value) string {
	stringify, _ := goja.AssertFunction(v.vm.Get("JSON").ToObject(v.vm).Get("stringify"))
	out, err := stringify(goja.Undefined(), val)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return out.String()
}
