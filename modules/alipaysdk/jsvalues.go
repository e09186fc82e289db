package alipaysdk

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/dop251/goja"
)

// throwError throws `new <ctor>(message)` with extra properties, the shape of Node's
// errors (code, library, reason …).
func (m *module) throwError(ctor, message string, props map[string]any) {
	panic(m.newError(ctor, message, props))
}

func (m *module) newError(ctor, message string, props map[string]any) *goja.Object {
	obj, err := m.vm.New(m.vm.Get(ctor), m.vm.ToValue(message))
	if err != nil {
		panic(err)
	}
	for k, v := range props {
		_ = obj.Set(k, v)
	}
	return obj
}

// throwDecoder throws OpenSSL's DECODER error as Node surfaces it.
func (m *module) throwDecoder() {
	m.throwError("Error", errDecoder.Error(), map[string]any{
		"library": "DECODER routines", "reason": "unsupported", "code": "ERR_OSSL_UNSUPPORTED",
	})
}

// throwInvalidArg throws Node's ERR_INVALID_ARG_TYPE TypeError.
func (m *module) throwInvalidArg(name, want string, got goja.Value) {
	m.throwError("TypeError", "The \""+name+"\" argument must be "+want+". Received "+describe(got),
		map[string]any{"code": "ERR_INVALID_ARG_TYPE"})
}

// describe is how Node's argument errors name the value they received.
func describe(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if _, ok := v.(*goja.Object); ok {
		return "an instance of Object"
	}
	return "type " + v.ExportType().Kind().String() + " (" + v.String() + ")"
}

// stringify is the script's JSON.stringify as it was when the module was built.
func (m *module) stringify(v goja.Value) goja.Value {
	out, err := m.jsonStringify(goja.Undefined(), v)
	if err != nil {
		panic(err)
	}
	return out
}

// encodeURI is encodeURIComponent(v), ToString included.
func (m *module) encodeURI(v goja.Value) string {
	out, err := m.encodeURIComponent(goja.Undefined(), v)
	if err != nil {
		panic(err)
	}
	return out.String()
}

// decodeURI is decodeURIComponent(s) with V8's message on malformed input.
func (m *module) decodeURI(s string) string {
	out, err := m.decodeURIComponent(goja.Undefined(), m.vm.ToValue(s))
	if err != nil {
		if ex, ok := err.(*goja.Exception); ok {
			if obj, isObj := ex.Value().(*goja.Object); isObj && get(obj, "name").String() == "URIError" {
				m.throwError("URIError", "URI malformed", nil)
			}
		}
		panic(err)
	}
	return out.String()
}

// isStringValue is `Array.prototype.toString.call(v) === '[object String]'`, the
// SDK's test for values it leaves as they are: string primitives and String objects.
func isStringValue(v goja.Value) bool {
	if _, ok := v.Export().(string); ok {
		if _, isObj := v.(*goja.Object); !isObj {
			return true
		}
	}
	obj, ok := v.(*goja.Object)
	return ok && obj.ClassName() == "String"
}

// signValue is how the SDK writes a value into a sign string: strings as they are,
// anything else through JSON.stringify, and `${undefined}` when that gives nothing.
func (m *module) signValue(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		panic(m.vm.NewTypeError("Cannot convert undefined or null to object"))
	}
	if isStringValue(v) {
		return v.String()
	}
	out := m.stringify(v)
	if goja.IsUndefined(out) {
		return "undefined"
	}
	return out.String()
}

// sortUTF16 sorts keys as JavaScript's default sort does: by UTF-16 code units.
func sortUTF16(keys []string) {
	enc := make(map[string][]uint16, len(keys))
	for _, k := range keys {
		enc[k] = utf16.Encode([]rune(k))
	}
	less := func(a, b []uint16) bool {
		for i := 0; i < len(a) && i < len(b); i++ {
			if a[i] != b[i] {
				return a[i] < b[i]
			}
		}
		return len(a) < len(b)
	}
	// Insertion sort keeps it dependency-free and stable; key lists are short.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && less(enc[keys[j]], enc[keys[j-1]]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

// decodeNodeBase64 decodes like Buffer.from(s, 'base64'): characters outside the
// (standard or URL-safe) alphabet are skipped, decoding stops at '=', and padding is
// optional.
func decodeNodeBase64(s string) []byte {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '=':
			goto done
		case c == '-':
			b.WriteByte('+')
		case c == '_':
			b.WriteByte('/')
		case isBase64Char(c):
			b.WriteRune(c)
		}
	}
done:
	clean := b.String()
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	out, _ := base64.RawStdEncoding.DecodeString(clean)
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

// get is o[k], with undefined (never nil) for a missing property.
func get(o *goja.Object, k string) goja.Value {
	if v := o.Get(k); v != nil {
		return v
	}
	return goja.Undefined()
}
