package store

import (
	"bytes"
	"strings"
)

// PostgreSQL's JSONB (and its text columns) cannot hold the NUL character,
// which bbolt's records keep like any other. The PostgreSQL engine stores it
// by a reversible escape with \x01 as the escape character:
//
//	\x00 -> \x01 \x01        \x01 -> \x01 \x02
//
// Strings holding neither character (all but a few) are stored as they are.
// The escape keeps the bytewise order of strings (\x00 and \x01 sort below
// every other character, and so do their escapes), so equality, comparisons,
// order and the unique index work in SQL on escaped values, given operands
// escaped the same way; every read unescapes.

const nulEscape = '\x01'

// needsEscape reports whether s holds \x00 or \x01.
func needsEscape(s string) bool {
	return strings.IndexByte(s, 0) >= 0 || strings.IndexByte(s, nulEscape) >= 0
}

// escapeNUL is s as PostgreSQL stores it.
func escapeNUL(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			b.WriteString("\x01\x01")
		case nulEscape:
			b.WriteString("\x01\x02")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescapeNUL reverses escapeNUL.
func unescapeNUL(s string) string {
	if strings.IndexByte(s, nulEscape) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == nulEscape && i+1 < len(s) {
			i++
			if s[i] == 1 {
				b.WriteByte(0)
			} else {
				b.WriteByte(nulEscape)
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// escapeDeep returns v with every string and object key escaped; values
// that need no escape are shared, not copied.
func escapeDeep(v any) any {
	switch t := v.(type) {
	case string:
		return escapeNUL(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = escapeDeep(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[escapeNUL(k)] = escapeDeep(e)
		}
		return out
	}
	return v
}

// unescapeDeep unescapes every string and object key of v in place (v was
// just decoded) and returns it.
func unescapeDeep(v any) any {
	switch t := v.(type) {
	case string:
		return unescapeNUL(t)
	case []any:
		for i, e := range t {
			t[i] = unescapeDeep(e)
		}
	case map[string]any:
		for k, e := range t {
			if u := unescapeNUL(k); u != k {
				delete(t, k)
				t[u] = unescapeDeep(e)
				continue
			}
			t[k] = unescapeDeep(e)
		}
	}
	return v
}

// jsonNeedsEscape reports whether JSON text may hold a string with \x00 or
// \x01 (encoding/json writes them as \u0000 and \u0001).
func jsonNeedsEscape(b []byte) bool {
	return bytes.Contains(b, []byte(`\u0000`)) || bytes.Contains(b, []byte(`\u0001`))
}
