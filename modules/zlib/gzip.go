package zlib

import (
	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"

	"github.com/bmobemu/bmobemu/modules"
)

// NewGzip is the constructor of `modules.oGzip` (node-gzip): gzip(input[, options])
// and ungzip(buffer[, options]) return Promises of Buffers. Like node-gzip, a
// failure rejects with `new Error(String(zlibError))`, so the message reads
// "Error: incorrect header check".
func NewGzip(vu modules.VU) (goja.Value, error) {
	vm := vu.Runtime()
	obj := vm.NewObject()
	for name, m := range map[string]method{
		"gzip":   {"gzip", formatGzip, true},
		"ungzip": {"gunzip", formatGzip, false},
	} {
		if err := obj.Set(name, promiseFunc(vu, m)); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

func promiseFunc(vu modules.VU, m method) func(goja.FunctionCall) goja.Value {
	vm := vu.Runtime()
	return func(call goja.FunctionCall) goja.Value {
		promise, resolve, reject := vm.NewPromise()
		data, ok := inputBytes(vm, call.Argument(0))
		if !ok {
			// node-gzip writes the input to a zlib stream, whose TypeError becomes the rejection.
			_ = reject(nodeTypeError(vm, `The "chunk" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received `+received(call.Argument(0))))
			return vm.ToValue(promise)
		}
		j := job{m: m, data: data, level: -1, lim: limits{flag: vu.Env().DecompressCap()}}
		if opts, ok := call.Argument(1).(*goja.Object); ok {
			j.readOptions(opts)
		}
		ctx := vu.Context()
		done := vu.RegisterCallback()
		go func() {
			out, err := j.run(ctx)
			done(func() error {
				if err != nil {
					return reject(newError(vm, "Error: "+err.Error()))
				}
				return resolve(buffer.WrapBytes(vm, out))
			})
		}()
		return vm.ToValue(promise)
	}
}
