package emulator

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/bmobemu/bmobemu/fncall"
)

// CallHTTP runs the function name with r as Bmob's direct URL would receive
// it (r's path is not looked at): r is parsed by Calls, and the call ends in
// Functions.Serve as the server's own route does, in this goroutine, with no
// HTTP round trip. The answer is the function's, or the refusal an HTTP client
// would get (413, 400, 404, 503...).
func (e *Emulator) CallHTTP(ctx context.Context, name string, r *http.Request) *fncall.Response {
	req, err := e.Calls.FromHTTP(r)
	if err != nil {
		var refused *fncall.Error
		if errors.As(err, &refused) {
			return refused.Answer()
		}
		return fncall.TextAnswer(http.StatusBadRequest, "Bad Request: "+err.Error())
	}
	return e.Functions.Serve(ctx, name, req)
}

// local serves the console's requests: a function's direct URL
// (/<secret>/<name>) through CallHTTP, the REST API through the fiber app.
func (e *Emulator) local(r *http.Request) (*http.Response, error) {
	if name, ok := strings.CutPrefix(r.URL.Path, "/"+e.Secret+"/"); ok && name != "" && !strings.Contains(name, "/") &&
		(r.Method == http.MethodGet || r.Method == http.MethodPost) {
		return e.CallHTTP(r.Context(), name, r).HTTP(), nil
	}
	return e.App.Test(r, -1)
}
