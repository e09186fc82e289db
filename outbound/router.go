// Package outbound is the single way out to the network for a script: every HTTP
// call a module makes goes through a Router, which reroutes configured hosts to a
// local upstream (--upstream HOST=URL), refuses hosts a Block hook rejects, applies
// transport timeouts and logs each call as `METHOD URL -> STATUS (12ms)`.
//
// Rerouting keeps method, path, query, headers and body. The upstream sees its own
// Host header (as any reverse proxy's backend would) plus X-Forwarded-Host and
// X-Forwarded-Proto naming the host and scheme the script asked for.
package outbound

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options configure a Router. The zero value is usable: no rerouting, no blocking,
// no logging, default transport.
type Options struct {
	// Upstreams maps a host the script calls ("api.mch.weixin.qq.com", or
	// "host:port" to match one port only) to the base URL that serves it instead
	// ("http://127.0.0.1:9000", optionally with a path prefix). Keys are
	// case-insensitive.
	Upstreams map[string]string
	// Log receives one line per outbound call, after any per-invocation logger set
	// with WithLogger.
	Log func(ctx context.Context, line string)
	// Block, when set, is asked about every host a request would reach on the real
	// network (rerouted requests are not asked: an --upstream is explicit consent).
	// A non-nil error refuses the request with a *BlockedError.
	Block func(host string) error
	// Transport is what finally sends requests; nil means a fresh HTTP/1.1
	// transport with the timeouts below. Tests and the sandbox may plug their own.
	Transport http.RoundTripper
	// MaxResponseBody caps the bytes of one response body a script may read
	// (--outbound-body-limit): reading past it fails with a *BodyTooLargeError.
	// 0 means DefaultMaxResponseBody; negative, no cap.
	MaxResponseBody int64
}

// Router sends a script's outbound HTTP requests. It is safe for concurrent use.
type Router struct {
	upstreams map[string]upstream
	log       func(ctx context.Context, line string)
	block     func(host string) error
	next      http.RoundTripper
	maxBody   int64 // <= 0: no cap
}

// Timeouts of the default transport. They bound the phases request 2.88 leaves to
// the OS; the invocation's context bounds the whole call.
const (
	dialTimeout           = 30 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 60 * time.Second
	idleConnTimeout       = 90 * time.Second
)

// New makes a Router. Upstream entries that do not parse make requests to their
// host fail with an error naming the entry; validate flags with ParseUpstream.
func New(opts Options) *Router {
	r := &Router{
		upstreams: make(map[string]upstream, len(opts.Upstreams)),
		log:       opts.Log,
		block:     opts.Block,
		next:      opts.Transport,
		maxBody:   opts.MaxResponseBody,
	}
	if r.maxBody == 0 {
		r.maxBody = DefaultMaxResponseBody
	}
	for host, base := range opts.Upstreams {
		r.upstreams[strings.ToLower(host)] = parseBase(base)
	}
	if r.next == nil {
		r.next = newTransport()
	}
	return r
}

// DefaultTransport is a fresh transport like the one a Router uses when
// Options.Transport is nil, for wrappers that pass unmatched requests on.
func DefaultTransport() http.RoundTripper { return newTransport() }

// newTransport builds an HTTP/1.1 transport like Node's http agent: no HTTP/2, no
// automatic Accept-Encoding (request only asks for gzip when told to).
func newTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		IdleConnTimeout:       idleConnTimeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
		TLSNextProto:          map[string]func(string, *tls.Conn) http.RoundTripper{},
	}
}

// Client returns a client whose requests go through the router. Each call returns a
// new *http.Client sharing the router, so callers may change its CheckRedirect or
// Jar without affecting others. It follows Go's default redirect policy.
func (r *Router) Client() *http.Client {
	return &http.Client{Transport: r}
}

// Rewrite tells where a request for u would go: the rerouted URL and true, or u
// and false when no upstream matches. Errors come from an invalid upstream entry.
func (r *Router) Rewrite(u *url.URL) (*url.URL, bool, error) {
	up, ok := r.match(u)
	if !ok {
		return u, false, nil
	}
	if up.err != nil {
		return nil, false, up.err
	}
	return up.join(u), true, nil
}

func (r *Router) match(u *url.URL) (upstream, bool) {
	if up, ok := r.upstreams[strings.ToLower(u.Host)]; ok {
		return up, true
	}
	up, ok := r.upstreams[strings.ToLower(u.Hostname())]
	return up, ok
}
