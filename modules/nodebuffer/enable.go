package nodebuffer

import (
	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	"github.com/dop251/goja_nodejs/require"
)

// patchedMark is set on a patched constructor so Enable is idempotent per VM.
var patchedMark = goja.NewSymbol("bmobemu.nodebuffer")

// patcher holds what the patched methods need from one VM.
type patcher struct {
	vm       *goja.Runtime
	ctor     *goja.Object // the Buffer constructor scripts see
	proto    *goja.Object // Buffer.prototype, shared with goja_nodejs
	origFrom goja.Callable
	u8       *goja.Object // Uint8Array
}

// Enable installs Node's Buffer as the global `Buffer` and as require('buffer').Buffer.
// The VM must have a goja_nodejs require registry enabled.
//
// goja_nodejs's constructor is a Go function that cannot take a number, so Buffer(n)
// needs a new constructor function. Everything else is shared: the new constructor
// has the same prototype object and carries goja_nodejs's internal API symbol, so
// buffer.WrapBytes, buffer.Bytes and Buffers made by other modules are the same
// class scripts see (instanceof, methods, constructor).
func Enable(vm *goja.Runtime) {
	exports := require.Require(vm, buffer.ModuleName).ToObject(vm)
	orig := exports.Get("Buffer").ToObject(vm)
	if orig.GetSymbol(patchedMark) != nil {
		_ = vm.Set("Buffer", orig)
		return
	}
	from, _ := goja.AssertFunction(orig.Get("from"))
	p := &patcher{
		vm:       vm,
		proto:    orig.Get("prototype").ToObject(vm),
		origFrom: from,
		u8:       vm.Get("Uint8Array").ToObject(vm),
	}
	ctor := vm.ToValue(p.construct).ToObject(vm)
	p.ctor = ctor
	ctor.SetPrototype(p.u8)
	for _, k := range orig.Keys() {
		_ = ctor.Set(k, orig.Get(k))
	}
	for _, s := range orig.Symbols() {
		_ = ctor.DefineDataPropertySymbol(s, orig.GetSymbol(s), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	}
	_ = ctor.DefineDataPropertySymbol(patchedMark, vm.ToValue(true), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = ctor.DefineDataProperty("name", vm.ToValue("Buffer"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = ctor.Set("prototype", p.proto)
	_ = p.proto.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	p.installStatics()
	p.installMethods()
	_ = exports.Set("Buffer", ctor)
	_ = exports.Set("kMaxLength", 1<<32)
	_ = vm.Set("Buffer", ctor)
}

// construct is Buffer(...) and new Buffer(...), including the deprecated forms
// Buffer(size) and Buffer(string, encoding).
func (p *patcher) construct(call goja.ConstructorCall) *goja.Object {
	if goja.IsNumber(call.Argument(0)) {
		return p.alloc(call.Argument(0), goja.Undefined(), goja.Undefined())
	}
	return p.from(call.Arguments)
}

// newBuffer wraps b (not copied) in a Buffer.
func (p *patcher) newBuffer(b []byte) *goja.Object {
	return buffer.WrapBytes(p.vm, b)
}

func (p *patcher) throw(err error) {
	Throw(p.vm, err)
}

// isBuffer reports whether v is a Buffer (its prototype chain has Buffer.prototype).
func (p *patcher) isBuffer(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	if !ok {
		return false
	}
	for proto := o.Prototype(); proto != nil; proto = proto.Prototype() {
		if proto == p.proto {
			return true
		}
	}
	return false
}

// isUint8Array reports whether v is a Uint8Array (a Buffer included).
func (p *patcher) isUint8Array(v goja.Value) bool {
	return p.vm.InstanceOf(v, p.u8)
}

// bytesOf returns the bytes of a Buffer or Uint8Array argument, or throws Node's
// ERR_INVALID_ARG_TYPE for name.
func (p *patcher) bytesOf(name string, v goja.Value) []byte {
	if p.isUint8Array(v) {
		if b, ok := viewBytes(p.vm, v); ok {
			return b
		}
	}
	p.throw(InvalidArgType(name, "an instance of Buffer or Uint8Array", v))
	return nil
}

// encodingArg parses an optional encoding argument, throwing ERR_UNKNOWN_ENCODING.
func (p *patcher) encodingArg(v goja.Value) Encoding {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return UTF8
	}
	enc, ok := ParseEncoding(v.String())
	if !ok {
		p.throw(NewError(KindTypeError, "ERR_UNKNOWN_ENCODING", "Unknown encoding: %s", v.String()))
	}
	return enc
}
