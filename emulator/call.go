package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/bmobemu/bmobemu/fncall"
)

// CallHTTP runs the function name with r as Bmob's direct URL would receive
// it (r's path is not looked at): r is parsed by Calls, and the call ends in
// Functions.Serve as the server's own route does, with no HTTP round trip. The
// answer is the function's, or the refusal an HTTP client would get (413, 400,
// 404, 503...). err is set only when ctx ended first: the call goes on to its
// own deadline, as a call whose client hung up does.
func (e *Emulator) CallHTTP(ctx context.Context, name string, r *http.Request) (*fncall.Response, error) {
	req, err := e.Calls.FromHTTP(r)
	if err != nil {
		var refused *fncall.Error
		if errors.As(err, &refused) {
			return refused.Answer(), nil
		}
		return fncall.TextAnswer(http.StatusBadRequest, "Bad Request: "+err.Error()), nil
	}
	if ctx.Done() == nil {
		return e.Functions.Serve(ctx, name, req), nil
	}
	// A script runs on its caller's goroutine until it answers: a caller that
	// may give up first waits on another one.
	answer := make(chan *fncall.Response, 1)
	go func() { answer <- e.Functions.Serve(ctx, name, req) }()
	select {
	case resp := <-answer:
		return resp, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("invoking %s: %w", name, ctx.Err())
	}
}

// local serves the console's requests: a function's direct URL
// (/<secret>/<name>) through CallHTTP, the REST API through the fiber app.
func (e *Emulator) local(r *http.Request) (*http.Response, error) {
	if name, ok := strings.CutPrefix(r.URL.Path, "/"+e.Secret+"/"); ok && name != "" && !strings.Contains(name, "/") &&
		(r.Method == http.MethodGet || r.Method == http.MethodPost) {
		resp, err := e.CallHTTP(r.Context(), name, r)
		if err != nil {
			return nil, err
		}
		return resp.HTTP(), nil
	}
	return e.App.Test(r, -1)
}
