package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bmobemu/bmobemu/store"
)

// The data hook (Bmob's 数据钩子): one cloud function that every data request
// from a client passes through before it reaches the data. The hook itself
// lives outside this package (DataHook); this file is the seam: which routes
// are data requests, the body Bmob builds for the hook from the real request,
// and what the hook's answer does to the request.
//
// Only requests marked as coming from a client (WithClient, set by
// ServeClient) pass through the hook; the in-process calls of cloud functions
// (oData and the other wrappers) do not, so a hook that queries its own table
// cannot recurse.

// DataHook decides on one client data request.
type DataHook interface {
	// Covers reports whether the hook wants this operation on this table.
	Covers(table, operation string) bool
	// Decide runs the hook. A nil error lets the request go on, with
	// HookVerdict.Data in place of the client's data when it is not empty; a
	// *HookRefusal ends the request with the hook's message; any other error
	// is a broken hook and ends the request too (fail closed).
	Decide(ctx context.Context, in HookInput) (HookVerdict, error)
}

// HookInput is what Bmob adds to the hook's request.body.
type HookInput struct {
	Table     string `json:"table"`
	Operation string `json:"operation"` // create, update, delete or query
	Caller    string `json:"caller"`    // Android, IOS or ""
	IP        string `json:"ip"`
	UA        string `json:"ua"`
	Token     string `json:"token"`
	Data      string `json:"data"` // the request's payload as JSON text
}

// HookVerdict is a hook's "go on".
type HookVerdict struct {
	// Data is the hook's replacement payload as JSON text ("" keeps the client's).
	Data string
}

// HookRefusal is a hook's "no": any msg other than "ok".
type HookRefusal struct{ Msg string }

func (r *HookRefusal) Error() string { return "refused by the data hook: " + r.Msg }

// CodeDataHook is Bmob's error 324, "data hook error".
const CodeDataHook = 324

// WithDataHook installs the app's data hook.
func WithDataHook(h DataHook) Option { return func(a *API) { a.hook = h } }

// Client is what the transport knows about a client request.
type Client struct {
	IP string
}

type clientKey struct{}

// WithClient marks ctx as a client's request from ip: data requests made with
// it pass through the data hook.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, &c)
}

// WithoutClient removes the client mark (the hook's own call and what it does
// must not pass through the hook again).
func WithoutClient(ctx context.Context) context.Context {
	return context.WithValue(ctx, clientKey{}, (*Client)(nil))
}

func hookClientOf(ctx context.Context) *Client {
	c, _ := ctx.Value(clientKey{}).(*Client)
	return c
}

// hookedPrefixes map the object routes' prefixes to their classes: /1/classes/<T>
// and the system classes' own paths. Log-in, /me, sessions, password and
// e-mail requests, files and schemas are not data requests.
var hookedPrefixes = map[string]string{"/1/users": "_User", "/1/roles": "_Role", "/1/installations": "_Installation"}

// hookTarget names the table and operation of a data route, or ok=false.
func hookTarget(method, pattern string, params map[string]string) (table, op string, ok bool) {
	switch {
	case strings.HasPrefix(pattern, "/1/classes/:class"):
		table = params["class"]
	default:
		prefix := strings.TrimSuffix(pattern, "/:id")
		if table, ok = hookedPrefixes[prefix]; !ok {
			return "", "", false
		}
	}
	_, hasID := params["id"]
	switch {
	case method == http.MethodPost && !hasID:
		return table, "create", true
	case method == http.MethodGet:
		return table, "query", true
	case method == http.MethodPut && hasID:
		return table, "update", true
	case method == http.MethodDelete && hasID:
		return table, "delete", true
	}
	return "", "", false
}

// passRouteHook is the seam in the router: a client's data request is shown to
// the hook and goes on as the hook says (possibly with the hook's data).
func (a *API) passRouteHook(ctx context.Context, r route, req Request, params map[string]string) (Request, error) {
	if a.hook == nil || hookClientOf(ctx) == nil {
		return req, nil
	}
	table, op, ok := hookTarget(r.method, r.pattern, params)
	if !ok || !a.hook.Covers(table, op) {
		return req, nil
	}
	id := params["id"]
	var data map[string]any
	switch op {
	case "create", "update":
		body, err := jsonBody(req)
		if err != nil {
			return req, nil // nothing reaches the data: the route answers its 107
		}
		data = body
		if op == "update" {
			data = map[string]any{"$set": body, "objectId": id}
		}
	case "delete":
		data = map[string]any{"objectId": id}
	case "query":
		data = queryData(req.Query)
		if id != "" {
			data["objectId"] = id
		}
	}
	out, err := a.passHook(ctx, req, table, op, data)
	if err != nil || out == nil {
		return req, err
	}
	switch op {
	case "create":
		req.Body, err = encode(out)
	case "update":
		set, isObj := out["$set"].(map[string]any)
		if !isObj {
			return req, hookFailed(fmt.Errorf("its data for an update has no \"$set\" object: %s", mustEncode(out)))
		}
		req.Body, err = encode(set)
	case "query":
		delete(out, "objectId") // the path names the object
		req.Query = queryFromData(out)
	}
	if err != nil {
		return req, hookFailed(err)
	}
	req.Header = req.Header.Clone()
	if req.Header != nil && (op == "create" || op == "update") {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// passHook runs the hook on one request; it returns the hook's replacement
// data (nil: keep the request's), or the error that ends the request. A
// delete's replacement data is not used: the hook may only allow or refuse it.
func (a *API) passHook(ctx context.Context, req Request, table, op string, data map[string]any) (map[string]any, error) {
	c := hookClientOf(ctx)
	if a.hook == nil || c == nil || !a.hook.Covers(table, op) {
		return nil, nil
	}
	text, err := encode(data)
	if err != nil {
		return nil, fmt.Errorf("encoding the data hook's data: %w", err)
	}
	in := HookInput{
		Table: table, Operation: op, Caller: callerPlatform(req.Header), IP: c.IP,
		UA: header(req.Header, "User-Agent"), Token: header(req.Header, HeaderSessionToken), Data: string(text),
	}
	verdict, err := a.hook.Decide(store.Ungrouped(WithoutClient(ctx)), in) // the hook's own writes are not the element's
	var refusal *HookRefusal
	switch {
	case errors.As(err, &refusal):
		return nil, &store.Error{Code: CodeDataHook, Message: refusal.Msg}
	case err != nil:
		return nil, hookFailed(err)
	case verdict.Data == "" || op == "delete":
		return nil, nil
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(verdict.Data), &out); err != nil || out == nil {
		return nil, hookFailed(fmt.Errorf("its data is not a JSON object: %.200s", verdict.Data))
	}
	return out, nil
}

// HookFailurePrefix starts the error text of a broken hook's answer.
const HookFailurePrefix = "data hook error: "

// hookFailed is a broken hook's answer: 400 with code 324 like a refusal (the
// SDKs surface Bmob's {"code","error"} only below 500: hydrogen-js-sdk rejects
// a 500 with a bare transport error), told apart by its "data hook error: " text.
func hookFailed(err error) error {
	return &store.Error{Code: CodeDataHook, Message: HookFailurePrefix + err.Error()}
}

// callerPlatform is Bmob's caller field: Android or IOS from the SDK's
// X-Bmob-SDK-Type header, else empty (REST, JS, mini-programs).
func callerPlatform(h http.Header) string {
	t := strings.ToLower(header(h, "X-Bmob-SDK-Type"))
	switch {
	case strings.Contains(t, "android"):
		return "Android"
	case strings.Contains(t, "ios"):
		return "IOS"
	}
	return ""
}

// queryData is a query's parameters as the hook sees them: where and having
// as JSON when they parse, every other parameter as its text.
func queryData(q url.Values) map[string]any {
	out := map[string]any{}
	for k, vs := range q {
		if len(vs) == 0 {
			continue
		}
		v := vs[len(vs)-1]
		if k == "where" || k == "having" {
			var obj any
			if json.Unmarshal([]byte(v), &obj) == nil {
				out[k] = obj
				continue
			}
		}
		out[k] = v
	}
	return out
}

// queryFromData turns the hook's query data back into parameters: text stays,
// anything else is written as JSON.
func queryFromData(data map[string]any) url.Values {
	q := url.Values{}
	for k, v := range data {
		if s, ok := v.(string); ok {
			q.Set(k, s)
			continue
		}
		q.Set(k, mustEncode(v))
	}
	return q
}

func mustEncode(v any) string {
	b, err := encode(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
