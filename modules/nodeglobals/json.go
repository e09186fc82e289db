package nodeglobals

import (
	"fmt"
	"unicode/utf16"
)

// JSONErrorMessage is the message of the SyntaxError V8 in Node 16 throws for
// JSON.parse(text) when text is not valid JSON ("Unexpected token u in JSON at
// position 0", "Unexpected end of JSON input", "Unexpected string in JSON at
// position 7"…). Positions count UTF-16 code units, as in JavaScript. Node 20
// words these differently (`"undefined" is not valid JSON`); scripts written for
// Bmob's Node 16 may match on the older texts.
func JSONErrorMessage(text string) string {
	p := &jsonScan{s: utf16.Encode([]rune(text))}
	p.ws()
	if !p.value() {
		return p.msg
	}
	p.ws()
	if p.i < len(p.s) {
		p.unexpected()
		return p.msg
	}
	return "Unexpected end of JSON input"
}

type jsonScan struct {
	s   []uint16
	i   int
	msg string
}

func (p *jsonScan) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

// unexpected records the error at the current position, naming a string or a
// number token as V8 does, or the character.
func (p *jsonScan) unexpected() bool {
	if p.i >= len(p.s) {
		p.msg = "Unexpected end of JSON input"
		return false
	}
	c := p.s[p.i]
	switch {
	case c == '"':
		p.msg = fmt.Sprintf("Unexpected string in JSON at position %d", p.i)
	case c == '-' || c >= '0' && c <= '9':
		p.msg = fmt.Sprintf("Unexpected number in JSON at position %d", p.i)
	default:
		ch := string(utf16.Decode(p.s[p.i : p.i+1]))
		if c >= 0xd800 && c <= 0xdbff && p.i+1 < len(p.s) {
			ch = string(utf16.Decode(p.s[p.i : p.i+2]))
		}
		p.msg = fmt.Sprintf("Unexpected token %s in JSON at position %d", ch, p.i)
	}
	return false
}

func (p *jsonScan) fail() bool { return p.unexpectedChar() }

// unexpectedChar records the error at the current character, whatever it is.
func (p *jsonScan) unexpectedChar() bool {
	if p.i >= len(p.s) {
		p.msg = "Unexpected end of JSON input"
		return false
	}
	ch := string(utf16.Decode(p.s[p.i : p.i+1]))
	p.msg = fmt.Sprintf("Unexpected token %s in JSON at position %d", ch, p.i)
	return false
}

func (p *jsonScan) value() bool {
	if p.i >= len(p.s) {
		return p.unexpected()
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	}
	return p.unexpected()
}

func (p *jsonScan) literal(word string) bool {
	for k := 0; k < len(word); k++ {
		if p.i >= len(p.s) || p.s[p.i] != uint16(word[k]) {
			return p.fail()
		}
		p.i++
	}
	return true
}

func (p *jsonScan) digits() int {
	n := 0
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

func (p *jsonScan) number() bool {
	if p.s[p.i] == '-' {
		p.i++
	}
	if p.i >= len(p.s) {
		return p.fail()
	}
	if p.s[p.i] == '0' {
		p.i++
		if p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			return p.unexpected()
		}
	} else if p.digits() == 0 {
		return p.fail()
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return p.fail()
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return p.fail()
		}
	}
	return true
}

func (p *jsonScan) str() bool {
	p.i++ // opening quote
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return true
		case c < 0x20:
			return p.fail()
		case c == '\\':
			p.i++
			if p.i >= len(p.s) {
				return p.fail()
			}
			switch p.s[p.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i++
			case 'u':
				p.i++
				for k := 0; k < 4; k++ {
					if p.i >= len(p.s) || !isHex(p.s[p.i]) {
						return p.fail()
					}
					p.i++
				}
			default:
				return p.fail()
			}
		default:
			p.i++
		}
	}
	return p.fail()
}

func isHex(c uint16) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func (p *jsonScan) array() bool {
	p.i++
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return true
	}
	for {
		p.ws()
		if !p.value() {
			return false
		}
		p.ws()
		if p.i >= len(p.s) {
			return p.unexpected()
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return true
		default:
			return p.unexpected()
		}
	}
}

func (p *jsonScan) object() bool {
	p.i++
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return true
	}
	for {
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return p.unexpected()
		}
		if !p.str() {
			return false
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return p.unexpected()
		}
		p.i++
		p.ws()
		if !p.value() {
			return false
		}
		p.ws()
		if p.i >= len(p.s) {
			return p.unexpected()
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return true
		default:
			return p.unexpected()
		}
	}
}
