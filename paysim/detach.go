package paysim

import (
	"bytes"
	"io"
	"net/http"
	"strings"
)

// detached wraps h so it sees a request that owns all its memory. fiber's
// adaptor hands over strings and bytes that alias fasthttp's buffers, which are
// reused for the next request; the sandbox and its providers keep out_trade_no,
// ids and headers well beyond the request, so they must own them.
func detached(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		own, err := detach(r)
		if err != nil {
			writeError(w, err)
			return
		}
		h.ServeHTTP(w, own)
	})
}

func detach(r *http.Request) (*http.Request, error) {
	c := r.Clone(r.Context())
	u := *r.URL
	u.Scheme, u.Opaque, u.Host = strings.Clone(u.Scheme), strings.Clone(u.Opaque), strings.Clone(u.Host)
	u.Path, u.RawPath, u.RawQuery = strings.Clone(u.Path), strings.Clone(u.RawPath), strings.Clone(u.RawQuery)
	u.Fragment, u.RawFragment, u.User = strings.Clone(u.Fragment), strings.Clone(u.RawFragment), nil
	c.URL = &u
	c.Method, c.Host, c.RemoteAddr = strings.Clone(r.Method), strings.Clone(r.Host), strings.Clone(r.RemoteAddr)
	c.RequestURI, c.Proto = strings.Clone(r.RequestURI), strings.Clone(r.Proto)
	c.Header = make(http.Header, len(r.Header))
	for k, vs := range r.Header {
		own := make([]string, len(vs))
		for i, v := range vs {
			own[i] = strings.Clone(v)
		}
		c.Header[strings.Clone(k)] = own
	}
	c.Form, c.PostForm, c.MultipartForm = nil, nil, nil
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxProviderBody+1))
		if err != nil {
			return nil, err
		}
		if len(body) > maxProviderBody {
			return nil, &http.MaxBytesError{Limit: maxProviderBody}
		}
		c.Body = io.NopCloser(bytes.NewReader(body))
		c.ContentLength = int64(len(body))
	}
	return c, nil
}
