package bmob

import (
	"errors"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

// NewFunctions is the constructor of modules.oFunctions: run({name, data}, cb)
// calls another cloud function the way Bmob's module does, a form-encoded POST with
// `_e=<name>` and every data value as String(value) (docs/fidelity.md#body-values): numbers and
// booleans become text, objects "[object Object]", arrays "a,b". The callback gets
// (err, body): err only when the call could not be made, body the callee's raw
// response text whatever its status.
func NewFunctions(vu modules.VU) (goja.Value, error) {
	vm := vu.Runtime()
	o := vm.NewObject()
	_ = o.Set("run", func(c goja.FunctionCall) goja.Value {
		opts, _ := c.Argument(0).(*goja.Object)
		cb, _ := goja.AssertFunction(c.Argument(1))
		if opts == nil || goja.IsUndefined(opts.Get("name")) || opts.Get("name") == nil {
			panic(vm.NewTypeError("oFunctions.run: options.name (the function to call) is required"))
		}
		name := opts.Get("name").String()
		form := []fncall.Pair{{Key: "_e", Value: name}}
		if data, ok := opts.Get("data").(*goja.Object); ok {
			for _, k := range data.Keys() {
				form = append(form, fncall.Pair{Key: k, Value: data.Get(k).String()})
			}
		}
		caller := vu.Env().Functions
		if caller == nil {
			panic(vm.NewGoError(errors.New("oFunctions.run: no function set is configured")))
		}
		done := vu.RegisterCallback()
		ctx := vu.Context()
		go func() {
			reply, err := caller.CallFunction(ctx, name, form)
			done(func() error {
				if cb == nil {
					return nil
				}
				var cbErr error
				if err != nil {
					_, cbErr = cb(goja.Undefined(), vm.NewGoError(err), goja.Null())
				} else {
					_, cbErr = cb(goja.Undefined(), goja.Null(), JSONText(vu, string(reply.Body)))
				}
				return cbErr
			})
		}()
		return goja.Undefined()
	})
	return o, nil
}
