package nodebuffer

import (
	"reflect"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
)

var (
	typeBytes       = reflect.TypeOf([]byte(nil))
	typeArrayBuffer = reflect.TypeOf(goja.ArrayBuffer{})
)

// dataExpected is Node's wording for "bytes or a string" arguments.
const dataExpected = "of type string or an instance of Buffer, TypedArray, or DataView"

// Bytes returns the bytes of a value the way Node's crypto functions read their data
// arguments: a string decoded with encoding (utf8 when empty; an unknown name also
// means utf8, as in crypto), a Buffer or TypedArray (its bytes, shared), a DataView or
// an ArrayBuffer. Anything else gives Node's ERR_INVALID_ARG_TYPE for "data".
func Bytes(vm *goja.Runtime, value goja.Value, encoding string) ([]byte, error) {
	return ArgBytes(vm, "data", value, encoding)
}

// ArgBytes is Bytes with the argument name used in the error message.
func ArgBytes(vm *goja.Runtime, name string, value goja.Value, encoding string) ([]byte, error) {
	if value != nil && goja.IsString(value) {
		enc, _ := ParseEncoding(encoding)
		return decodeValue(value, enc), nil
	}
	if b, ok := viewBytes(vm, value); ok {
		return b, nil
	}
	return nil, InvalidArgType(name, dataExpected, value)
}

// viewBytes returns the bytes behind a TypedArray, DataView or ArrayBuffer, sharing
// their memory.
func viewBytes(vm *goja.Runtime, value goja.Value) ([]byte, bool) {
	o, ok := value.(*goja.Object)
	if !ok {
		return nil, false
	}
	switch o.ExportType() {
	case typeBytes:
		if b, ok := o.Export().([]byte); ok {
			return b, true
		}
	case typeArrayBuffer:
		return o.Export().(goja.ArrayBuffer).Bytes(), true
	}
	isView, _ := goja.AssertFunction(vm.Get("ArrayBuffer").ToObject(vm).Get("isView"))
	if res, err := isView(goja.Undefined(), o); err != nil || !res.ToBoolean() {
		return nil, false
	}
	ab, ok := o.Get("buffer").Export().(goja.ArrayBuffer)
	if !ok {
		return nil, false
	}
	off, n := int(o.Get("byteOffset").ToInteger()), int(o.Get("byteLength").ToInteger())
	all := ab.Bytes()
	if off < 0 || n < 0 || off+n > len(all) {
		return nil, false
	}
	return all[off : off+n], true
}

// New returns a Buffer holding b (not copied).
func New(vm *goja.Runtime, b []byte) goja.Value {
	if b == nil {
		b = []byte{}
	}
	return buffer.WrapBytes(vm, b)
}

// Output returns b as Node's crypto returns outputs: a Buffer when encoding is empty
// or "buffer", otherwise a string in that encoding. Unknown encodings give a Buffer,
// as crypto's digest does.
func Output(vm *goja.Runtime, b []byte, encoding string) goja.Value {
	if encoding == "" || strings.EqualFold(encoding, "buffer") {
		return New(vm, b)
	}
	enc, ok := ParseEncoding(encoding)
	if !ok {
		return New(vm, b)
	}
	return Encode(b, enc)
}

// OptString returns an optional string argument ("" for undefined or null).
func OptString(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return ""
	}
	return v.String()
}
