// Package nodebuffer gives scripts Node's Buffer. It builds on goja_nodejs/buffer and
// patches that Buffer (same prototype object, same internal API) so goja_nodejs helpers
// such as buffer.WrapBytes keep working, and fills the gaps that matter for Bmob
// scripts: every Node encoding, case-insensitive names, Node's lenient decoders,
// slice as a view, toJSON, compare, copy, indexOf and the legacy Buffer(n) forms.
package nodebuffer

import (
	"strings"
	"unicode/utf16"

	"github.com/dop251/goja"
)

// Encoding is one of Node's Buffer encodings.
type Encoding int

// The encodings Node's Buffer knows. Aliases (utf-8, binary, ucs-2, utf-16le) map to these.
const (
	UTF8 Encoding = iota
	Hex
	Base64
	Base64URL
	Latin1
	ASCII
	UTF16LE
)

// ParseEncoding maps a Node encoding name, in any letter case, to an Encoding.
func ParseEncoding(name string) (Encoding, bool) {
	switch strings.ToLower(name) {
	case "utf8", "utf-8":
		return UTF8, true
	case "hex":
		return Hex, true
	case "base64":
		return Base64, true
	case "base64url":
		return Base64URL, true
	case "latin1", "binary":
		return Latin1, true
	case "ascii":
		return ASCII, true
	case "ucs2", "ucs-2", "utf16le", "utf-16le":
		return UTF16LE, true
	}
	return UTF8, false
}

// codeUnits returns the UTF-16 code units of a JavaScript string value, which the
// latin1, ascii, ucs2 and base64 decoders work on (as Node's do).
func codeUnits(v goja.Value) []uint16 {
	if s, ok := v.(goja.String); ok {
		out := make([]uint16, s.Length())
		for i := range out {
			out[i] = s.CharAt(i)
		}
		return out
	}
	return utf16.Encode([]rune(v.String()))
}

// decodeValue turns a JavaScript string into bytes the way Buffer.from(str, enc) does.
func decodeValue(v goja.Value, enc Encoding) []byte {
	if enc == UTF8 {
		return []byte(v.String())
	}
	return decodeUnits(codeUnits(v), enc)
}

// DecodeString turns a Go string into bytes the way Buffer.from(str, enc) does.
func DecodeString(s string, enc Encoding) []byte {
	if enc == UTF8 {
		return []byte(strings.ToValidUTF8(s, "\uFFFD"))
	}
	return decodeUnits(utf16.Encode([]rune(s)), enc)
}

func decodeUnits(u []uint16, enc Encoding) []byte {
	switch enc {
	case Hex:
		return decodeHex(u)
	case Base64, Base64URL:
		return decodeBase64(u)
	case Latin1, ASCII:
		// Node keeps the low byte of each code unit for both.
		out := make([]byte, len(u))
		for i, c := range u {
			out[i] = byte(c)
		}
		return out
	case UTF16LE:
		out := make([]byte, 2*len(u))
		for i, c := range u {
			out[2*i] = byte(c)
			out[2*i+1] = byte(c >> 8)
		}
		return out
	}
	return []byte(string(utf16.Decode(u)))
}

// Encode renders bytes as a JavaScript string the way buf.toString(enc) does.
func Encode(b []byte, enc Encoding) goja.Value {
	switch enc {
	case Hex:
		return asciiValue(encodeHex(b))
	case Base64:
		return asciiValue(encodeBase64(b, stdAlphabet, true))
	case Base64URL:
		return asciiValue(encodeBase64(b, urlAlphabet, false))
	case Latin1:
		u := make([]uint16, len(b))
		for i, c := range b {
			u[i] = uint16(c)
		}
		return goja.StringFromUTF16(u)
	case ASCII:
		u := make([]uint16, len(b))
		for i, c := range b {
			u[i] = uint16(c & 0x7f)
		}
		return goja.StringFromUTF16(u)
	case UTF16LE:
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		return goja.StringFromUTF16(u)
	}
	return goja.StringFromUTF16(utf16.Encode(decodeUTF8(b)))
}

// EncodeToString is Encode for Go callers.
func EncodeToString(b []byte, enc Encoding) string {
	return Encode(b, enc).String()
}

func asciiValue(s string) goja.Value {
	u := make([]uint16, len(s))
	for i := 0; i < len(s); i++ {
		u[i] = uint16(s[i])
	}
	return goja.StringFromUTF16(u)
}

// byteLengthOf is Buffer.byteLength for a string: exact for most encodings, Node's
// estimate from the length for base64 (as Node computes it).
func byteLengthOf(v goja.Value, enc Encoding) int {
	switch enc {
	case UTF8:
		return len(v.String())
	case Latin1, ASCII:
		return len(codeUnits(v))
	case UTF16LE:
		return 2 * len(codeUnits(v))
	case Hex:
		return len(codeUnits(v)) >> 1
	}
	u := codeUnits(v)
	n := len(u)
	if n > 0 && u[n-1] == '=' {
		n--
	}
	if n > 1 && u[n-1] == '=' {
		n--
	}
	return n * 3 >> 2
}
