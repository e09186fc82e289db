package nodecore

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
)

// Querystring is the constructor of Node's querystring module: parse/decode,
// stringify/encode, escape, unescape and unescapeBuffer's string form.
func Querystring(vu modules.VU) (goja.Value, error) {
	vm := vu.Runtime()
	qs := &querystring{vm: vm}
	obj := vm.NewObject()
	parse, stringify := vm.ToValue(qs.parse), vm.ToValue(qs.stringify)
	for name, fn := range map[string]any{
		"parse":     parse,
		"decode":    parse, // the same function, as in Node
		"stringify": stringify,
		"encode":    stringify,
		"escape":    qs.escape,
		"unescape":  qs.unescape,
	} {
		if err := obj.Set(name, fn); err != nil {
			return nil, fmt.Errorf("querystring: %w", err)
		}
	}
	return obj, nil
}

type querystring struct{ vm *goja.Runtime }

// uriError is Node's error for a lone surrogate in querystring.escape.
func uriError(vm *goja.Runtime) *goja.Object {
	ctor := vm.Get("URIError").(*goja.Object)
	e, _ := vm.New(ctor, vm.ToValue("URI malformed"))
	_ = e.Set("code", "ERR_INVALID_URI")
	return e
}

// optString reads an optional separator argument: undefined, null and "" give def.
func optString(v goja.Value, def string) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return def
	}
	if s := v.String(); s != "" {
		return s
	}
	return def
}

// escape is querystring.escape: encodeURIComponent's set, objects via String().
func (q *querystring) escape(call goja.FunctionCall) goja.Value {
	s, err := escapeValue(call.Argument(0).ToString())
	if err != nil {
		panic(uriError(q.vm))
	}
	return q.vm.ToValue(s)
}

const upperHex = "0123456789ABCDEF"

// unreserved marks the ASCII characters encodeURIComponent leaves alone.
func unreserved(c uint16) bool {
	return c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("-_.!~*'()", byte(c)) >= 0)
}

// escapeValue percent-encodes the UTF-16 string v as UTF-8; a lone surrogate is an error.
func escapeValue(v goja.Value) (string, error) {
	s, ok := v.(goja.String)
	if !ok {
		return escapeGo(v.String())
	}
	var b strings.Builder
	n := s.Length()
	for i := 0; i < n; i++ {
		c := s.CharAt(i)
		if unreserved(c) {
			b.WriteByte(byte(c))
			continue
		}
		r := rune(c)
		if utf16.IsSurrogate(r) {
			if c >= 0xDC00 || i+1 >= n {
				return "", fmt.Errorf("lone surrogate at %d", i)
			}
			r = utf16.DecodeRune(r, rune(s.CharAt(i+1)))
			if r == utf8.RuneError {
				return "", fmt.Errorf("lone surrogate at %d", i)
			}
			i++
		}
		var buf [4]byte
		for _, x := range buf[:utf8.EncodeRune(buf[:], r)] {
			b.WriteByte('%')
			b.WriteByte(upperHex[x>>4])
			b.WriteByte(upperHex[x&15])
		}
	}
	return b.String(), nil
}

func escapeGo(s string) (string, error) {
	var b strings.Builder
	for _, x := range []byte(s) {
		if unreserved(uint16(x)) {
			b.WriteByte(x)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperHex[x>>4])
		b.WriteByte(upperHex[x&15])
	}
	return b.String(), nil
}

// unescape is querystring.unescape: decodeURIComponent, or when that would throw,
// Node's byte-wise fallback that keeps malformed escapes literally.
func (q *querystring) unescape(call goja.FunctionCall) goja.Value {
	return q.vm.ToValue(unescapeString(call.Argument(0).String(), call.Argument(1).ToBoolean()))
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unescapeString decodes %XX escapes. If s is valid for decodeURIComponent that is
// the result; otherwise, like Node's unescapeBuffer(s).toString(), bad escapes stay
// literally, other characters become the low byte of their UTF-16 code unit, and the
// bytes are read as UTF-8 with U+FFFD for invalid sequences.
func unescapeString(s string, decodeSpaces bool) string {
	if out, ok := decodeURIComponent(s); ok {
		return out
	}
	var b []byte
	for i := 0; i < len(s); {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 3
				continue
			}
		}
		if c == '+' && decodeSpaces {
			b = append(b, ' ')
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < utf8.RuneSelf {
			b = append(b, byte(r))
		} else {
			for _, u := range utf16.Encode([]rune{r}) {
				b = append(b, byte(u))
			}
		}
		i += size
	}
	return decodeUTF8(b, false)
}

// decodeURIComponent is the JavaScript global: ok is false where it would throw.
func decodeURIComponent(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		hi, ok1 := unhex(s[i+1])
		lo, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		b = append(b, hi<<4|lo)
		i += 2
	}
	if !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}

// parse is querystring.parse(str, sep = '&', eq = '=', {maxKeys = 1000, decodeURIComponent}).
func (q *querystring) parse(call goja.FunctionCall) goja.Value {
	obj := q.vm.CreateObject(nil)
	sep, eq := optString(call.Argument(1), "&"), optString(call.Argument(2), "=")
	maxKeys := 1000
	var decoder goja.Callable
	if opts, ok := call.Argument(3).(*goja.Object); ok {
		if mk := opts.Get("maxKeys"); mk != nil && !goja.IsUndefined(mk) {
			if f := mk.ToFloat(); !math.IsNaN(f) {
				maxKeys = int(math.Max(math.Min(f, math.MaxInt32), -1))
			}
		}
		if fn, ok := goja.AssertFunction(opts.Get("decodeURIComponent")); ok {
			decoder = fn
		}
	}
	str, ok := call.Argument(0).(goja.String)
	if !ok || str.Length() == 0 {
		return obj
	}
	decode := func(s string) string {
		if decoder != nil {
			if v, err := decoder(goja.Undefined(), q.vm.ToValue(s)); err == nil {
				return v.String()
			}
			return unescapeString(s, true)
		}
		return unescapeString(s, false)
	}
	pairs := -1
	if maxKeys > 0 {
		pairs = maxKeys
	}
	for _, seg := range strings.Split(str.String(), sep) {
		if seg == "" {
			// An empty segment still counts toward maxKeys, as in Node.
			if pairs--; pairs == 0 {
				break
			}
			continue
		}
		key, value, _ := strings.Cut(seg, eq)
		k, v := prepare(key), prepare(value)
		if k.encoded {
			k.s = decode(k.s)
		}
		if v.encoded {
			v.s = decode(v.s)
		}
		addPair(q.vm, obj, k.s, v.s)
		if pairs--; pairs == 0 {
			break
		}
	}
	return obj
}

type part struct {
	s       string
	encoded bool
}

// prepare turns '+' into "%20" and notes whether s holds a valid %XX escape: Node
// only decodes keys and values that do.
func prepare(s string) part {
	p := part{s: s}
	if strings.IndexByte(s, '+') >= 0 {
		p.s = strings.ReplaceAll(s, "+", "%20")
		p.encoded = true
	}
	for i := 0; i+2 < len(s) && !p.encoded; i++ {
		if s[i] == '%' {
			_, ok1 := unhex(s[i+1])
			_, ok2 := unhex(s[i+2])
			p.encoded = ok1 && ok2
		}
	}
	return p
}

// addPair sets key, turning repeated keys into arrays in order of appearance.
func addPair(vm *goja.Runtime, obj *goja.Object, key, value string) {
	cur := obj.Get(key)
	switch {
	case cur == nil:
		_ = obj.Set(key, value)
	case isArray(cur):
		arr := cur.(*goja.Object)
		_ = arr.Set(fmt.Sprint(arr.Get("length").ToInteger()), value)
	default:
		_ = obj.Set(key, vm.NewArray(cur, value))
	}
}

func isArray(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	return ok && o.ClassName() == "Array"
}

// stringify is querystring.stringify(obj, sep = '&', eq = '=', {encodeURIComponent}).
func (q *querystring) stringify(call goja.FunctionCall) goja.Value {
	obj, ok := call.Argument(0).(*goja.Object)
	if !ok {
		return q.vm.ToValue("")
	}
	sep, eq := optString(call.Argument(1), "&"), optString(call.Argument(2), "=")
	encode := func(v goja.Value) string {
		s, err := escapeValue(v)
		if err != nil {
			panic(uriError(q.vm))
		}
		return s
	}
	if opts, ok := call.Argument(3).(*goja.Object); ok {
		if fn, ok := goja.AssertFunction(opts.Get("encodeURIComponent")); ok {
			encode = func(v goja.Value) string {
				out, err := fn(goja.Undefined(), v)
				if err != nil {
					panic(err)
				}
				return out.String()
			}
		}
	}
	var parts []string
	for _, k := range obj.Keys() {
		ks := encode(q.vm.ToValue(k)) + eq
		v := obj.Get(k)
		if isArray(v) {
			arr := v.(*goja.Object)
			n := arr.Get("length").ToInteger()
			if n == 0 {
				continue
			}
			items := make([]string, 0, n)
			for i := int64(0); i < n; i++ {
				items = append(items, ks+encode(primitiveString(q.vm, arr.Get(fmt.Sprint(i)))))
			}
			parts = append(parts, strings.Join(items, sep))
			continue
		}
		parts = append(parts, ks+encode(primitiveString(q.vm, v)))
	}
	return q.vm.ToValue(strings.Join(parts, sep))
}

// primitiveString is how stringify renders a value: strings as they are, finite
// numbers, bigints and booleans as text, anything else as "".
func primitiveString(vm *goja.Runtime, v goja.Value) goja.Value {
	if v == nil {
		return vm.ToValue("")
	}
	switch x := v.Export().(type) {
	case string:
		return v
	case int64, bool:
		return vm.ToValue(v.String())
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return vm.ToValue("")
		}
		return vm.ToValue(v.String())
	}
	if _, ok := v.(*goja.Object); !ok && !goja.IsUndefined(v) && !goja.IsNull(v) && v.ExportType() != nil && v.ExportType().String() == "*big.Int" {
		return vm.ToValue(v.String())
	}
	return vm.ToValue("")
}
