package paysim

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Transport answers requests for every provider's Hosts in-process, through the
// provider's handler, and passes any other request to next. With it in the
// outbound router, no call to a simulated gateway leaves the machine.
func (s *Sandbox) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{s: s, next: next}
}

type transport struct {
	s    *Sandbox
	next http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	p, ok := t.s.hostProvider(req.URL.Hostname())
	if !ok {
		return t.next.RoundTrip(req)
	}
	// A server-side view of the client request, as net/http's server would build it.
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.Host = req.URL.Host
	if req.Host != "" {
		in.Host = req.Host
	}
	in.RemoteAddr = "127.0.0.1:0"
	in.Proto, in.ProtoMajor, in.ProtoMinor = "HTTP/1.1", 1, 1
	if in.Body == nil {
		in.Body = http.NoBody
	}
	in.Header = req.Header.Clone()
	if in.Header == nil {
		in.Header = http.Header{}
	}
	if req.Header.Get("User-Agent") == "" && req.Header["User-Agent"] == nil {
		// net/http's client would have sent its default; keep the simulator's view honest.
		in.Header.Set("User-Agent", "Go-http-client/1.1")
	}
	rec := &recorder{header: http.Header{}}
	serve(p, rec, in)
	if in.Body != nil {
		_ = in.Body.Close()
	}
	t.s.persist() // the call may have made or changed a trade
	return rec.response(req), nil
}

// serve runs the provider's handler; a panic in it becomes a 500, as it would
// over the network, instead of taking the calling script down with it.
func serve(h http.Handler, rec *recorder, req *http.Request) {
	defer func() {
		if r := recover(); r != nil {
			rec.header = http.Header{"Content-Type": {"text/plain; charset=utf-8"}}
			rec.status = http.StatusInternalServerError
			rec.body.Reset()
			fmt.Fprintf(&rec.body, "sandbox provider panicked: %v", r)
		}
	}()
	h.ServeHTTP(rec, req)
}

// recorder is an in-memory http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

func (r *recorder) response(req *http.Request) *http.Response {
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	h := r.header.Clone()
	if h.Get("Content-Type") == "" && r.body.Len() > 0 {
		h.Set("Content-Type", http.DetectContentType(r.body.Bytes()))
	}
	h.Set("Content-Length", strconv.Itoa(r.body.Len()))
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(r.body.Bytes())),
		ContentLength: int64(r.body.Len()),
		Request:       req,
	}
}
