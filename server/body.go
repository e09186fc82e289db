package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/bmobemu/bmobemu/runtime"
)

// buildRequest copies what the runtime needs out of fiber's reused buffers and
// decodes the body as Express's parsers do: JSON typed (objects and arrays only),
// urlencoded as strings, text/xml through xml2js, anything else {}.
func buildRequest(c *fiber.Ctx, parseXML func([]byte) ([]byte, error)) (*runtime.Request, error) {
	raw := c.Request()
	header := http.Header{}
	raw.Header.VisitAll(func(k, v []byte) { header.Add(string(k), string(v)) })
	req := &runtime.Request{
		Method:   string(raw.Header.Method()),
		URL:      string(raw.RequestURI()),
		Path:     string(raw.URI().Path()),
		Header:   header,
		Query:    ParsePairs(string(raw.URI().QueryString())),
		IP:       c.IP(),
		Hostname: strings.Clone(c.Hostname()),
		Protocol: strings.Clone(c.Protocol()),
	}
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		return req, nil
	}
	body, err := DecodeBody(header.Get("Content-Type"), raw.Body(), parseXML)
	if err != nil {
		return nil, err
	}
	req.Body = body
	return req, nil
}

// DecodeBody decodes a POST body by its Content-Type.
func DecodeBody(contentType string, data []byte, parseXML func([]byte) ([]byte, error)) (runtime.Body, error) {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	switch mediaType {
	case "application/json":
		trimmed := bytes.TrimSpace(data)
		if len(trimmed) == 0 {
			return runtime.Body{}, nil
		}
		if trimmed[0] != '{' && trimmed[0] != '[' { // body-parser's strict mode
			return runtime.Body{}, fmt.Errorf("JSON body must be an object or an array (body-parser strict mode), got %q", clip(trimmed))
		}
		if !json.Valid(trimmed) {
			var v any
			err := json.Unmarshal(trimmed, &v)
			return runtime.Body{}, fmt.Errorf("invalid JSON body: %v", err)
		}
		return runtime.Body{Kind: runtime.BodyJSON, Raw: append([]byte(nil), trimmed...)}, nil
	case "application/x-www-form-urlencoded":
		return runtime.Body{Kind: runtime.BodyForm, Form: ParsePairs(string(data))}, nil
	case "text/xml":
		if parseXML == nil || len(bytes.TrimSpace(data)) == 0 {
			return runtime.Body{}, nil
		}
		tree, err := parseXML(data)
		if err != nil {
			return runtime.Body{}, fmt.Errorf("invalid XML body: %v", err)
		}
		if tree == nil {
			return runtime.Body{}, nil
		}
		return runtime.Body{Kind: runtime.BodyXML, Raw: tree}, nil
	}
	return runtime.Body{}, nil
}

func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// ParsePairs parses a query string or urlencoded body as Node's querystring.parse
// does: "+" is a space, bad %-escapes stay as written, order is kept.
func ParsePairs(s string) []runtime.Pair {
	if s == "" {
		return nil
	}
	var out []runtime.Pair
	for _, part := range strings.Split(s, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out = append(out, runtime.Pair{Key: unescape(k), Value: unescape(v)})
	}
	return out
}

func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	raw := []byte(strings.ReplaceAll(s, "+", " "))
	for i := 0; i < len(raw); i++ {
		if raw[i] == '%' && i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]) {
			b.WriteByte(unhex(raw[i+1])<<4 | unhex(raw[i+2]))
			i += 2
			continue
		}
		b.WriteByte(raw[i])
	}
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
