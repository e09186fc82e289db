package alipaysim

import (
	"strconv"
	"unicode/utf8"
)

// obj is a JSON object whose members keep their order: Alipay signs the exact
// bytes of a response object, so the simulator writes them itself.
type obj []member

type member struct {
	k string
	v any // string, obj or []obj
}

// appendJSON writes o compactly, escaping only what JSON requires (no HTML
// escaping: the signed text is what a client reads back).
func (o obj) appendJSON(b []byte) []byte {
	b = append(b, '{')
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, m.k)
		b = append(b, ':')
		switch v := m.v.(type) {
		case string:
			b = appendJSONString(b, v)
		case obj:
			b = v.appendJSON(b)
		case []obj:
			b = append(b, '[')
			for j, item := range v {
				if j > 0 {
					b = append(b, ',')
				}
				b = item.appendJSON(b)
			}
			b = append(b, ']')
		default:
			b = append(b, "null"...)
		}
	}
	return append(b, '}')
}

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, `\u00`...)
				b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, `\u`...)
			b = strconv.AppendInt(b, int64(r), 16)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
