package zlib

import (
	"fmt"

	"github.com/dop251/goja"
)

// inputBytes reads what Node's zlib accepts as input: a string (UTF-8), a Buffer or
// other TypedArray, a DataView or an ArrayBuffer. The result is a copy, safe to
// hand to another goroutine.
func inputBytes(vm *goja.Runtime, v goja.Value) ([]byte, bool) {
	if s, ok := v.Export().(string); ok {
		return []byte(s), true
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	switch x := obj.Export().(type) {
	case goja.ArrayBuffer:
		return append([]byte(nil), x.Bytes()...), true
	case []byte:
		return append([]byte(nil), x...), true
	}
	// Other views (Uint16Array, DataView…) are read through their ArrayBuffer.
	bufVal := obj.Get("buffer")
	if bufVal == nil || !isView(vm, obj) {
		return nil, false
	}
	ab, ok := bufVal.Export().(goja.ArrayBuffer)
	if !ok {
		return nil, false
	}
	off, n := obj.Get("byteOffset").ToInteger(), obj.Get("byteLength").ToInteger()
	b := ab.Bytes()
	if off < 0 || n < 0 || off+n > int64(len(b)) {
		return nil, false
	}
	return append([]byte(nil), b[off:off+n]...), true
}

func isView(vm *goja.Runtime, obj *goja.Object) bool {
	ab := vm.Get("ArrayBuffer").ToObject(vm)
	isViewFn, ok := goja.AssertFunction(ab.Get("isView"))
	if !ok {
		return false
	}
	res, err := isViewFn(ab, obj)
	return err == nil && res.ToBoolean()
}

// received describes a value the way Node's ERR_INVALID_ARG_TYPE messages do.
func received(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if obj, ok := v.(*goja.Object); ok {
		if _, isFn := goja.AssertFunction(obj); isFn {
			return "function " + obj.Get("name").String()
		}
		if ctor, ok := obj.Get("constructor").(*goja.Object); ok {
			if name := ctor.Get("name"); name != nil && name.String() != "" {
				return "an instance of " + name.String()
			}
		}
		return "an instance of Object"
	}
	typ := "number"
	switch v.Export().(type) {
	case bool:
		typ = "boolean"
	case string:
		return fmt.Sprintf("type string (%q)", v.String())
	}
	return fmt.Sprintf("type %s (%s)", typ, v.String())
}

// nodeTypeError builds a TypeError with Node's code ERR_INVALID_ARG_TYPE.
func nodeTypeError(vm *goja.Runtime, msg string) *goja.Object {
	e := vm.NewTypeError(msg)
	_ = e.Set("code", "ERR_INVALID_ARG_TYPE")
	return e
}

// jsError turns a Go error into a JS Error, carrying zlib's code and errno.
func jsError(vm *goja.Runtime, err error) *goja.Object {
	e := vm.NewGoError(err)
	switch te := err.(type) {
	case *DataError:
		e = newError(vm, te.Message)
		_ = e.Set("errno", te.Errno)
		_ = e.Set("code", te.Code)
	case *TooLargeError:
		if re, err := vm.New(vm.Get("RangeError"), vm.ToValue(te.Error())); err == nil {
			e = re
		}
		_ = e.Set("code", "ERR_BUFFER_TOO_LARGE")
	}
	return e
}

// newError is `new Error(msg)`: a plain Error whose message is exactly msg.
func newError(vm *goja.Runtime, msg string) *goja.Object {
	obj, err := vm.New(vm.Get("Error"), vm.ToValue(msg))
	if err != nil {
		return vm.NewGoError(fmt.Errorf("%s", msg))
	}
	return obj
}
