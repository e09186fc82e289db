// Package restapi is Bmob's REST API without a transport: modules.oData calls
// it in-process (Serve) and the HTTP server hands it every /1 and /2 request
// of a client (ServeClient, client.go), so a row written one way reads back
// identically the other way. It owns all of REST: the routes, the
// application's credentials (app keys, master key, the JS SDK's safe-sign and
// its nonces, auth.go), legacy tunnelling (tunnel.go), CORS and body limits,
// and the HTTP status of each Bmob error (statusOf). /1/functions runs
// through the Functions registry it is given (functions.go), so /1/batch
// reaches it like any route.
//
// Routes (docs/fidelity.md#rest-api) live in a table (API.routes): each group of
// endpoints is a method returning its routes, added in New. The /1/classes group:
//
//	POST   /1/classes/<T>        201 {"createdAt","objectId"}, Location: /1/classes/<T>/<id>
//	GET    /1/classes/<T>/<id>   the object (keys, include)
//	GET    /1/classes/<T>        {"results":[…]} (+"count"), or a bare array for statistics
//	PUT    /1/classes/<T>/<id>   {"updatedAt"}
//	DELETE /1/classes/<T>/<id>   {"msg":"ok"}
//
// Errors are {"code":N,"error":"…"} with status 400 (156, a missing file, is a
// 404: codeStatus). Choices where Bmob's exact
// text is unknown: a bad `where` or `having` gives 107 "invalid json: <the
// parameter's text>.", a body that is not a JSON object gives 107 "invalid json:
// <the body>.", and a path outside these routes gives 404 {"code":404,"error":
// "no route for <METHOD> <path>."}.
//
// Other groups: users and sessions (users.go), roles, installations and push
// (system.go), /1/batch (batch.go), /1/cloudQuery (cloudquery.go, BQL in
// restapi/bql), /1/timestamp and /1/schemas (system.go), files (files.go),
// /1/functions (functions.go).
// Requests act as a caller resolved from their headers (auth.go): the master
// key bypasses ACLs, a session token acts as its user.
//
// Choices where Bmob's behaviour is not documented: an ACL denial on get,
// update or delete is 122 "权限验证不通过" while a find leaves unreadable objects
// out (counts included); ACLs are not applied to include-expanded pointers or
// to sub-queries; a wrong master key is a 401; an unknown or expired session
// token is 211 on every route but /1/checkSession; /1/schemas without the
// master key is a 401; push and mail requests are stored (_Push,
// _EmailRequest, master-only ACL) and answer {"msg":"ok"}; BQL insert, update
// and delete answer like the matching /1/classes call.
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
	"sync"
	"time"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/store"
)

// Request is one REST call.
type Request struct {
	Method, Path string
	Query        url.Values
	Header       http.Header
	Body         []byte
}

// Response is the REST answer: status, headers and a body, compact JSON except
// for the raw bytes of a file. It is the one answer type of the project.
type Response = fncall.Response

// API serves Bmob's REST routes from a store: to cloud functions in-process
// (Serve) and to clients over HTTP (ServeClient, which also checks the
// application's credentials).
type API struct {
	store      store.Store
	routes     []route
	keys       Keys // the app's credentials; WithMasterKey sets only the master key
	filesDir   string
	sessionTTL time.Duration
	log        func(level, line string) // WithLog (sms.go)
	token      sandboxToken             // the WeChat access token (wechatapp.go)
	noted      sync.Map                 // emulated endpoints already noted in the log (sms.go)
	hook       DataHook                 // the app's data hook (hook.go); nil: none
	functions  Functions                // /1/functions (functions.go); nil: none

	// anonymousRead is the read rule of finds without a user (auth.go).
	anonymousRead *store.Clause

	// Client requests (client.go).
	now                      func() time.Time
	signWindow               time.Duration
	nonces                   nonceCache
	sharedNonces             NonceRecorder // nil: nonces in this process only
	bodyLimit, fileBodyLimit int
}

// Option configures New.
type Option func(*API)

// WithMasterKey sets the key that X-Bmob-Master-Key must equal. Without it no
// request is a master request, and any master key header is a 401.
func WithMasterKey(key string) Option { return func(a *API) { a.keys.MasterKey = key } }

// WithFilesDir sets the folder that /2/files stores uploads in (created on
// first upload). Without it uploads fail with 150.
func WithFilesDir(dir string) Option { return func(a *API) { a.filesDir = dir } }

// WithSessionTTL sets how long a session token lasts (default 7 days, as Bmob).
func WithSessionTTL(d time.Duration) Option { return func(a *API) { a.sessionTTL = d } }

// DefaultSessionTTL is Bmob's session lifetime.
const DefaultSessionTTL = 7 * 24 * time.Hour

// New returns an API backed by s.
func New(s store.Store, opts ...Option) *API {
	a := &API{store: s, sessionTTL: DefaultSessionTTL}
	for _, o := range opts {
		o(a)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.signWindow <= 0 {
		a.signWindow = DefaultSignWindow
	}
	if a.bodyLimit <= 0 {
		a.bodyLimit = DefaultBodyLimit
	}
	if a.fileBodyLimit <= 0 {
		a.fileBodyLimit = DefaultFileBodyLimit
	}
	a.nonces.ttl = 2 * a.signWindow
	// A constant clause compiles; were it ever to fail, finds compile it
	// themselves and answer the error.
	a.anonymousRead, _ = store.CompileClause(readRule([]string{"*"}))
	a.routes = append(a.routes, a.userRoutes()...)
	a.routes = append(a.routes, a.classRoutes()...)
	a.routes = append(a.routes, a.systemRoutes()...)
	a.routes = append(a.routes, a.batchRoutes()...)
	a.routes = append(a.routes, a.cloudQueryRoutes()...)
	a.routes = append(a.routes, a.fileRoutes()...)
	a.routes = append(a.routes, a.smsRoutes()...)
	a.routes = append(a.routes, a.usersV1Routes()...)
	a.routes = append(a.routes, a.wechatAppRoutes()...)
	a.routes = append(a.routes, a.functionRoutes()...)
	return a
}

// Serve answers one request.
func (a *API) Serve(ctx context.Context, req Request) Response {
	req.Path = cleanFilePath(req.Path)
	v, status, header, err := a.route(ctx, req)
	if err != nil {
		return errorResponse(err)
	}
	var resp Response
	if raw, ok := v.(rawBody); ok {
		resp = Response{Status: status, Header: http.Header{"Content-Type": {raw.contentType}}, Body: raw.data}
	} else {
		resp = jsonResponse(status, v)
	}
	for k, vs := range header {
		resp.Header[k] = vs
	}
	return resp
}

// rawBody is a handler answer sent as bytes, not JSON (a file).
type rawBody struct {
	contentType string
	data        []byte
}

// handler answers one route; params are the pattern's `:name` segments, unescaped.
type handler func(ctx context.Context, req Request, params map[string]string) (body any, status int, header http.Header, err error)

// route is one METHOD (or anyMethod) + pattern. A pattern is a path whose
// segments are literal or `:name`; a trailing `*name` takes the rest of the
// path (for file paths); a trailing `**name` takes the rest of the path as
// sent, not unescaped, whatever it holds (for function names).
type route struct {
	method  string
	pattern string
	handle  handler
}

// anyMethod is a route's method when its handler answers every method.
const anyMethod = "*"

// route finds the first matching route; a path that matches no pattern (or none
// with this method) is a 404 "no route".
func (a *API) route(ctx context.Context, req Request) (any, int, http.Header, error) {
	segs, segsOK := splitPath(req.Path)
	for _, r := range a.routes {
		if r.method != req.Method && r.method != anyMethod {
			continue
		}
		var params map[string]string
		var ok bool
		if strings.Contains(r.pattern, "/**") {
			params, ok = matchRaw(r.pattern, req.Path)
		} else if segsOK {
			params, ok = matchPattern(r.pattern, segs)
		}
		if ok {
			req, err := a.passRouteHook(ctx, r, req, params)
			if err != nil {
				return nil, 0, nil, err
			}
			return r.handle(ctx, req, params)
		}
	}
	return nil, 0, nil, noRoute(req)
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

// matchRaw matches a `…/**name` pattern against the path as sent: the
// literal prefix, then anything (even empty) as the parameter.
func matchRaw(pattern, path string) (map[string]string, bool) {
	i := strings.Index(pattern, "/**")
	if i < 0 {
		return nil, false
	}
	rest, ok := strings.CutPrefix(path, pattern[:i+1])
	if !ok {
		return nil, false
	}
	return map[string]string{pattern[i+3:]: rest}, true
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

// jsonBody checks the Content-Type and decodes the body as a JSON object.
func jsonBody(req Request) (map[string]any, error) {
	if ct := req.Header.Get("Content-Type"); ct != "" && !isJSONType(ct) {
		return nil, store.Errorf(107, "This endpoint only supports Content-Type: application/json requests, not %s.", Echo(ct))
	}
	return decodeObject(req.Body)
}

// decodeObject decodes a body that must be one JSON object.
func decodeObject(body []byte) (map[string]any, error) {
	var data map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&data); err != nil || data == nil || dec.More() {
		return nil, store.Errorf(107, "invalid json: %s.", Echo(body))
	}
	return data, nil
}

func isJSONType(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), "application/json")
}

// codeStatus is the HTTP status of the Bmob errors not answered with 400.
var codeStatus = map[int]int{
	156: http.StatusNotFound, // a file that is not there
}

// statusOf is the HTTP status a Bmob error code is answered with.
func statusOf(code int) int {
	if s, ok := codeStatus[code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// errorResponse renders any error: Bmob errors as {"code","error"}, routes as
// 404, a refused key as 401 {"error":"unauthorized"}, everything else
// (storage, cancellation) as 500.
func errorResponse(err error) Response {
	var be *store.Error
	var re *routeError
	var ue unauthorized
	switch {
	case errors.As(err, &ue):
		resp := jsonResponse(http.StatusUnauthorized, map[string]any{"error": "unauthorized"})
		if ue.why != "" {
			resp.Header.Set(HeaderUnauthorized, ue.why)
		}
		return resp
	case errors.As(err, &be):
		return jsonResponse(statusOf(be.Code), map[string]any{"code": be.Code, "error": be.Message})
	case errors.As(err, &re):
		return jsonResponse(http.StatusNotFound, map[string]any{"code": http.StatusNotFound, "error": re.msg})
	case errors.Is(err, store.ErrDamaged):
		// The message leads with what is wrong; the rest says where.
		msg := store.ErrDamaged.Error() + ": " + strings.Replace(err.Error(), store.ErrDamaged.Error()+": ", "", 1)
		return jsonResponse(http.StatusInternalServerError, map[string]any{"code": http.StatusInternalServerError, "error": msg})
	}
	return jsonResponse(http.StatusInternalServerError, map[string]any{"code": http.StatusInternalServerError, "error": err.Error()})
}
