// Package restapi is Bmob's /1/classes REST semantics without HTTP: a Request in, a
// Response with Bmob's exact JSON out. modules.oData calls it in-process (Bmob's own
// module calls the REST API over HTTP), and the HTTP server can mount it, so a row
// written one way reads back identically the other way.
package restapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/store"
)

// MaxWhereBytes bounds a `where` parameter; larger ones get error 402.
const MaxWhereBytes = 65536

// Request is one REST call.
type Request struct {
	Method string
	Path   string // e.g. /1/classes/Order/4313ac6aa3
	Query  url.Values
	Header http.Header
	Body   []byte
}

// Response is the REST answer: status, headers and the exact JSON body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// API serves the REST semantics on a store.
type API struct {
	store store.Store
}

// New makes an API on s.
func New(s store.Store) *API { return &API{store: s} }

// Serve answers one request. Unknown query parameters (like Bmob clients'
// `timestamp` cache-buster) are ignored.
func (a *API) Serve(ctx context.Context, req Request) Response {
	parts := strings.Split(strings.Trim(req.Path, "/"), "/")
	if len(parts) < 3 || len(parts) > 4 || parts[0] != "1" || parts[1] != "classes" {
		return errorResponse(http.StatusNotFound, &store.Error{Code: 101, Message: "unknown REST path " + req.Path})
	}
	class, err := url.PathUnescape(parts[2])
	if err != nil {
		return errorResponse(0, store.Errorf(103, "classname '%s' must start with a letter.", parts[2]))
	}
	id := ""
	if len(parts) == 4 {
		if id, err = url.PathUnescape(parts[3]); err != nil {
			return errorResponse(0, store.Errorf(101, "object not found for %s.", parts[3]))
		}
	}
	switch {
	case req.Method == http.MethodPost && id == "":
		return a.create(ctx, class, req)
	case req.Method == http.MethodGet && id != "":
		return a.get(ctx, class, id, req)
	case req.Method == http.MethodGet:
		return a.find(ctx, class, req)
	case req.Method == http.MethodPut && id != "":
		return a.update(ctx, class, id, req)
	case req.Method == http.MethodDelete && id != "":
		return a.remove(ctx, class, id)
	}
	return errorResponse(http.StatusMethodNotAllowed, store.Errorf(60006, "not match http method"))
}

func (a *API) create(ctx context.Context, class string, req Request) Response {
	data, errResp := decodeBody(req)
	if errResp != nil {
		return *errResp
	}
	created, err := a.store.Create(ctx, class, data)
	if err != nil {
		return errorResponse(0, err)
	}
	resp := jsonResponse(http.StatusCreated, map[string]any{
		"createdAt": bjtime.Format(created.CreatedAt), "objectId": created.ObjectID,
	})
	resp.Header.Set("Location", "/1/classes/"+url.PathEscape(class)+"/"+created.ObjectID)
	return resp
}

func (a *API) get(ctx context.Context, class, id string, req Request) Response {
	obj, err := a.store.Get(ctx, class, id, store.GetOptions{Keys: list(req.Query.Get("keys")), Include: list(req.Query.Get("include"))})
	if err != nil {
		return errorResponse(0, err)
	}
	return jsonResponse(http.StatusOK, obj)
}

func (a *API) update(ctx context.Context, class, id string, req Request) Response {
	data, errResp := decodeBody(req)
	if errResp != nil {
		return *errResp
	}
	updatedAt, err := a.store.Update(ctx, class, id, data)
	if err != nil {
		return errorResponse(0, err)
	}
	return jsonResponse(http.StatusOK, map[string]any{"updatedAt": bjtime.Format(updatedAt)})
}

func (a *API) remove(ctx context.Context, class, id string) Response {
	if err := a.store.Delete(ctx, class, id); err != nil {
		return errorResponse(0, err)
	}
	return jsonResponse(http.StatusOK, map[string]any{"msg": "ok"})
}

func (a *API) find(ctx context.Context, class string, req Request) Response {
	q, err := ParseQuery(req.Query)
	if err != nil {
		return errorResponse(0, err)
	}
	res, err := a.store.Find(ctx, class, q)
	if err != nil {
		return errorResponse(0, err)
	}
	if isStatistics(q) {
		groups := res.Groups
		if groups == nil {
			groups = []map[string]any{}
		}
		return jsonResponse(http.StatusOK, groups)
	}
	results := res.Results
	if results == nil {
		results = []map[string]any{}
	}
	out := map[string]any{"results": results}
	if q.Count {
		out["count"] = res.Count
	}
	return jsonResponse(http.StatusOK, out)
}

func isStatistics(q store.Query) bool {
	return len(q.GroupBy) > 0 || q.GroupCount || len(q.Sum) > 0 || len(q.Average) > 0 || len(q.Max) > 0 || len(q.Min) > 0
}

// ParseQuery reads the query parameters of GET /1/classes/<T> (bmob-api.md §5.4).
func ParseQuery(v url.Values) (store.Query, error) {
	q := store.Query{Limit: -1}
	if w := v.Get("where"); w != "" {
		if len(w) > MaxWhereBytes {
			return q, store.Errorf(402, "query where larger than %d bytes.", MaxWhereBytes)
		}
		where, err := decodeObject([]byte(w))
		if err != nil {
			return q, store.Errorf(107, "invalid json: %s.", w)
		}
		q.Where = where
	}
	var err error
	if q.Limit, err = intParam(v, "limit", -1); err != nil {
		return q, err
	}
	if q.Skip, err = intParam(v, "skip", 0); err != nil {
		return q, err
	}
	if c := v.Get("count"); c != "" {
		q.Count = c != "0" && c != "false"
	}
	q.Order = list(v.Get("order"))
	q.Keys = list(v.Get("keys"))
	q.Include = list(v.Get("include"))
	q.GroupBy = list(v.Get("groupby"))
	q.GroupCount = v.Get("groupcount") == "true" || v.Get("groupcount") == "1"
	q.Sum = list(v.Get("sum"))
	q.Average = list(v.Get("average"))
	q.Max = list(v.Get("max"))
	q.Min = list(v.Get("min"))
	if h := v.Get("having"); h != "" {
		having, err := decodeObject([]byte(h))
		if err != nil {
			return q, store.Errorf(107, "invalid json: %s.", h)
		}
		q.Having = having
	}
	return q, nil
}

func intParam(v url.Values, key string, def int) (int, error) {
	s := v.Get(key)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, store.Errorf(102, "Invalid value for key '%s'.", key)
	}
	return n, nil
}

func list(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// decodeBody reads a POST/PUT body: it must be a JSON object sent as JSON.
func decodeBody(req Request) (map[string]any, *Response) {
	if ct := req.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			r := errorResponse(0, store.Errorf(107, "This endpoint only supports Content-Type: application/json requests, not %s.", ct))
			return nil, &r
		}
	}
	data, err := decodeObject(req.Body)
	if err != nil {
		r := errorResponse(0, store.Errorf(107, "invalid json: %s.", clip(req.Body)))
		return nil, &r
	}
	return data, nil
}

func decodeObject(b []byte) (map[string]any, error) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON object")
	}
	return m, nil
}

func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// Marshal writes Bmob's JSON: compact, keys sorted, no HTML escaping.
func Marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte(fmt.Sprintf(`{"code":500,"error":%q}`, err.Error()))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func jsonResponse(status int, v any) Response {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return Response{Status: status, Header: h, Body: Marshal(v)}
}

// errorResponse answers {"code":N,"error":"…"}; status 0 uses the error's own.
func errorResponse(status int, err error) Response {
	var se *store.Error
	if !errors.As(err, &se) {
		se = &store.Error{Code: 500, Message: err.Error(), Status: http.StatusInternalServerError}
	}
	if status == 0 {
		status = se.HTTPStatus()
	}
	return jsonResponse(status, map[string]any{"code": se.Code, "error": se.Message})
}
