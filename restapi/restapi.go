// Package restapi is Bmob's /1/classes REST semantics without a transport:
// modules.oData calls it in-process and the HTTP server will call it for
// clients, so a row written one way reads back identically the other way.
//
// Routes (bmob-api.md §5.3–5.6):
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

// API serves the /1/classes routes from a store.
type API struct {
	store store.Store
}

// New returns an API backed by s.
func New(s store.Store) *API { return &API{store: s} }

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

func (a *API) route(ctx context.Context, req Request) (any, int, http.Header, error) {
	class, id, ok := parsePath(req.Path)
	if !ok {
		return nil, 0, nil, noRoute(req)
	}
	switch {
	case req.Method == http.MethodPost && id == "":
		return a.create(ctx, class, req)
	case req.Method == http.MethodGet && id != "":
		v, err := a.get(ctx, class, id, req.Query)
		return v, http.StatusOK, nil, err
	case req.Method == http.MethodGet:
		v, err := a.find(ctx, class, req.Query)
		return v, http.StatusOK, nil, err
	case req.Method == http.MethodPut && id != "":
		v, err := a.update(ctx, class, id, req)
		return v, http.StatusOK, nil, err
	case req.Method == http.MethodDelete && id != "":
		if err := a.store.Delete(ctx, class, id); err != nil {
			return nil, 0, nil, err
		}
		return map[string]any{"msg": "ok"}, http.StatusOK, nil, nil
	}
	return nil, 0, nil, noRoute(req)
}

// routeError is a 404 for paths and methods outside the routes.
type routeError struct{ msg string }

func (e *routeError) Error() string { return e.msg }

func noRoute(req Request) error {
	return &routeError{msg: fmt.Sprintf("no route for %s %s.", req.Method, req.Path)}
}

// parsePath splits /1/classes/<T>[/<id>].
func parsePath(p string) (class, id string, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSuffix(p, "/"), "/1/classes/")
	if !found || rest == "" {
		return "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) > 2 {
		return "", "", false
	}
	for i, s := range parts {
		u, err := url.PathUnescape(s)
		if err != nil || u == "" {
			return "", "", false
		}
		parts[i] = u
	}
	if len(parts) == 2 {
		return parts[0], parts[1], true
	}
	return parts[0], "", true
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
