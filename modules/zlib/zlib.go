// Package zlib backs `require('zlib')` (Node's zlib: one-shot gzip, deflate and raw
// deflate, sync and callback forms) and `modules.oGzip` (node-gzip's Promise API).
//
// Decompression matches Node byte for byte. Compression uses Go's compress/flate,
// so the deflate payload may differ from zlib's bytes while decoding to the same
// data; the headers (gzip OS byte, zlib level bits) are Node's.
package zlib

import (
	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"

	"github.com/bmobemu/bmobemu/modules"
)

// method is one zlib entry point: its name and what it does.
type method struct {
	name     string
	f        format
	compress bool
}

var methods = []method{
	{"gzip", formatGzip, true},
	{"gunzip", formatGzip, false},
	{"deflate", formatDeflate, true},
	{"inflate", formatDeflate, false},
	{"deflateRaw", formatRaw, true},
	{"inflateRaw", formatRaw, false},
	{"unzip", formatAuto, false},
}

// New is the constructor of `require('zlib')`.
func New(vu modules.VU) (goja.Value, error) {
	vm := vu.Runtime()
	obj := vm.NewObject()
	for _, m := range methods {
		if err := obj.Set(m.name+"Sync", syncFunc(vm, m)); err != nil {
			return nil, err
		}
		if err := obj.Set(m.name, asyncFunc(vu, m)); err != nil {
			return nil, err
		}
	}
	constants := vm.NewObject()
	for name, v := range map[string]int{
		"Z_NO_COMPRESSION": 0, "Z_BEST_SPEED": 1, "Z_BEST_COMPRESSION": 9, "Z_DEFAULT_COMPRESSION": -1,
		"Z_OK": 0, "Z_STREAM_END": 1, "Z_DATA_ERROR": -3, "Z_BUF_ERROR": -5,
	} {
		_ = constants.Set(name, v)
	}
	if err := obj.Set("constants", constants); err != nil {
		return nil, err
	}
	return obj, nil
}

// run does one method's work; it touches no JS values, so it may run off the JS thread.
func run(m method, data []byte, level int) ([]byte, error) {
	if m.compress {
		return compress(m.f, data, level)
	}
	return decompress(m.f, data)
}

// args reads (input[, options]) and panics with Node's TypeError on bad input.
func args(vm *goja.Runtime, call goja.FunctionCall) ([]byte, int) {
	data, ok := inputBytes(vm, call.Argument(0))
	if !ok {
		panic(nodeTypeError(vm, `The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received `+received(call.Argument(0))))
	}
	level := -1
	if opts, ok := call.Argument(1).(*goja.Object); ok {
		if _, isFn := goja.AssertFunction(opts); !isFn {
			if l := opts.Get("level"); l != nil && !goja.IsUndefined(l) {
				level = int(l.ToInteger())
			}
		}
	}
	return data, level
}

func syncFunc(vm *goja.Runtime, m method) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		data, level := args(vm, call)
		out, err := run(m, data, level)
		if err != nil {
			panic(jsError(vm, err))
		}
		return buffer.WrapBytes(vm, out)
	}
}

// asyncFunc is the callback form: the work runs on a goroutine and the callback
// gets (err) or (null, buffer) on the JS thread.
func asyncFunc(vu modules.VU, m method) func(goja.FunctionCall) goja.Value {
	vm := vu.Runtime()
	return func(call goja.FunctionCall) goja.Value {
		// Node's signature is (buffer[, options], callback).
		cbArg := call.Argument(1)
		if _, isFn := goja.AssertFunction(cbArg); !isFn {
			cbArg = call.Argument(2)
		}
		cb, ok := goja.AssertFunction(cbArg)
		if !ok {
			panic(nodeTypeError(vm, `The "callback" argument must be of type function. Received `+received(cbArg)))
		}
		data, level := args(vm, call)
		done := vu.RegisterCallback()
		go func() {
			out, err := run(m, data, level)
			done(func() error {
				if err != nil {
					_, cerr := cb(goja.Undefined(), jsError(vm, err))
					return cerr
				}
				_, cerr := cb(goja.Undefined(), goja.Null(), buffer.WrapBytes(vm, out))
				return cerr
			})
		}()
		return goja.Undefined()
	}
}
