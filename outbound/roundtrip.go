package outbound

import (
	"fmt"
	"net/http"
	"time"
)

// BlockedError is returned for a request the Block hook refused.
type BlockedError struct {
	Host string
	Err  error
}

// Error implements error.
func (e *BlockedError) Error() string {
	return fmt.Sprintf("outbound request to %s blocked: %v", e.Host, e.Err)
}

// Unwrap returns the hook's reason.
func (e *BlockedError) Unwrap() error { return e.Err }

// RoundTrip implements http.RoundTripper: reroute or block, send, log.
func (r *Router) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	orig := req.URL.Redacted()
	target, rerouted, err := r.Rewrite(req.URL)
	via := ""
	if err == nil && rerouted {
		via = target.Redacted()
	}
	if err == nil && !rerouted && r.block != nil {
		if berr := r.block(req.URL.Hostname()); berr != nil {
			err = &BlockedError{Host: req.URL.Hostname(), Err: berr}
		}
	}
	if err != nil {
		closeBody(req)
		r.logLine(req.Context(), callLine(req.Method, orig, via, 0, err, time.Since(start)))
		return nil, err
	}
	out := req
	if rerouted {
		out = req.Clone(req.Context())
		out.URL = target
		out.Host = "" // the upstream sees its own Host; the original is forwarded
		out.Header.Set("X-Forwarded-Host", req.URL.Host)
		out.Header.Set("X-Forwarded-Proto", req.URL.Scheme)
	}
	resp, err := r.next.RoundTrip(out)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	r.logLine(req.Context(), callLine(req.Method, orig, via, status, err, time.Since(start)))
	if resp != nil && resp.Body != nil && r.maxBody > 0 {
		resp.Body = &cappedBody{ReadCloser: resp.Body, url: orig, left: r.maxBody, cap: r.maxBody}
	}
	return resp, err
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}
