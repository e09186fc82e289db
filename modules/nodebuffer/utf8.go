package nodebuffer

import "unicode/utf8"

// ReplaceInvalidUTF8 decodes b as Node's Buffer#toString and TextDecoder do: each
// maximal subpart of an ill-formed sequence becomes one U+FFFD, as the Encoding
// standard (and V8) do, so "\xe4\xb8" at the end is one replacement character, not
// two as Go's range loop gives. Valid input comes back as it is.
func ReplaceInvalidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]rune, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r != utf8.RuneError || size > 1 {
			out = append(out, r)
			b = b[size:]
			continue
		}
		out = append(out, utf8.RuneError)
		b = b[maximalSubpart(b):]
	}
	return string(out)
}

// maximalSubpart is the length (at least 1) of the longest prefix of b that
// starts a well-formed UTF-8 sequence.
func maximalSubpart(b []byte) int {
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xbf)
	switch {
	case c >= 0xc2 && c <= 0xdf:
		need = 1
	case c == 0xe0:
		need, lo = 2, 0xa0
	case c >= 0xe1 && c <= 0xec, c == 0xee, c == 0xef:
		need = 2
	case c == 0xed:
		need, hi = 2, 0x9f
	case c == 0xf0:
		need, lo = 3, 0x90
	case c >= 0xf1 && c <= 0xf3:
		need = 3
	case c == 0xf4:
		need, hi = 3, 0x8f
	default:
		return 1
	}
	n := 1
	for i := 1; i <= need && i < len(b); i++ {
		if b[i] < lo || b[i] > hi {
			break
		}
		lo, hi = 0x80, 0xbf
		n++
	}
	return n
}
