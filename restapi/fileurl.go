package restapi

import (
	"context"
	"net/http"
	"strings"
)

// ServeFileURL answers GET /YYYY/MM/DD/<name>: an uploaded file at the URL
// shape Bmob's CDN hands out (fileURL), the same bytes as
// /2/files/<cdn>/YYYY/MM/DD/<name>. Like a CDN URL it needs no keys. path is
// the request path as sent; ok is false for a path of any other shape.
func (a *API) ServeFileURL(ctx context.Context, path string) (resp Response, ok bool) {
	path = strings.TrimSuffix(path, "/") // routers match a trailing slash too
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(segs) != 4 || !digits(segs[0], 4) || !digits(segs[1], 2) || !digits(segs[2], 2) || segs[3] == "" {
		return Response{}, false
	}
	return a.Serve(ctx, Request{Method: http.MethodGet, Path: "/2/files/" + FileCDN + path, Header: http.Header{}}), true
}

// digits reports whether s is n ASCII digits.
func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
