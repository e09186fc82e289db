package fncall

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"
	"golang.org/x/net/http/httpguts"
)

// DefaultBodyLimit is Bmob's request body limit, 0.2 MB (docs: Bmob's limits).
const DefaultBodyLimit = 200 * 1024

// Parser turns an HTTP request into a Request the way Bmob's direct URL
// receives it: the body limit, valid header fields, and Express's body parsers
// (JSON typed, objects and arrays only; urlencoded as strings; text/xml through
// xml2js; anything else {}). Every caller of a function builds its Request
// here, so each one gets exactly what an HTTP client's call gets.
type Parser struct {
	// BodyLimit bounds request bodies in bytes; 0 means DefaultBodyLimit.
	BodyLimit int
	// ParseXML turns a text/xml body into xml2js's explicitArray:false tree, as
	// JSON text with the keys in document order. nil reads text/xml bodies as {}.
	ParseXML func([]byte) ([]byte, error)
}

// Error is a request refused before any function ran, with its HTTP status.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// Answer is the refusal as the answer an HTTP client gets.
func (e *Error) Answer() *Response {
	return TextAnswer(e.Status, e.Message)
}

// TextAnswer is a plain-text answer for a call that reached no function.
func TextAnswer(status int, text string) *Response {
	h := http.Header{}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	return &Response{Status: status, Header: h, Body: []byte(text), Kind: Refused}
}

func (p Parser) limit() int {
	if p.BodyLimit <= 0 {
		return DefaultBodyLimit
	}
	return p.BodyLimit
}

// TooLarge is the refusal of a body over limit bytes.
func TooLarge(limit int) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge,
		Message: fmt.Sprintf("request body larger than the limit of %d bytes (Bmob allows 0.2 MB; see --body-limit)", limit)}
}

func badRequest(err error) *Error {
	return &Error{Status: http.StatusBadRequest, Message: "Bad Request: " + err.Error()}
}

// FromFastHTTP builds the Request of a call received by fasthttp (the fiber
// route). ip, hostname and protocol are the server's view of the client. Every
// string is copied: fasthttp reuses its buffers.
func (p Parser) FromFastHTTP(raw *fasthttp.Request, ip, hostname, protocol string) (*Request, error) {
	body := raw.Body()
	if len(body) > p.limit() {
		return nil, TooLarge(p.limit())
	}
	header := make(http.Header, raw.Header.Len())
	raw.Header.VisitAll(func(k, v []byte) {
		key := headerName(k)
		header[key] = append(header[key], string(v))
	})
	uri, path := string(raw.RequestURI()), raw.URI().Path()
	req := &Request{
		Method:   methodName(raw.Header.Method()),
		URL:      uri,
		Header:   header,
		Query:    ParsePairs(string(raw.URI().QueryString())),
		IP:       ip,
		Hostname: strings.Clone(hostname),
		Protocol: "http",
	}
	if protocol != "http" {
		req.Protocol = strings.Clone(protocol)
	}
	if len(uri) >= len(path) && uri[:len(path)] == string(path) {
		req.Path = uri[:len(path)] // the usual case: no second copy
	} else {
		req.Path = string(path)
	}
	return req, p.decodeInto(req, body)
}

// headerName is the canonical name of a header as fasthttp hands it, without
// a new string for the names most requests carry.
func headerName(k []byte) string {
	switch string(k) {
	case "Host":
		return "Host"
	case "Content-Type":
		return "Content-Type"
	case "Content-Length":
		return "Content-Length"
	case "User-Agent":
		return "User-Agent"
	case "Accept":
		return "Accept"
	case "Accept-Encoding":
		return "Accept-Encoding"
	case "Accept-Language":
		return "Accept-Language"
	case "Connection":
		return "Connection"
	case "Cookie":
		return "Cookie"
	}
	return http.CanonicalHeaderKey(string(k))
}

// methodName is the request's method without a new string for GET and POST.
func methodName(m []byte) string {
	switch string(m) {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodPost:
		return http.MethodPost
	}
	return string(m)
}

// FromHTTP builds the Request of a call given as a net/http request (a payment
// notify, a handler test, the console): the body is read up to the limit, and
// the header holds what would have reached the server on the wire (Host, and
// Content-Length when there is a body).
func (p Parser) FromHTTP(r *http.Request) (*Request, error) {
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, int64(p.limit())+1))
		if err != nil {
			return nil, badRequest(fmt.Errorf("reading the request body: %w", err))
		}
		if len(body) > p.limit() {
			return nil, TooLarge(p.limit())
		}
	}
	method := strings.ToUpper(r.Method)
	if method == "" {
		method = http.MethodGet
	}
	header := make(http.Header, len(r.Header)+2)
	for k, vals := range r.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return nil, badRequest(fmt.Errorf("invalid header name %q", k))
		}
		for _, v := range vals {
			if !httpguts.ValidHeaderFieldValue(v) {
				return nil, badRequest(fmt.Errorf("invalid value of header %s", k))
			}
		}
		key := http.CanonicalHeaderKey(k)
		header[key] = append(header[key], vals...)
	}
	host := r.Host
	if host == "" && r.URL != nil {
		host = r.URL.Host
	}
	if host != "" {
		header.Set("Host", host)
	}
	if len(body) > 0 || (method != http.MethodGet && method != http.MethodHead) {
		header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	req := &Request{Method: method, Header: header, Hostname: host, Protocol: "http", IP: remoteIP(r.RemoteAddr)}
	if r.TLS != nil {
		req.Protocol = "https"
	}
	if r.URL != nil {
		req.Path = r.URL.EscapedPath()
		if req.Path == "" {
			req.Path = "/"
		}
		req.URL = req.Path
		if r.URL.RawQuery != "" {
			req.URL += "?" + r.URL.RawQuery
		}
		req.Query = ParsePairs(r.URL.RawQuery)
	}
	return req, p.decodeInto(req, body)
}

// FromForm builds the call Bmob's runtime makes for REST /1/functions and
// oFunctions.run: a form-encoded POST to "/" from the runtime itself, its
// body under the same limit as any other call's.
func (p Parser) FromForm(form []Pair) (*Request, error) {
	size := 0
	for i, f := range form {
		size += len(url.QueryEscape(f.Key)) + len(url.QueryEscape(f.Value)) + 1
		if i > 0 {
			size++ // the "&"
		}
	}
	if size > p.limit() {
		return nil, TooLarge(p.limit())
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	return &Request{
		Method: http.MethodPost, URL: "/", Path: "/", Header: h, IP: "127.0.0.1", Hostname: "127.0.0.1",
		Protocol: "http", Params: map[string]string{}, Body: Body{Kind: BodyForm, Form: append([]Pair(nil), form...)},
	}, nil
}

// remoteIP is the address part of a RemoteAddr; a request made in-process has
// none and comes from the loopback address.
func remoteIP(addr string) string {
	if addr == "" {
		return "127.0.0.1"
	}
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

func (p Parser) decodeInto(req *Request, body []byte) error {
	if req.Method == http.MethodGet || req.Method == http.MethodHead {
		return nil
	}
	b, err := p.DecodeBody(req.Header.Get("Content-Type"), body)
	if err != nil {
		var refusal *Error
		if errors.As(err, &refusal) {
			return refusal
		}
		return badRequest(err)
	}
	req.Body = b
	return nil
}

// DecodeBody decodes a POST body by its Content-Type.
func (p Parser) DecodeBody(contentType string, data []byte) (Body, error) {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	}
	switch mediaType {
	case "application/json":
		trimmed := bytes.TrimSpace(data)
		if len(trimmed) == 0 {
			return Body{}, nil
		}
		if trimmed[0] != '{' && trimmed[0] != '[' { // body-parser's strict mode
			return Body{}, fmt.Errorf("JSON body must be an object or an array (body-parser strict mode), got %q", clip(trimmed))
		}
		if !json.Valid(trimmed) {
			var v any
			err := json.Unmarshal(trimmed, &v)
			return Body{}, fmt.Errorf("invalid JSON body: %v", err)
		}
		return Body{Kind: BodyJSON, Raw: append([]byte(nil), trimmed...)}, nil
	case "application/x-www-form-urlencoded":
		return Body{Kind: BodyForm, Form: ParsePairs(string(data))}, nil
	case "text/xml":
		if p.ParseXML == nil || len(bytes.TrimSpace(data)) == 0 {
			return Body{}, nil
		}
		tree, err := p.ParseXML(data)
		if err != nil {
			return Body{}, fmt.Errorf("invalid XML body: %v", err)
		}
		if tree == nil {
			return Body{}, nil
		}
		return Body{Kind: BodyXML, Raw: tree}, nil
	}
	return Body{}, nil
}

func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}

// ParsePairs parses a query string or urlencoded body as Node's querystring.parse
// does: "+" is a space, bad %-escapes stay as written, order is kept.
func ParsePairs(s string) []Pair {
	if s == "" {
		return nil
	}
	out := make([]Pair, 0, strings.Count(s, "&")+1)
	for part := range strings.SplitSeq(s, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out = append(out, Pair{Key: unescape(k), Value: unescape(v)})
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
