package nodebuffer

import (
	"bytes"
	"unicode/utf8"

	"github.com/dop251/goja"
)

func (p *patcher) installMethods() {
	pr := p.proto
	_ = pr.Set("toString", p.toString)
	_ = pr.Set("toLocaleString", p.toString)
	_ = pr.Set("toJSON", p.toJSON)
	// Node's slice is subarray: a view sharing memory, negative indexes from the end.
	_ = pr.Set("slice", p.u8.Get("prototype").ToObject(p.vm).Get("subarray"))
	_ = pr.Set("compare", p.compare)
	_ = pr.Set("copy", p.copyTo)
	_ = pr.Set("indexOf", func(call goja.FunctionCall) goja.Value {
		return p.vm.ToValue(p.search(call, false))
	})
	_ = pr.Set("lastIndexOf", func(call goja.FunctionCall) goja.Value {
		return p.vm.ToValue(p.search(call, true))
	})
	_ = pr.Set("includes", func(call goja.FunctionCall) goja.Value {
		return p.vm.ToValue(p.search(call, false) >= 0)
	})
	_ = pr.Set("fill", p.fill)
	_ = pr.Set("write", p.write)
}

func (p *patcher) this(call goja.FunctionCall) []byte {
	return p.bytesOf("this", call.This)
}

// clamp resolves an optional index argument against n: undefined → def, negative
// counts from the end when fromEnd, the result is kept within [0, n].
func clamp(v goja.Value, def, n int64, fromEnd bool) int64 {
	if v == nil || goja.IsUndefined(v) {
		return def
	}
	i := v.ToInteger()
	if i < 0 && fromEnd {
		i += n
	}
	return max(0, min(i, n))
}

// toString is buf.toString(encoding, start, end).
func (p *patcher) toString(call goja.FunctionCall) goja.Value {
	b := p.this(call)
	enc := p.encodingArg(call.Argument(0))
	n := int64(len(b))
	start := clamp(call.Argument(1), 0, n, false)
	end := clamp(call.Argument(2), n, n, false)
	if start >= end {
		return p.vm.ToValue("")
	}
	return Encode(b[start:end], enc)
}

// toJSON is buf.toJSON(): {type: 'Buffer', data: [bytes…]}.
func (p *patcher) toJSON(call goja.FunctionCall) goja.Value {
	b := p.this(call)
	data := make([]any, len(b))
	for i, c := range b {
		data[i] = int64(c)
	}
	obj := p.vm.NewObject()
	_ = obj.Set("type", "Buffer")
	_ = obj.Set("data", p.vm.NewArray(data...))
	return obj
}

// compare is buf.compare(target, targetStart, targetEnd, sourceStart, sourceEnd).
func (p *patcher) compare(call goja.FunctionCall) goja.Value {
	src := p.this(call)
	dst := p.bytesOf("target", call.Argument(0))
	ts := clamp(call.Argument(1), 0, int64(len(dst)), false)
	te := clamp(call.Argument(2), int64(len(dst)), int64(len(dst)), false)
	ss := clamp(call.Argument(3), 0, int64(len(src)), false)
	se := clamp(call.Argument(4), int64(len(src)), int64(len(src)), false)
	if ts > te {
		ts = te
	}
	if ss > se {
		ss = se
	}
	return p.vm.ToValue(bytes.Compare(src[ss:se], dst[ts:te]))
}

// copyTo is buf.copy(target, targetStart, sourceStart, sourceEnd) → bytes copied.
func (p *patcher) copyTo(call goja.FunctionCall) goja.Value {
	src := p.this(call)
	dst := p.bytesOf("target", call.Argument(0))
	ts := clamp(call.Argument(1), 0, int64(len(dst)), false)
	ss := clamp(call.Argument(2), 0, int64(len(src)), false)
	se := clamp(call.Argument(3), int64(len(src)), int64(len(src)), false)
	if ss >= se {
		return p.vm.ToValue(0)
	}
	return p.vm.ToValue(copy(dst[ts:], src[ss:se]))
}

// search is indexOf / lastIndexOf(value, byteOffset, encoding) for strings, buffers
// and byte values.
func (p *patcher) search(call goja.FunctionCall, last bool) int {
	b := p.this(call)
	value, offArg, encArg := call.Argument(0), call.Argument(1), call.Argument(2)
	if goja.IsString(offArg) {
		offArg, encArg = goja.Undefined(), offArg
	}
	var needle []byte
	switch {
	case goja.IsString(value):
		needle = decodeValue(value, p.encodingArg(encArg))
	case goja.IsNumber(value):
		needle = []byte{byte(value.ToInteger())}
	case p.isUint8Array(value):
		needle = p.bytesOf("value", value)
	default:
		p.throw(InvalidArgType("value", "one of type number or string or an instance of Buffer or Uint8Array", value))
	}
	n := int64(len(b))
	if !last {
		off := clamp(offArg, 0, n, true)
		if goja.IsString(value) && len(needle) == 0 {
			return int(off)
		}
		i := bytes.Index(b[off:], needle)
		if i < 0 {
			return -1
		}
		return i + int(off)
	}
	off := n
	if offArg != nil && !goja.IsUndefined(offArg) {
		off = offArg.ToInteger()
		if off < 0 {
			off += n
		}
		if off < 0 {
			return -1
		}
	}
	end := min(n, off+int64(len(needle)))
	return bytes.LastIndex(b[:end], needle)
}

// fill is buf.fill(value, offset, end, encoding) → buf.
func (p *patcher) fill(call goja.FunctionCall) goja.Value {
	b := p.this(call)
	offArg, endArg, encArg := call.Argument(1), call.Argument(2), call.Argument(3)
	if goja.IsString(offArg) {
		offArg, endArg, encArg = goja.Undefined(), goja.Undefined(), offArg
	} else if goja.IsString(endArg) {
		endArg, encArg = goja.Undefined(), endArg
	}
	n := int64(len(b))
	start := clamp(offArg, 0, n, false)
	end := clamp(endArg, n, n, false)
	if start < end {
		p.fillBytes(b[start:end], call.Argument(0), encArg)
	}
	return call.This
}

// write is buf.write(string, offset, length, encoding) → bytes written. Like Node it
// never writes part of a UTF-8 character.
func (p *patcher) write(call goja.FunctionCall) goja.Value {
	b := p.this(call)
	str := call.Argument(0)
	if !goja.IsString(str) {
		p.throw(InvalidArgType("string", "of type string", str))
	}
	offArg, lenArg, encArg := call.Argument(1), call.Argument(2), call.Argument(3)
	if goja.IsString(offArg) {
		offArg, lenArg, encArg = goja.Undefined(), goja.Undefined(), offArg
	} else if goja.IsString(lenArg) {
		lenArg, encArg = goja.Undefined(), lenArg
	}
	n := int64(len(b))
	off := clamp(offArg, 0, n, false)
	limit := clamp(lenArg, n-off, n-off, false)
	enc := p.encodingArg(encArg)
	data := decodeValue(str, enc)
	if int64(len(data)) > limit {
		data = data[:limit]
		if enc == UTF8 {
			for len(data) > 0 && !utf8.Valid(data) {
				data = data[:len(data)-1]
			}
		}
	}
	return p.vm.ToValue(copy(b[off:], data))
}
