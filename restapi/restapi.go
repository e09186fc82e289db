// Package restapi is Bmob's REST semantics without a transport:
// modules.oData calls it in-process and the HTTP server will call it for
// clients, so a row written one way reads back identically the other way.
//
// Routes (bmob-api.md §5.3–5.6) live in a table (API.routes): each group of
// endpoints is a method returning its routes, added in New. The /1/classes group:
//
//	POST   /1/classes/<T>        201 {"createdAt","objectId"}, Location: /1/classes/<T>/<id>
//	GET    /1/classes/<T>/<id>   the object (keys, include)
//	GET    /1/classes/<T>        {"results":[…]} (+"count"), or a bare array for statistics
//	PUT    /1/classes/<T>/<id>   {"updatedAt"}
//	DELETE /1/classes/<T>/<id>   {"msg":"ok"}
//
// Errors are {"code":N,"error":"…"} with status 400. Choices where Bmob's exact
// text is unknown: a bad `where` or `having` gives 107 "invalid json: <the
// parameter's text>.", a body that is not a JSON object gives 107 "invalid json:
// <the body>.", and a path outside these routes gives 404 {"code":404,"error":
// "no route for <METHOD> <path>."}.
package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/store"
)

// Request is one REST call.
type Request struct {
	Method, Path string
	Query        url.Values
	Header       http.Header
	Body         []byte
}

// Response is the REST answer: status, headers and a compact JSON body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// API serves Bmob's REST routes from a store.
type API struct {
	store  store.Store
	routes []route
}

// New returns an API backed by s.
func New(s store.Store) *API {
	a := &API{store: s}
	a.routes = append(a.routes, a.classRoutes()...)
	return a
}

// Serve answers one request.
func (a *API) Serve(ctx context.Context, req Request) Response {
	v, status, header, err := a.route(ctx, req)
	if err != nil {
		return errorResponse(err)
	}
	resp := jsonResponse(status, v)
	for k, vs := range header {
		resp.Header[k] = vs
	}
	return resp
}

// handler answers one route; params are the pattern's `:name` segments, unescaped.
type handler func(ctx context.Context, req Request, params map[string]string) (body any, status int, header http.Header, err error)

// route is one METHOD + pattern. A pattern is a path whose segments are literal or
// `:name`; a trailing `*name` takes the rest of the path (for file paths).
type route struct {
	method  string
	pattern string
	handle  handler
}

// route finds the first matching route; a path that matches no pattern (or none
// with this method) is a 404 "no route".
func (a *API) route(ctx context.Context, req Request) (any, int, http.Header, error) {
	segs, ok := splitPath(req.Path)
	if !ok {
		return nil, 0, nil, noRoute(req)
	}
	for _, r := range a.routes {
		if r.method != req.Method {
			continue
		}
		if params, ok := matchPattern(r.pattern, segs); ok {
			return r.handle(ctx, req, params)
		}
	}
	return nil, 0, nil, noRoute(req)
}

// classRoutes are /1/classes (bmob-api.md §5.3).
func (a *API) classRoutes() []route {
	ok := func(v any, err error) (any, int, http.Header, error) { return v, http.StatusOK, nil, err }
	return []route{
		{http.MethodPost, "/1/classes/:class", func(ctx context.Context, req Request, p map[string]string) (any, int, http.Header, error) {
			return a.create(ctx, p["class"], req)
		}},
		{http.MethodGet, "/1/classes/:class/:id", func(ctx context.Context, req Request, p map[string]string) (any, int, http.Header, error) {
			return ok(a.get(ctx, p["class"], p["id"], req.Query))
		}},
		{http.MethodGet, "/1/classes/:class", func(ctx context.Context, req Request, p map[string]string) (any, int, http.Header, error) {
			return ok(a.find(ctx, p["class"], req.Query))
		}},
		{http.MethodPut, "/1/classes/:class/:id", func(ctx context.Context, req Request, p map[string]string) (any, int, http.Header, error) {
			return ok(a.update(ctx, p["class"], p["id"], req))
		}},
		{http.MethodDelete, "/1/classes/:class/:id", func(ctx context.Context, req Request, p map[string]string) (any, int, http.Header, error) {
			if err := a.store.Delete(ctx, p["class"], p["id"]); err != nil {
				return nil, 0, nil, err
			}
			return map[string]any{"msg": "ok"}, http.StatusOK, nil, nil
		}},
	}
}

// routeError is a 404 for paths and methods outside the routes.
type routeError struct{ msg string }

func (e *routeError) Error() string { return e.msg }

func noRoute(req Request) error {
	return &routeError{msg: fmt.Sprintf("no route for %s %s.", req.Method, req.Path)}
}

// splitPath cuts a request path into unescaped segments (a trailing slash is
// ignored); an empty or undecodable segment fails.
func splitPath(p string) ([]string, bool) {
	p = strings.TrimSuffix(strings.TrimPrefix(p, "/"), "/")
	if p == "" {
		return nil, false
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		u, err := url.PathUnescape(s)
		if err != nil || u == "" {
			return nil, false
		}
		parts[i] = u
	}
	return parts, true
}

// matchPattern matches segments against a route pattern.
func matchPattern(pattern string, segs []string) (map[string]string, bool) {
	pat := strings.Split(strings.TrimPrefix(pattern, "/"), "/")
	params := map[string]string{}
	for i, p := range pat {
		if rest, ok := strings.CutPrefix(p, "*"); ok {
			if i >= len(segs) {
				return nil, false
			}
			params[rest] = strings.Join(segs[i:], "/")
			return params, true
		}
		if i >= len(segs) {
			return nil, false
		}
		if name, ok := strings.CutPrefix(p, ":"); ok {
			params[name] = segs[i]
		} else if p != segs[i] {
			return nil, false
		}
	}
	return params, len(pat) == len(segs)
}

func (a *API) create(ctx context.Context, class string, req Request) (any, int, http.Header, error) {
	data, err := jsonBody(req)
	if err != nil {
		return nil, 0, nil, err
	}
	c, err := a.store.Create(ctx, class, data)
	if err != nil {
		return nil, 0, nil, err
	}
	h := http.Header{"Location": {"/1/classes/" + url.PathEscape(class) + "/" + c.ObjectID}}
	return map[string]any{"createdAt": bjtime.Format(c.CreatedAt), "objectId": c.ObjectID}, http.StatusCreated, h, nil
}

func (a *API) update(ctx context.Context, class, id string, req Request) (any, error) {
	data, err := jsonBody(req)
	if err != nil {
		return nil, err
	}
	t, err := a.store.Update(ctx, class, id, data)
	if err != nil {
		return nil, err
	}
	return map[string]any{"updatedAt": bjtime.Format(t)}, nil
}

func (a *API) get(ctx context.Context, class, id string, q url.Values) (any, error) {
	return a.store.Get(ctx, class, id, store.GetOptions{Keys: list(q, "keys"), Include: list(q, "include")})
}

func (a *API) find(ctx context.Context, class string, q url.Values) (any, error) {
	query, err := parseQuery(q)
	if err != nil {
		return nil, err
	}
	res, err := a.store.Find(ctx, class, query)
	if err != nil {
		return nil, err
	}
	if res.Groups != nil {
		return res.Groups, nil
	}
	out := map[string]any{"results": res.Results}
	if res.Results == nil {
		out["results"] = []map[string]any{}
	}
	if query.Count {
		out["count"] = res.Count
	}
	return out, nil
}

// jsonBody checks the Content-Type and decodes the body as a JSON object.
func jsonBody(req Request) (map[string]any, error) {
	if ct := req.Header.Get("Content-Type"); ct != "" && !isJSONType(ct) {
		return nil, store.Errorf(107, "This endpoint only supports Content-Type: application/json requests, not %s.", ct)
	}
	var data map[string]any
	dec := json.NewDecoder(bytes.NewReader(req.Body))
	if err := dec.Decode(&data); err != nil || data == nil || dec.More() {
		return nil, store.Errorf(107, "invalid json: %s.", req.Body)
	}
	return data, nil
}

func isJSONType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

// errorResponse renders any error: Bmob errors as {"code","error"}, routes as
// 404, everything else (storage, cancellation) as 500.
func errorResponse(err error) Response {
	var be *store.Error
	var re *routeError
	switch {
	case errors.As(err, &be):
		return jsonResponse(be.HTTPStatus(), map[string]any{"code": be.Code, "error": be.Message})
	case errors.As(err, &re):
		return jsonResponse(http.StatusNotFound, map[string]any{"code": http.StatusNotFound, "error": re.msg})
	}
	return jsonResponse(http.StatusInternalServerError, map[string]any{"code": http.StatusInternalServerError, "error": err.Error()})
}
