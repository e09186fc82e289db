package restapi

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// signedBodies are the body texts a safe-sign may cover. Normally the bytes
// sent. hydrogen-js-sdk 2.7.3 uploads a file with its generic request helper,
// which signs JSON.stringify(data) while axios sends data raw: a string
// 'Hello' is signed as "\"Hello\"" and sent as Hello, a Buffer is signed as
// {"type":"Buffer","data":[…]} and sent as its bytes. Bmob accepts those
// uploads, so a file upload (POST /2/files/<name>) is also checked against
// what the SDK really signed. The texts are made one at a time, only when the
// ones before did not match (a Buffer's JSON is four times the file's size).
func signedBodies(method, path string, body []byte) []func() string {
	out := []func() string{func() string { return string(body) }}
	if method != http.MethodPost || !strings.HasPrefix(path, "/2/files/") || len(body) == 0 {
		return out
	}
	if utf8.Valid(body) {
		out = append(out, func() string { return jsStringify(string(body)) })
	}
	return append(out, func() string { return bufferJSON(body) })
}

// jsStringify is JSON.stringify of a string as V8 writes it: only `"`, `\`
// and control characters are escaped (\b \f \n \r \t, else \u00xx lower-case),
// never <, >, & or U+2028/2029 (Go's encoding/json would escape those).
func jsStringify(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				const hex = "0123456789abcdef"
				b.WriteString(`\u00`)
				b.WriteByte(hex[r>>4])
				b.WriteByte(hex[r&0xf])
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// bufferJSON is JSON.stringify(Buffer.from(body)) in Node.
func bufferJSON(body []byte) string {
	var b strings.Builder
	b.Grow(len(body)*4 + 32)
	b.WriteString(`{"type":"Buffer","data":[`)
	for i, c := range body {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(c)))
	}
	b.WriteString(`]}`)
	return b.String()
}
