package restapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"unicode/utf8"
)

// jsonResponse encodes v as Bmob's servers do: compact, object keys sorted (Go
// map order), no HTML escaping. encoding/json writes float64 the way
// JavaScript prints numbers.
func jsonResponse(status int, v any) Response {
	var body []byte
	var err error
	if r, typed := v.(interface{ JSON() ([]byte, error) }); typed { // a typed result writes its own text
		body, err = r.JSON()
	} else {
		body, err = encode(v)
	}
	if err != nil {
		status = http.StatusInternalServerError
		body, _ = encode(map[string]any{"code": status, "error": "encode response: " + err.Error()})
	}
	return Response{Status: status, Header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, Body: body}
}

// Encode writes v as compact JSON with sorted keys and no HTML escaping, the
// form every REST answer uses (exported for callers that build bodies, such as
// batch answers).
func Encode(v any) ([]byte, error) { return encode(v) }

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// MaxEcho bounds how much of a bad input an error message quotes back.
const MaxEcho = 200

// Echo is text as an error message quotes it ("invalid json: <text>."): at most
// MaxEcho bytes, cut at a character boundary and marked with the full size, so
// a 200 KB invalid body does not come back whole.
func Echo[T ~string | ~[]byte](text T) string {
	s := string(text)
	if len(s) <= MaxEcho {
		return s
	}
	cut := MaxEcho
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:cut], len(s))
}
