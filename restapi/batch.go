package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/bmobemu/bmobemu/store"
)

// MaxBatch is the most requests one /1/batch may carry.
const MaxBatch = 50

const msgBatchElement = `every request shoud be an object like:{"method": "POST","path": "/1/classes/GameScore","body": {"score": 1337,"playerName": "Sean Plott"}}`

// batchRoutes is POST /1/batch: each element runs through the same router,
// with the batch's headers (its own "token" replacing the session), and
// answers {"success":…} or {"error":{"code","error"}}. Elements take effect in
// order; consecutive writes to classes commit in one transaction (see batch).
func (a *API) batchRoutes() []route {
	return []route{{http.MethodPost, "/1/batch", func(ctx context.Context, req Request, p map[string]string) (any, int, http.Header, error) {
		out, err := a.batch(ctx, req)
		return out, http.StatusOK, nil, err
	}}}
}

type batchElement struct {
	method, path string
	query        url.Values
	body         []byte
	token        string
	hasToken     bool
}

func (a *API) batch(ctx context.Context, req Request) (any, error) {
	data, err := jsonBody(req)
	if err != nil {
		return nil, err
	}
	reqs, ok := data["requests"].([]any)
	if !ok {
		return nil, store.Errorf(112, "requests must be an array.")
	}
	if len(reqs) > MaxBatch {
		return nil, store.Errorf(114, "requests array larger than %d", MaxBatch)
	}
	elems := make([]batchElement, len(reqs))
	for i, r := range reqs {
		if elems[i], err = parseBatchElement(r); err != nil {
			return nil, err
		}
	}
	// The batch's own credentials must be valid even if no element uses them.
	if _, err := a.caller(ctx, req); err != nil {
		return nil, err
	}
	results := make([]any, len(elems))
	errs := make([]error, len(elems))
	grouper, _ := a.store.(store.GroupWriter)
	for i := 0; i < len(elems); {
		end := i + 1
		if grouper != nil {
			for end < len(elems) && groupable(elems[end-1]) && groupable(elems[end]) {
				end++
			}
		}
		if end-i == 1 {
			results[i], errs[i] = a.batchElement(ctx, req, elems[i])
			i = end
			continue
		}
		// A run of writes to classes commits as one transaction: the elements
		// run side by side and their writes join one group in element order.
		// Each still answers on its own; one that fails has no effect and the
		// others commit, as if it had run alone in its place.
		group := grouper.GroupWrites(end - i)
		var wg sync.WaitGroup
		for k := i; k < end; k++ {
			wg.Add(1)
			go func(slot int) {
				defer wg.Done()
				defer group.Done(slot) // a slot that never wrote (an error before the store)
				defer func() {         // off the request goroutine: a panic must not end the process
					if p := recover(); p != nil {
						errs[i+slot] = fmt.Errorf("batch element %d: %v", i+slot, p)
					}
				}()
				results[i+slot], errs[i+slot] = a.batchElement(group.Slot(ctx, slot), req, elems[i+slot])
			}(k - i)
		}
		wg.Wait()
		i = end
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}

// groupable reports whether a batch element is a write whose handler writes
// once to a class (POST, PUT, DELETE on /1/classes/…): consecutive ones share
// one transaction. Reads, users and everything else run alone, in order,
// after the writes before them have committed.
func groupable(e batchElement) bool {
	return e.method != http.MethodGet && strings.HasPrefix(e.path, "/1/classes/")
}

// batchElement runs one element through the router with the batch's headers
// (its own token replacing the session) and wraps the answer.
func (a *API) batchElement(ctx context.Context, req Request, e batchElement) (any, error) {
	h := req.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json")
	if e.hasToken {
		deleteHeader(h, HeaderSessionToken)
		h.Set(HeaderSessionToken, e.token)
	}
	resp := a.Serve(ctx, Request{Method: e.method, Path: e.path, Query: e.query, Header: h, Body: e.body})
	var v any
	if err := json.Unmarshal(resp.Body, &v); err != nil {
		return nil, fmt.Errorf("batch element %s %s: decode answer: %w", e.method, e.path, err)
	}
	if resp.Status >= 200 && resp.Status < 300 {
		return map[string]any{"success": v}, nil
	}
	if m, ok := v.(map[string]any); ok && m["code"] == nil { // a 401: {"error":"unauthorized"}
		m["code"] = float64(resp.Status)
	}
	return map[string]any{"error": v}, nil
}

// parseBatchElement checks one element: method and path strings, an optional
// object body and string token; a nested batch is refused.
func parseBatchElement(r any) (batchElement, error) {
	bad := store.Errorf(113, msgBatchElement)
	m, ok := r.(map[string]any)
	if !ok {
		return batchElement{}, bad
	}
	method, _ := m["method"].(string)
	rawPath, _ := m["path"].(string)
	method = strings.ToUpper(method)
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete:
	default:
		return batchElement{}, bad
	}
	u, err := url.Parse(rawPath)
	if rawPath == "" || err != nil || strings.TrimSuffix(u.Path, "/") == "/1/batch" {
		return batchElement{}, bad
	}
	e := batchElement{method: method, path: u.Path, query: u.Query()}
	if b, present := m["body"]; present && b != nil {
		if _, isObj := b.(map[string]any); !isObj {
			return batchElement{}, bad
		}
		if e.body, err = encode(b); err != nil {
			return batchElement{}, bad
		}
	} else if method == http.MethodPost || method == http.MethodPut {
		e.body = []byte("{}")
	}
	if t, present := m["token"]; present {
		s, isString := t.(string)
		if !isString {
			return batchElement{}, bad
		}
		e.token, e.hasToken = s, s != ""
	}
	return e, nil
}

// deleteHeader removes a header whatever the case of its key.
func deleteHeader(h http.Header, name string) {
	for k := range h {
		if strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
}
