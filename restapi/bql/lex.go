// Package bql parses Bmob Query Language, the SQL-like language of
// GET /1/cloudQuery, into the REST API's query terms (a where object, order,
// limit, skip, keys, include) or a write.
//
// The subset (Bmob's BQL guide):
//
//	select [count(*),] [include a.b,] * | f1,f2 from C [where cond]
//	       [limit [skip,]n] [order by [+|-]f, … [asc|desc]]
//	insert into C (f1, f2) values (v1, v2)
//	update C set f1 = v1, f2 = v2 where objectId = v
//	delete from C where objectId = v
//
// Conditions: = != <> < <= > >= , [not] in (values | select …), all (values),
// like 'pat%', regexp 're', is [not] exists, related key to pointer(C, id),
// and/or with parentheses. Values: 'strings', "strings", numbers,
// true/false/null, [arrays], ? placeholders (filled from values in order),
// date(s), pointer(c, id), geopoint(lng, lat), file(name, url),
// current_timestamp(). Not supported (a parse error names them): not like,
// not regexp, near/within, statistics (sum, group by, having).
package bql

import (
	"fmt"
	"strings"
	"unicode"
)

// Error is a BQL syntax or placeholder error; the REST API answers it as
// 601 "Invalid bql:<Msg>".
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tPunct
)

type token struct {
	kind tokKind
	text string // identifier, unquoted string, number literal or punctuation
	pos  int
}

// lex splits src into tokens.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			s, n, err := lexString(src[i:])
			if err != nil {
				return nil, errorf("%s at %d", err.Error(), i)
			}
			toks = append(toks, token{tString, s, i})
			i += n
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == 'e' || src[j] == 'E' ||
				(src[j] == '-' || src[j] == '+') && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			toks = append(toks, token{tNumber, src[i:j], i})
			i = j
		case c == '_' || c == '$' || c < 0x80 && unicode.IsLetter(rune(c)):
			j := i
			for j < len(src) && (src[j] == '_' || src[j] == '.' || src[j] == '$' || src[j] < 0x80 && (unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j])))) {
				j++
			}
			toks = append(toks, token{tIdent, src[i:j], i})
			i = j
		default:
			for _, p := range []string{"!=", "<>", "<=", ">=", "=", "<", ">", "(", ")", ",", "[", "]", "*", "?", "+", "-"} {
				if strings.HasPrefix(src[i:], p) {
					toks = append(toks, token{tPunct, p, i})
					i += len(p)
					goto next
				}
			}
			return nil, errorf("unexpected character %q at %d", c, i)
		next:
		}
	}
	return append(toks, token{tEOF, "", len(src)}), nil
}

// lexString reads a quoted string: the quote doubled or backslash-escaped
// stands for itself.
func lexString(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == q && i+1 < len(s) && s[i+1] == q:
			i++
			b.WriteByte(q)
		case c == q:
			return b.String(), i + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}
