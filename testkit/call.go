package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bmobemu/bmobemu/fncall"
)

// Request is one call of a function as an HTTP client would make it.
type Request struct {
	Method string        // GET or POST; "" is POST with a body, else GET
	Query  []fncall.Pair // in order
	Header http.Header
	Body   []byte
	// ContentType of Body (set by JSONBody, FormBody, XMLBody).
	ContentType string
}

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

// Reply is a function's answer, and what the call logged.
type Reply struct {
	fncall.Response
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

// Call calls a function as a client of its direct URL, GET|POST
// /<secret>/<name>, would: the request is parsed as the server parses it (body
// limit, Express's body parsers) and ends in the same call as the server's.
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
	resp, err := s.Emu.CallHTTP(ctx, name, hreq)
	if err != nil {
		return nil, fmt.Errorf("testkit: call %s: %w", name, err)
	}
	return &Reply{Response: *resp, Log: s.logs.lines(mark)}, nil
}

// REST calls a function the way Bmob's SDKs do, POST /1/functions/<name> with
// a JSON object and the app's REST keys, through the server's REST route: the
// callee sees the values as strings plus _e=<name>, and the answer is
// {"result": "<the script's body>"} (or Bmob's {"code","error"}).
func (s *Session) REST(ctx context.Context, name string, body map[string]any) (*Reply, error) {
	if body == nil {
		body = map[string]any{}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("testkit: rest %s: %w", name, err)
	}
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1/1/functions/"+url.PathEscape(name), bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("testkit: rest %s: %w", name, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("X-Bmob-Application-Id", Keys.AppID)
	hreq.Header.Set("X-Bmob-REST-API-Key", Keys.RESTKey)
	return s.do(hreq, "rest "+name)
}

// do sends one REST request through the fiber app (the REST routes' own
// authentication and routing) and collects the answer and the lines logged
// meanwhile.
func (s *Session) do(hreq *http.Request, what string) (*Reply, error) {
	mark := s.logs.count()
	resp, err := s.Emu.App.Test(hreq, -1)
	if err != nil {
		return nil, fmt.Errorf("testkit: %s: %w", what, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("testkit: %s: reading the answer: %w", what, err)
	}
	return &Reply{Response: fncall.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, Log: s.logs.lines(mark)}, nil
}
