package testkit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// FakeHTTP stands in for the network in handler tests: every outbound call a
// function makes (oHttp, request, alipay-sdk's exec…) is answered by a declared
// Route or, when none matches, refused and recorded as unexpected, which fails
// the test. With the payment sandbox on, a call no route matches for a
// simulated provider's host (openapi.alipay.com, api.mch.weixin.qq.com…) is
// answered by the simulator instead: declared answers win, then the sandbox,
// and anything else is undeclared. It is safe for concurrent use.
type FakeHTTP struct {
	mu         sync.Mutex
	sandbox    http.RoundTripper // answers provider hosts; nil when the sandbox is off
	routes     []*Route
	requests   []Recorded
	unexpected []Recorded
}

// Route declares the answer to requests for one host and path.
type Route struct {
	Method string // "" matches any method
	Host   string // host[:port] as the script wrote it; "" matches any host
	Path   string // exact path; "" matches any path
	// The answer.
	Status int // 0 means 200
	Header http.Header
	Body   []byte
	// Times limits how many requests the route answers (0: any number); a used-up
	// route stops matching, so earlier declarations answer again.
	Times int

	hits int
}

// Recorded is one outbound request as the fake received it.
type Recorded struct {
	Method string
	URL    string // full URL
	Host   string
	Path   string
	Query  string // raw query
	Header http.Header
	Body   []byte
	// Matched reports whether a Route answered it.
	Matched bool
	// Sandbox reports whether the payment sandbox answered it (no Route matched).
	Sandbox bool
}

// Add declares a route. When several match a request, the latest declared wins.
func (f *FakeHTTP) Add(r Route) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.Method = strings.ToUpper(r.Method)
	r.Host = strings.ToLower(r.Host)
	f.routes = append(f.routes, &r)
}

// Requests returns every outbound request made so far, in order.
func (f *FakeHTTP) Requests() []Recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Recorded(nil), f.requests...)
}

// Unexpected returns the requests no route matched.
func (f *FakeHTTP) Unexpected() []Recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Recorded(nil), f.unexpected...)
}

// UndeclaredError is what a function sees for an outbound call no route matches.
type UndeclaredError struct{ Method, URL string }

func (e *UndeclaredError) Error() string {
	return fmt.Sprintf("undeclared outbound request %s %s: declare its answer in the test (http.on / FakeHTTP.Add)", e.Method, e.URL)
}

// RoundTrip implements http.RoundTripper.
func (f *FakeHTTP) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("fake http: reading the request body: %w", err)
		}
		body = b
	}
	rec := Recorded{Method: req.Method, URL: req.URL.String(), Host: strings.ToLower(req.URL.Host),
		Path: req.URL.Path, Query: req.URL.RawQuery, Header: req.Header.Clone(), Body: body}
	f.mu.Lock()
	route := f.match(rec)
	rec.Matched = route != nil
	sb := f.sandbox
	if route == nil && sb != nil {
		f.mu.Unlock()
		in := req.Clone(req.Context())
		in.Body = io.NopCloser(bytes.NewReader(body))
		resp, err := sb.RoundTrip(in)
		f.mu.Lock()
		rec.Sandbox = !errors.Is(err, errNotSandboxed)
		if rec.Sandbox {
			f.requests = append(f.requests, rec)
			f.mu.Unlock()
			return resp, err
		}
	}
	f.requests = append(f.requests, rec)
	if route == nil {
		f.unexpected = append(f.unexpected, rec)
		f.mu.Unlock()
		return nil, &UndeclaredError{Method: rec.Method, URL: rec.URL}
	}
	route.hits++
	status, header, respBody := route.Status, route.Header.Clone(), route.Body
	f.mu.Unlock()
	if status == 0 {
		status = http.StatusOK
	}
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: header,
		Body: io.NopCloser(bytes.NewReader(respBody)), ContentLength: int64(len(respBody)), Request: req,
	}, nil
}

// answerProvidersWith makes rt answer the calls no route matches for provider
// hosts; rt returns errNotSandboxed for other hosts.
func (f *FakeHTTP) answerProvidersWith(rt http.RoundTripper) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sandbox = rt
}

// match finds the latest declared live route for rec; f.mu is held.
func (f *FakeHTTP) match(rec Recorded) *Route {
	for i := len(f.routes) - 1; i >= 0; i-- {
		r := f.routes[i]
		if r.Times > 0 && r.hits >= r.Times {
			continue
		}
		if (r.Method == "" || r.Method == rec.Method) && (r.Host == "" || hostMatches(r.Host, rec.Host)) &&
			(r.Path == "" || r.Path == rec.Path) {
			return r
		}
	}
	return nil
}

// hostMatches lets a route without a port match the host on any port.
func hostMatches(want, got string) bool {
	if want == got {
		return true
	}
	if !strings.Contains(want, ":") {
		if h, _, ok := strings.Cut(got, ":"); ok {
			return h == want
		}
	}
	return false
}
