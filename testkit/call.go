package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bmobemu/bmobemu/modules"
)

// Request is one call of a function as an HTTP client would make it.
type Request struct {
	Method string      // GET or POST; "" is POST with a body, else GET
	Query  []QueryPair // in order
	Header http.Header
	Body   []byte
	// ContentType of Body (set by JSONBody, FormBody, XMLBody).
	ContentType string
}

// QueryPair is one key and value of a query string.
type QueryPair struct{ Key, Value string }

// JSONBody makes a POST request with v as its JSON body.
func JSONBody(v any) (Request, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Request{}, fmt.Errorf("testkit: JSON body: %w", err)
	}
	return Request{Method: http.MethodPost, Body: b, ContentType: "application/json"}, nil
}

// FormBody makes a POST request with a form-encoded body.
func FormBody(form url.Values) Request {
	return Request{Method: http.MethodPost, Body: []byte(form.Encode()), ContentType: "application/x-www-form-urlencoded"}
}

// XMLBody makes a POST request with a text/xml body (WeChat's messages).
func XMLBody(xml string) Request {
	return Request{Method: http.MethodPost, Body: []byte(xml), ContentType: "text/xml"}
}

// Reply is a function's answer.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
	// Log holds the lines the call logged (every function it reached).
	Log []string
}

// Text is the body as text.
func (r *Reply) Text() string { return string(r.Body) }

// JSON decodes the body into v.
func (r *Reply) JSON(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("testkit: the answer is not JSON (%v): %.200s", err, r.Body)
	}
	return nil
}

// Call calls a function by its direct URL, GET|POST /<secret>/<name>, through
// the server's own routing and body parsing.
func (s *Session) Call(ctx context.Context, name string, req Request) (*Reply, error) {
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = http.MethodGet
		if req.Body != nil {
			method = http.MethodPost
		}
	}
	target := "http://127.0.0.1/" + Secret + "/" + url.PathEscape(name)
	if len(req.Query) > 0 {
		parts := make([]string, len(req.Query))
		for i, p := range req.Query {
			parts[i] = url.QueryEscape(p.Key) + "=" + url.QueryEscape(p.Value)
		}
		target += "?" + strings.Join(parts, "&")
	}
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(req.Body))
	if err != nil {
		return nil, fmt.Errorf("testkit: call %s: %w", name, err)
	}
	for k, vs := range req.Header {
		hreq.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if req.ContentType != "" && hreq.Header.Get("Content-Type") == "" {
		hreq.Header.Set("Content-Type", req.ContentType)
	}
	mark := s.logs.count()
	resp, err := s.Emu.App.Test(hreq, -1)
	if err != nil {
		return nil, fmt.Errorf("testkit: call %s: %w", name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("testkit: call %s: reading the answer: %w", name, err)
	}
	return &Reply{Status: resp.StatusCode, Header: resp.Header, Body: body, Log: s.logs.lines(mark)}, nil
}

// REST calls a function the way Bmob's SDKs do, POST /1/functions/<name> with a
// JSON object, and answers {"result": "<the script's body>"}. The callee sees
// what Bmob's runtime gives it (bmob-api.md §1.2, §8.1): a POST whose body is
// the JSON object's values as strings (objects and arrays as JSON text) plus
// _e=<name>. This goes through the functions' internal `_e` entry, the path
// oFunctions.run takes and the server's REST route will take.
func (s *Session) REST(ctx context.Context, name string, body map[string]any) (*Reply, error) {
	form, err := flattenREST(body)
	if err != nil {
		return nil, fmt.Errorf("testkit: rest %s: %w", name, err)
	}
	form = append(form, modules.FormField{Key: "_e", Value: name})
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	mark := s.logs.count()
	reply, err := s.Emu.Functions.CallFunction(ctx, name, form)
	if err != nil {
		return nil, fmt.Errorf("testkit: rest %s: %w", name, err)
	}
	wrapped, err := json.Marshal(map[string]string{"result": string(reply.Body)})
	if err != nil {
		return nil, fmt.Errorf("testkit: rest %s: %w", name, err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return &Reply{Status: http.StatusOK, Header: h, Body: wrapped, Log: s.logs.lines(mark)}, nil
}

// flattenREST turns a REST body into form fields in key order: strings as they
// are, numbers in decimal, booleans and null as their JSON words, objects and
// arrays as JSON text.
func flattenREST(body map[string]any) ([]modules.FormField, error) {
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sortStrings(keys)
	out := make([]modules.FormField, 0, len(keys))
	for _, k := range keys {
		var v string
		switch x := body[k].(type) {
		case string:
			v = x
		case float64:
			v = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			b, err := json.Marshal(x)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", k, err)
			}
			v = string(b)
		}
		out = append(out, modules.FormField{Key: k, Value: v})
	}
	return out, nil
}
