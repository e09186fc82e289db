// Package modulestest runs a module in a VM built by the runtime's engine exactly as
// a function's VMs are (the runtime's globals, the registry's globals, the event
// loop), for the modules' own tests: no server, no pool, one run at a time.
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

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/nodeglobals"
	"github.com/bmobemu/bmobemu/runtime"
)

// scriptFile names the VM's script in stack frames and fidelity notes.
const scriptFile = "modulestest.js"

// VU is a modules.VU for tests. Logs and Notes collect what modules reported:
// Logs as "level: line", Notes as "what; Bmob would …".
type VU struct {
	modules.VU
	script *runtime.Script

	mu    sync.Mutex
	Logs  []string
	Notes []string
}

// New makes a VU through runtime.Engine with the globals every function's VM has
// (require, console, timers, process, Buffer, URL, …). A nil env gets compat
// profile, real clock, crypto/rand randomness and http.DefaultClient.
func New(t testing.TB, env *modules.Env) *VU {
	t.Helper()
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
	reg := modules.NewRegistry()
	nodeglobals.Register(reg)
	v := &VU{}
	engine, err := runtime.New(runtime.Options{Registry: reg, Env: env, Timeout: -1, MemoryLimit: -1,
		Log: runtime.LogFunc(func(_, level, line string) { v.collect(level, line) })})
	if err != nil {
		t.Fatalf("modulestest: %v", err)
	}
	v.script, err = engine.NewScript("modulestest", scriptFile)
	if err != nil {
		t.Fatalf("modulestest: %v", err)
	}
	v.VU = v.script.VU()
	return v
}

// collect files a line of the engine's log: fidelity notes apart from the rest.
func (v *VU) collect(level, line string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if level == "note" {
		// "fidelity note at file:line:col: what; Bmob would …"
		if _, after, ok := strings.Cut(line, scriptFile); ok {
			if _, rest, ok := strings.Cut(after, ": "); ok {
				line = rest
			}
		}
		v.Notes = append(v.Notes, line)
		return
	}
	v.Logs = append(v.Logs, level+": "+line)
}

// Set defines a global, typically a module's value: vu.Set("crypto", value).
func (v *VU) Set(name string, value any) { _ = v.Runtime().Set(name, value) }

// Load constructs a module and defines it as the global name.
func (v *VU) Load(t testing.TB, name string, c modules.Constructor) goja.Value {
	t.Helper()
	val, err := c(v.VU)
	if err != nil {
		t.Fatalf("constructing %s: %v", name, err)
	}
	v.Set(name, val)
	return val
}

// Run runs src as the script's turn, then the event loop until nothing is pending
// (at most 60 s: generous for a loaded machine; only a hung test waits that
// long), and returns the completion value of src. Errors are returned.
func (v *VU) Run(src string) (goja.Value, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var result goja.Value
	err := v.script.Run(ctx, func() error {
		prg, err := v.script.Compile(scriptFile, []byte(src))
		if err != nil {
			return err
		}
		result, err = v.Runtime().RunProgram(prg)
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
func (v *VU) Global(name string) goja.Value { return v.Runtime().Get(name) }

// JSON returns JSON.stringify(val), for comparing values in tests.
func (v *VU) JSON(val goja.Value) string {
	vm := v.Runtime()
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	out, err := stringify(goja.Undefined(), val)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return out.String()
}
