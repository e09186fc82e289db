package cryptojs

import (
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// encoder is one of CryptoJS.enc: text <-> WordArray.
type encoder struct {
	parse     func(l *lib, s string) *goja.Object
	stringify func(data []byte) (string, error)
}

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

var encoders = map[string]encoder{
	"Hex": {
		parse:     parseHex,
		stringify: func(b []byte) (string, error) { return hex.EncodeToString(b), nil },
	},
	"Utf8": {
		parse: func(l *lib, s string) *goja.Object { return l.wordArrayOf([]byte(s)) },
		stringify: func(b []byte) (string, error) {
			if !utf8.Valid(b) {
				return "", errMalformedUTF8
			}
			return string(b), nil
		},
	},
	"Latin1": {
		parse: func(l *lib, s string) *goja.Object {
			units := utf16Units(s)
			b := make([]byte, len(units))
			for i, u := range units {
				b[i] = byte(u)
			}
			return l.wordArrayOf(b)
		},
		stringify: func(b []byte) (string, error) {
			var sb strings.Builder
			for _, c := range b {
				sb.WriteRune(rune(c))
			}
			return sb.String(), nil
		},
	},
	"Base64": {
		parse:     parseBase64,
		stringify: stringifyBase64,
	},
}

// errMalformedUTF8 is crypto-js's error for bytes that are not UTF-8.
var errMalformedUTF8 = &jsError{"Malformed UTF-8 data"}

// jsError is an error that reaches the script as `new Error(message)`.
type jsError struct{ message string }

func (e *jsError) Error() string { return e.message }

// utf16Units returns s as JavaScript sees it: UTF-16 code units.
func utf16Units(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xd800+(r>>10)), uint16(0xdc00+(r&0x3ff)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}

// parseHex reads hex two digits per byte with parseInt's leniency (a bad first
// digit gives 0, a bad second keeps the first); an odd length leaves a
// fractional sigBytes, as in crypto-js.
func parseHex(l *lib, s string) *goja.Object {
	b := make([]byte, (len(s)+1)/2)
	for i := 0; i < len(s); i += 2 {
		hi, ok := hexDigit(s[i])
		if !ok {
			continue
		}
		if i+1 < len(s) {
			if lo, ok := hexDigit(s[i+1]); ok {
				b[i/2] = hi<<4 | lo
				continue
			}
		}
		b[i/2] = hi
	}
	return l.newWordArray(b, float64(len(s))/2)
}

func hexDigit(c byte) (byte, bool) {
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

// parseBase64 decodes like crypto-js: input stops at the first '=', every other
// character takes a 6-bit slot, and characters outside the alphabet count as 0.
func parseBase64(l *lib, s string) *goja.Object {
	if i := strings.IndexByte(s, '='); i >= 0 {
		s = s[:i]
	}
	units := utf16Units(s)
	vals := make([]byte, len(units))
	for i, u := range units {
		if u < 128 {
			if j := strings.IndexByte(base64Alphabet, byte(u)); j >= 0 {
				vals[i] = byte(j)
			}
		}
	}
	var out []byte
	for i := 1; i < len(vals); i++ {
		k := uint(i % 4)
		if k == 0 {
			continue
		}
		out = append(out, vals[i-1]<<(2*k)|vals[i]>>(6-2*k))
	}
	return l.wordArrayOf(out)
}

func stringifyBase64(b []byte) (string, error) {
	var sb strings.Builder
	for i := 0; i < len(b); i += 3 {
		var chunk [3]byte
		n := copy(chunk[:], b[i:])
		v := uint(chunk[0])<<16 | uint(chunk[1])<<8 | uint(chunk[2])
		for j := 0; j < 4; j++ {
			if j <= n {
				sb.WriteByte(base64Alphabet[(v>>(18-6*uint(j)))&63])
			} else {
				sb.WriteByte('=')
			}
		}
	}
	return sb.String(), nil
}

// installEncoders builds CryptoJS.enc.{Hex,Utf8,Latin1,Base64}.
func (l *lib) installEncoders(root *goja.Object) error {
	vm := l.vm
	encObj := vm.NewObject()
	for name, e := range encoders {
		e := e
		obj := vm.NewObject()
		_ = obj.Set("parse", func(call goja.FunctionCall) goja.Value {
			return e.parse(l, call.Argument(0).String())
		})
		_ = obj.Set("stringify", func(call goja.FunctionCall) goja.Value {
			wa, ok := isWordArray(call.Argument(0))
			if !ok {
				panic(vm.NewTypeError("Cannot read properties of undefined (reading 'words')"))
			}
			s, err := e.stringify(l.sigBytes(wa))
			if err != nil {
				panic(l.throwable(err))
			}
			return vm.ToValue(s)
		})
		l.enc[name] = obj
		if err := encObj.Set(name, obj); err != nil {
			return err
		}
	}
	return root.Set("enc", encObj)
}

// stringify is WordArray.toString(encoder): the encoder's stringify, Hex by default.
func (l *lib) stringify(encArg, this goja.Value, dflt *goja.Object) goja.Value {
	enc := dflt
	if obj, ok := encArg.(*goja.Object); ok {
		enc = obj
	}
	fn, ok := goja.AssertFunction(enc.Get("stringify"))
	if !ok {
		panic(l.vm.NewTypeError("encoder.stringify is not a function"))
	}
	v, err := fn(enc, this)
	if err != nil {
		panic(err)
	}
	return v
}
