package nodebuffer

import (
	"bytes"

	"github.com/dop251/goja"
)

func (p *patcher) installStatics() {
	c := p.ctor
	_ = c.Set("from", func(call goja.FunctionCall) goja.Value { return p.from(call.Arguments) })
	_ = c.Set("alloc", func(call goja.FunctionCall) goja.Value {
		return p.alloc(call.Argument(0), call.Argument(1), call.Argument(2))
	})
	unsafe := func(call goja.FunctionCall) goja.Value {
		return p.alloc(call.Argument(0), goja.Undefined(), goja.Undefined())
	}
	_ = c.Set("allocUnsafe", unsafe)
	_ = c.Set("allocUnsafeSlow", unsafe)
	_ = c.Set("isBuffer", func(call goja.FunctionCall) goja.Value {
		return p.vm.ToValue(p.isBuffer(call.Argument(0)))
	})
	_ = c.Set("isEncoding", func(call goja.FunctionCall) goja.Value {
		if !goja.IsString(call.Argument(0)) {
			return p.vm.ToValue(false)
		}
		_, ok := ParseEncoding(call.Argument(0).String())
		return p.vm.ToValue(ok)
	})
	_ = c.Set("byteLength", p.byteLength)
	_ = c.Set("compare", func(call goja.FunctionCall) goja.Value {
		a := p.bytesOf("buf1", call.Argument(0))
		b := p.bytesOf("buf2", call.Argument(1))
		return p.vm.ToValue(bytes.Compare(a, b))
	})
}

// maxArrayLike is the longest array or array-like Buffer.from copies: 16 MiB
// of elements, the limit of internal/jsguard for goja's other copying natives.
const maxArrayLike = 1 << 24

const fromExpected = "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received %s"

// from is Buffer.from: strings use Node's decoders; everything else goes to
// goja_nodejs (copies of buffers and array-likes, views of ArrayBuffers).
func (p *patcher) from(args []goja.Value) *goja.Object {
	arg := goja.Undefined()
	if len(args) > 0 {
		arg = args[0]
	}
	var enc goja.Value = goja.Undefined()
	if len(args) > 1 {
		enc = args[1]
	}
	if goja.IsString(arg) {
		return p.newBuffer(decodeValue(arg, p.encodingArg(enc)))
	}
	o, ok := arg.(*goja.Object)
	if !ok {
		p.throw(NewError(KindTypeError, "ERR_INVALID_ARG_TYPE", fromExpected, Describe(arg)))
	}
	if o.ClassName() == "String" {
		return p.newBuffer(decodeValue(o.ToString(), p.encodingArg(enc)))
	}
	if n := o.Get("length"); n != nil && n.ToFloat() > maxArrayLike && !p.isUint8Array(o) {
		// goja copies an array-like element by element in one native loop that
		// the call's deadline cannot stop ({length: 2 ** 31} ran for minutes).
		p.throw(NewError(KindRangeError, "ERR_OUT_OF_RANGE",
			"Buffer.from of an array-like of %s elements: bmobemu builds at most %d (the copy cannot be stopped once it starts)", n.String(), maxArrayLike))
	}
	res, err := p.origFrom(p.ctor, args...)
	if err != nil {
		panic(err)
	}
	return res.ToObject(p.vm)
}

// alloc is Buffer.alloc(size, fill, encoding).
func (p *patcher) alloc(size, fill, enc goja.Value) *goja.Object {
	if !goja.IsNumber(size) {
		p.throw(InvalidArgType("size", "of type number", size))
	}
	n := size.ToFloat()
	if n < 0 || n > 1<<32 || n != n {
		p.throw(NewError(KindRangeError, "ERR_OUT_OF_RANGE", "The value of \"size\" is out of range. It must be >= 0 && <= 4294967296. Received %s", size.String()))
	}
	buf := make([]byte, int(n))
	if !goja.IsUndefined(fill) {
		p.fillBytes(buf, fill, enc)
	}
	return p.newBuffer(buf)
}

// fillBytes fills buf with a number (its low byte), a string in an encoding, or the
// bytes of a Buffer, repeating the pattern as Node does.
func (p *patcher) fillBytes(buf []byte, fill, enc goja.Value) {
	var pattern []byte
	switch {
	case goja.IsString(fill):
		pattern = decodeValue(fill, p.encodingArg(enc))
		if len(pattern) == 0 {
			pattern = []byte{0}
		}
	case p.isUint8Array(fill):
		pattern = p.bytesOf("value", fill)
		if len(pattern) == 0 {
			p.throw(NewError(KindTypeError, "ERR_INVALID_ARG_VALUE", "The argument 'value' is invalid. Received %s", Describe(fill)))
		}
	default:
		pattern = []byte{byte(fill.ToInteger())}
	}
	for i := 0; i < len(buf); i += len(pattern) {
		copy(buf[i:], pattern)
	}
}

// byteLength is Buffer.byteLength(string|buffer, encoding).
func (p *patcher) byteLength(call goja.FunctionCall) goja.Value {
	v := call.Argument(0)
	if goja.IsString(v) {
		enc, ok := ParseEncoding(OptString(call.Argument(1)))
		if !ok {
			enc = UTF8
		}
		return p.vm.ToValue(byteLengthOf(v, enc))
	}
	if b, ok := viewBytes(p.vm, v); ok {
		return p.vm.ToValue(len(b))
	}
	p.throw(InvalidArgType("string", "of type string or an instance of Buffer or ArrayBuffer", v))
	return nil
}
