package cryptojs

import (
	"fmt"
	"io"
	"math"

	"github.com/dop251/goja"
)

// A WordArray is a plain JS object {words, sigBytes} whose prototype carries the
// methods, as in crypto-js: scripts read and even build `words` themselves, so the
// JS properties are the source of truth and Go reads them on every use.

// newWordArray makes a WordArray holding data, with sigBytes sig (which may be
// smaller than len(data): crypto-js keeps bytes past sigBytes in the words).
func (l *lib) newWordArray(data []byte, sig float64) *goja.Object {
	n := (len(data) + 3) / 4
	words := make([]any, n)
	for i := 0; i < n; i++ {
		var w uint32
		for j := 0; j < 4; j++ {
			w <<= 8
			if k := i*4 + j; k < len(data) {
				w |= uint32(data[k])
			}
		}
		words[i] = int64(int32(w))
	}
	obj := l.vm.NewObject()
	_ = obj.SetPrototype(l.waProto)
	_ = obj.Set("words", l.vm.NewArray(words...))
	_ = obj.Set("sigBytes", sig)
	return obj
}

// wordArrayOf makes a WordArray of exactly data.
func (l *lib) wordArrayOf(data []byte) *goja.Object {
	return l.newWordArray(data, float64(len(data)))
}

// isWordArray tells a WordArray-like object (anything with a words array).
func isWordArray(v goja.Value) (*goja.Object, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	w := obj.Get("words")
	if w == nil || goja.IsUndefined(w) || goja.IsNull(w) {
		return nil, false
	}
	return obj, true
}

// readWords reads a WordArray's words as bytes (all of them) and its sigBytes.
func (l *lib) readWords(obj *goja.Object) ([]byte, float64) {
	wordsObj := obj.Get("words").ToObject(l.vm)
	n := int(wordsObj.Get("length").ToInteger())
	data := make([]byte, 4*n)
	for i := 0; i < n; i++ {
		w := toUint32(wordsObj.Get(fmt.Sprint(i)))
		data[4*i], data[4*i+1], data[4*i+2], data[4*i+3] = byte(w>>24), byte(w>>16), byte(w>>8), byte(w)
	}
	sig := float64(4 * n)
	if s := obj.Get("sigBytes"); s != nil && !goja.IsUndefined(s) {
		sig = s.ToFloat()
	}
	return data, sig
}

// sigBytes returns a WordArray's significant bytes, as crypto-js's byte loops
// (i < sigBytes) see them: a fractional count is rounded up, missing words are 0.
func (l *lib) sigBytes(obj *goja.Object) []byte {
	data, sig := l.readWords(obj)
	n := 0
	if sig > 0 && !math.IsNaN(sig) {
		n = int(math.Ceil(sig))
	}
	if n > len(data) {
		data = append(data, make([]byte, n-len(data))...)
	}
	return data[:n]
}

// toUint32 is JavaScript's ToUint32 (undefined and NaN give 0).
func toUint32(v goja.Value) uint32 {
	if v == nil || goja.IsUndefined(v) {
		return 0
	}
	f := v.ToFloat()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return uint32(int64(math.Trunc(math.Mod(f, 1<<32))))
}

// bytesOf is what crypto-js does with a message argument: a string is UTF-8 encoded,
// a WordArray gives its significant bytes; anything else is read as its string form.
func (l *lib) bytesOf(v goja.Value) []byte {
	if obj, ok := isWordArray(v); ok {
		return l.sigBytes(obj)
	}
	return []byte(v.String())
}

// installWordArray builds the WordArray prototype and CryptoJS.lib.WordArray.
func (l *lib) installWordArray(libObj *goja.Object) error {
	vm := l.vm
	l.waProto = vm.NewObject()
	methods := map[string]func(goja.FunctionCall) goja.Value{
		"toString": func(call goja.FunctionCall) goja.Value {
			return l.stringify(call.Argument(0), call.This, l.enc["Hex"])
		},
		"concat": func(call goja.FunctionCall) goja.Value {
			this := call.This.ToObject(vm)
			other, ok := isWordArray(call.Argument(0))
			if !ok {
				panic(vm.NewTypeError("WordArray.concat: argument is not a WordArray"))
			}
			joined := append(l.sigBytes(this), l.sigBytes(other)...)
			fresh := l.wordArrayOf(joined)
			_ = this.Set("words", fresh.Get("words"))
			_ = this.Set("sigBytes", len(joined))
			return this
		},
		"clamp": func(call goja.FunctionCall) goja.Value {
			this := call.This.ToObject(vm)
			fresh := l.wordArrayOf(l.sigBytes(this))
			_ = this.Set("words", fresh.Get("words"))
			return goja.Undefined()
		},
		"clone": func(call goja.FunctionCall) goja.Value {
			data, sig := l.readWords(call.This.ToObject(vm))
			return l.newWordArray(data, sig)
		},
	}
	for name, fn := range methods {
		if err := l.waProto.DefineDataProperty(name, vm.ToValue(fn), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return fmt.Errorf("cryptojs: defining WordArray.%s: %w", name, err)
		}
	}
	wa := vm.NewObject()
	_ = wa.Set("create", func(call goja.FunctionCall) goja.Value {
		obj := vm.NewObject()
		_ = obj.SetPrototype(l.waProto)
		words := call.Argument(0)
		if goja.IsUndefined(words) || goja.IsNull(words) {
			words = vm.NewArray()
		}
		_ = obj.Set("words", words)
		sig := call.Argument(1)
		if goja.IsUndefined(sig) {
			sig = vm.ToValue(4 * words.ToObject(vm).Get("length").ToInteger())
		}
		_ = obj.Set("sigBytes", sig)
		return obj
	})
	_ = wa.Set("random", func(call goja.FunctionCall) goja.Value {
		n := int(call.Argument(0).ToInteger())
		if n < 0 {
			n = 0
		}
		data := make([]byte, n)
		if _, err := io.ReadFull(l.vu.Env().Random, data); err != nil {
			panic(vm.NewGoError(fmt.Errorf("cryptojs: WordArray.random: %w", err)))
		}
		return l.wordArrayOf(data)
	})
	return libObj.Set("WordArray", wa)
}
