package nodecore

import (
	_ "embed"
	"fmt"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/nodebuffer"
)

//go:embed inspect.js
var inspectSource string

//go:embed util.js
var utilSource string

var (
	inspectProgram = goja.MustCompile("inspect.js", inspectSource, true)
	utilProgram    = goja.MustCompile("util.js", utilSource, true)
)

// loadInspect returns {inspect, format} for vm.
func loadInspect(vm *goja.Runtime) (*goja.Object, error) {
	helpers := vm.NewObject()
	if err := helpers.Set("promiseState", func(v goja.Value) goja.Value {
		o, ok := v.(*goja.Object)
		if !ok {
			return goja.Undefined()
		}
		p, ok := o.Export().(*goja.Promise)
		if !ok {
			return goja.Undefined()
		}
		switch p.State() {
		case goja.PromiseStateFulfilled:
			return vm.NewArray("fulfilled", p.Result())
		case goja.PromiseStateRejected:
			return vm.NewArray("rejected", p.Result())
		}
		return vm.NewArray("pending")
	}); err != nil {
		return nil, fmt.Errorf("util: %w", err)
	}
	core, err := modules.CallFactory(vm, inspectProgram, modules.WantObject, helpers)
	if err != nil {
		return nil, fmt.Errorf("util: %w", err)
	}
	return core, nil
}

// Formatter formats console output for one VM. Make one per VM (NewFormatter)
// and reuse it: loading the inspect code costs far more than one format call.
type Formatter struct {
	format goja.Callable
}

// NewFormatter loads util.format into vm.
func NewFormatter(vm *goja.Runtime) (*Formatter, error) {
	core, err := loadInspect(vm)
	if err != nil {
		return nil, err
	}
	format, ok := goja.AssertFunction(core.Get("format"))
	if !ok {
		return nil, fmt.Errorf("util: format is not a function")
	}
	return &Formatter{format: format}, nil
}

// Format is what console.log(...args) prints in Node: util.format's directives when
// the first argument is a string, every other argument inspected, top-level strings
// raw. Call it on the VM's JS thread.
func (f *Formatter) Format(args []goja.Value) string {
	out, err := f.format(goja.Undefined(), args...)
	if err != nil {
		// A getter or toString in the script threw; say so rather than lose the line.
		return fmt.Sprintf("<util.format failed: %v>", err)
	}
	return out.String()
}

// Format is Formatter.Format for a one-off call; it loads the inspect code each
// time, so a console should hold a Formatter per VM instead.
func Format(vm *goja.Runtime, args []goja.Value) string {
	f, err := NewFormatter(vm)
	if err != nil {
		return fmt.Sprint(err)
	}
	return f.Format(args)
}

// Util is the constructor of Node's util module: format, inspect, inherits,
// promisify, callbackify, deprecate, types, the is* predicates, TextEncoder/TextDecoder.
func Util(vu modules.VU) (goja.Value, error) {
	vm := vu.Runtime()
	core, err := loadInspect(vm)
	if err != nil {
		return nil, err
	}
	helpers := vm.NewObject()
	sets := map[string]any{
		"warn": func(msg string) { vu.Log("warn", msg) },
		"utf8Encode": func(s string) (goja.Value, error) {
			return vm.New(vm.Get("Uint8Array"), vm.ToValue(vm.NewArrayBuffer([]byte(s))))
		},
		"utf8Decode": func(v goja.Value) string { return decodeUTF8(bytesOf(vm, v), true) },
	}
	for k, f := range sets {
		if err := helpers.Set(k, f); err != nil {
			return nil, fmt.Errorf("util: %w", err)
		}
	}
	u, err := modules.CallFactory(vm, utilProgram, modules.WantObject, core, helpers)
	if err != nil {
		return nil, fmt.Errorf("util: %w", err)
	}
	// The VM's globals (modules/nodeglobals) are util's TextEncoder and
	// TextDecoder too, as in Node; isDeepStrictEqual is assert's comparison.
	for _, name := range []string{"TextEncoder", "TextDecoder"} {
		if g := vm.Get(name); g != nil && !goja.IsUndefined(g) {
			_ = u.Set(name, g)
		}
	}
	deep, err := vm.RunString(`(function (a, b) {
  try { require('assert').deepStrictEqual(a, b); return true; } catch (e) { if (e && e.code === 'ERR_ASSERTION') return false; throw e; }
})`)
	if err == nil {
		_ = u.Set("isDeepStrictEqual", deep)
	}
	return u, nil
}

// bytesOf reads the bytes of an ArrayBuffer, a typed array (Buffer included) or a
// DataView. Anything else throws Node's TypeError into the script.
func bytesOf(vm *goja.Runtime, v goja.Value) []byte {
	bad := func() []byte {
		e := vm.NewTypeError(`The "input" argument must be an instance of ArrayBuffer or ArrayBufferView.`)
		_ = e.Set("code", "ERR_INVALID_ARG_TYPE")
		panic(e)
	}
	o, ok := v.(*goja.Object)
	if !ok {
		return bad()
	}
	if ab, ok := o.Export().(goja.ArrayBuffer); ok {
		return ab.Bytes()
	}
	ab, ok := o.Get("buffer").Export().(goja.ArrayBuffer)
	if !ok {
		return bad()
	}
	off, n := o.Get("byteOffset").ToInteger(), o.Get("byteLength").ToInteger()
	return ab.Bytes()[off : off+n]
}

// decodeUTF8 decodes like Node's Buffer#toString and TextDecoder (see
// nodebuffer.ReplaceInvalidUTF8); a leading BOM is dropped when stripBOM is set.
func decodeUTF8(b []byte, stripBOM bool) string {
	if stripBOM && len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		b = b[3:]
	}
	return nodebuffer.ReplaceInvalidUTF8(b)
}
