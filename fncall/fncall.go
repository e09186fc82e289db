// Package fncall holds the one shape of a cloud function call: the Request a
// function is called with and the Response it answers, whoever the caller is
// (the direct URL's fiber route, a payment notify, testkit, the console,
// `bmobemu invoke`, oFunctions.run), and the one constructor that turns an HTTP
// request into a Request with Express's body parsing. It imports no other
// package of the project.
package fncall

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// Request is one call as a function sees it. Strings must not alias buffers
// the caller reuses.
type Request struct {
	Method   string      // GET or POST
	URL      string      // path and query as received, e.g. /secret/pay?x=1
	Path     string      // path without query
	Header   http.Header // canonical Go header map; the script sees lower-case names
	Query    []Pair      // query string pairs in order
	Body     Body        // decoded body
	IP       string      // client address
	Hostname string
	Protocol string            // http or https
	Params   map[string]string // route params, e.g. {"functions": "pay"}
	// EndTakesObjects lets response.end(object) send the object as JSON, as
	// Bmob's data hooks are written (response.end({"msg":"ok"})); elsewhere
	// end(object) throws as in Node.
	EndTakesObjects bool
}

// Pair is one key and value of a query string or form body, in order.
type Pair struct{ Key, Value string }

// BodyKind says how Body was decoded, following Express's body parsers.
type BodyKind int

// Body kinds.
const (
	BodyNone BodyKind = iota // request.body is {}
	BodyJSON                 // Raw is JSON text; the script gets JSON.parse(Raw)
	BodyForm                 // Form pairs; values are strings, repeated keys make arrays
	BodyXML                  // Raw is the xml2js-style tree ({xml:{…}}) as JSON in document order, or Value the tree
)

// Body is a decoded request body.
type Body struct {
	Kind  BodyKind
	Raw   []byte
	Form  []Pair
	Value map[string]any
}

// Response is an answer: what a script sent, or what was answered for it.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Kind says whether the script sent it or the runtime answered for it.
	Kind ResponseKind
}

// ResponseKind tells a script's own answer from the runtime's error answers.
type ResponseKind int

// Response kinds.
const (
	Sent        ResponseKind = iota // the script responded
	Threw                           // an uncaught exception (500)
	TimedOut                        // the deadline passed with no response
	NoResponse                      // the script finished without responding
	Unavailable                     // the function's top level failed
	Refused                         // the call never reached a function (bad request, unknown name, busy)
)

// HTTP is the answer as the *http.Response a client of the server reads.
func (r *Response) HTTP() *http.Response {
	body := r.Body
	if r.Status == http.StatusNoContent || r.Status == http.StatusNotModified {
		body = nil
	}
	header := make(http.Header, len(r.Header)+1)
	for k, vals := range r.Header {
		header[http.CanonicalHeaderKey(k)] = append([]string(nil), vals...)
	}
	header.Del("Content-Length")
	if body != nil || r.Status != http.StatusNoContent && r.Status != http.StatusNotModified {
		header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	return &http.Response{
		Status:        strconv.Itoa(r.Status) + " " + http.StatusText(r.Status),
		StatusCode:    r.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
	}
}
