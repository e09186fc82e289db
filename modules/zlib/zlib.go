// Package zlib backs `require('zlib')` (Node's zlib: one-shot gzip, deflate and raw
// deflate, sync and callback forms) and `modules.oGzip` (node-gzip's Promise API).
//
// Decompression matches Node byte for byte. Compression uses Go's compress/flate,
// so the deflate payload may differ from zlib's bytes while decoding to the same
// data; the headers (gzip OS byte, zlib level bits) are Node's.
package zlib

import (
	"context"

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
		if err := obj.Set(m.name+"Sync", syncFunc(vu, m)); err != nil {
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

// job is one method's work: it touches no JS values, so it may run off the JS thread.
type job struct {
	m     method
	data  []byte
	level int    // compression level, -1 for zlib's default
	lim   limits // decompression caps
}

// run does the work; ctx is the call's, so inflating stops when the call ends.
func (j job) run(ctx context.Context) ([]byte, error) {
	if j.m.compress {
		return compress(j.m.f, j.data, j.level)
	}
	return decompress(ctx, j.m.f, j.data, j.lim)
}

// args reads (input[, options]) and panics with Node's TypeError on bad input.
// Options give the level and maxOutputLength.
func args(vu modules.VU, m method, call goja.FunctionCall) job {
	vm := vu.Runtime()
	data, ok := inputBytes(vm, call.Argument(0))
	if !ok {
		panic(nodeTypeError(vm, `The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received `+received(call.Argument(0))))
	}
	j := job{m: m, data: data, level: -1, lim: limits{flag: vu.Env().DecompressCap()}}
	if opts, ok := call.Argument(1).(*goja.Object); ok {
		if _, isFn := goja.AssertFunction(opts); !isFn {
			j.readOptions(opts)
		}
	}
	return j
}

// readOptions takes level and maxOutputLength from a Node zlib options object.
func (j *job) readOptions(opts *goja.Object) {
	if l := opts.Get("level"); l != nil && !goja.IsUndefined(l) {
		j.level = int(l.ToInteger())
	}
	if l := opts.Get("maxOutputLength"); l != nil && !goja.IsUndefined(l) {
		if n := l.ToInteger(); n >= 1 {
			j.lim.option = n
		}
	}
}

func syncFunc(vu modules.VU, m method) func(goja.FunctionCall) goja.Value {
	vm := vu.Runtime()
	return func(call goja.FunctionCall) goja.Value {
		out, err := args(vu, m, call).run(vu.Context())
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
		j := args(vu, m, call)
		ctx := vu.Context()
		done := vu.RegisterCallback()
		go func() {
			out, err := j.run(ctx)
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
