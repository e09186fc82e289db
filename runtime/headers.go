package runtime

import (
	"fmt"
	"math"
	"strings"

	"github.com/dop251/goja"
)

// Header and status checks as Node's http module makes them, so that a script
// cannot split a response (CR/LF in a header) or send a status line Node would
// refuse; Location is percent-encoded as Express's res.location does.

// isHTTPToken reports whether name is an RFC 7230 token (Node's checkIsHttpToken).
func isHTTPToken(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue reports whether value has only the characters Node accepts in
// a header value: tab, visible ASCII and space, and U+0080–U+00FF (Node's
// checkInvalidHeaderChar). CR and LF are what matters: they would split the response.
func validHeaderValue(value string) bool {
	for _, r := range value {
		if r != '\t' && (r < 0x20 || r == 0x7f || r > 0xff) {
			return false
		}
	}
	return true
}

// checkHeader throws Node's errors for a header a script sets: a name that is
// not a token (ERR_INVALID_HTTP_TOKEN) or a value with a forbidden character
// (ERR_INVALID_CHAR).
func (s *responseState) checkHeader(name string, values []string) {
	if !isHTTPToken(name) {
		panic(nodeTypeError(s.v.vm, "ERR_INVALID_HTTP_TOKEN", fmt.Sprintf("Header name must be a valid HTTP token [%q]", name)))
	}
	for _, v := range values {
		if !validHeaderValue(v) {
			panic(nodeTypeError(s.v.vm, "ERR_INVALID_CHAR", fmt.Sprintf("Invalid character in header content [%q]", name)))
		}
	}
}

// encodeURL is the encodeurl package Express's res.location uses: every
// character outside the URL-safe set is percent-encoded as UTF-8, except "#"
// and "$" (encodeURI keeps them) and a "%" that already starts an escape.
func encodeURL(url string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(url); i++ {
		c := url[i]
		switch {
		case c == '%' && i+2 < len(url) && isHex(url[i+1]) && isHex(url[i+2]):
			b.WriteByte(c)
		case c == '%':
			b.WriteString("%25")
		case c == '!' || c == '#' || c == '$' || c >= '&' && c <= ';' || c == '=' || c >= '?' && c <= '[' ||
			c == ']' || c == '_' || c >= 'a' && c <= 'z' || c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// setStatus records a status code the script set. Like Node (statusCode |= 0,
// then 100–999), a code out of range is an error only when the response is
// written: it is kept and reported by checkStatus.
func (s *responseState) setStatus(val goja.Value) {
	code := toInt32(val.ToFloat())
	s.status = int(code)
	s.badStatus = ""
	if code < 100 || code > 999 {
		s.badStatus = val.String()
	}
}

// checkStatus throws Node's RangeError [ERR_HTTP_INVALID_STATUS_CODE] when the
// status set is not a valid HTTP status.
func (s *responseState) checkStatus() {
	if s.badStatus == "" {
		return
	}
	vm := s.v.vm
	err, e := vm.New(vm.Get("RangeError"), vm.ToValue("Invalid status code: "+s.badStatus))
	if e != nil {
		panic(e)
	}
	_ = err.Set("code", "ERR_HTTP_INVALID_STATUS_CODE")
	panic(err)
}

// toInt32 is ECMAScript's ToInt32 (what `x | 0` does).
func toInt32(f float64) int32 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	f = math.Mod(math.Trunc(f), 1<<32)
	if f < 0 {
		f += 1 << 32
	}
	return int32(uint32(f))
}
