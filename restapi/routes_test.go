package restapi

// These tests came with an earlier version of this package; they run against this one unchanged.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/internal/storetest"
	"github.com/bmobemu/bmobemu/store"
)

func newPlainAPI(t *testing.T) *API {
	t.Helper()
	st := storetest.Open(t, store.Options{})
	return New(st)
}

func jsonHeader() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return h
}

func TestRoutesEndToEnd(t *testing.T) {
	a := newPlainAPI(t)
	ctx := context.Background()
	created := a.Serve(ctx, Request{Method: "POST", Path: "/1/classes/Game", Header: jsonHeader(), Body: []byte(`{"name":"<go>","score":5}`)})
	var c struct{ ObjectID, CreatedAt string }
	_ = json.Unmarshal(created.Body, &c)
	if created.Status != 201 || !regexp.MustCompile(`^\{"createdAt":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d","objectId":"[0-9a-f]{10}"\}$`).Match(created.Body) ||
		created.Header.Get("Location") != "/1/classes/Game/"+c.ObjectID {
		t.Fatalf("create: %d %s %v", created.Status, created.Body, created.Header)
	}
	got := a.Serve(ctx, Request{Method: "GET", Path: "/1/classes/Game/" + c.ObjectID, Query: url.Values{"timestamp": {"1"}}})
	if got.Status != 200 || !strings.Contains(string(got.Body), `"name":"<go>"`) { // no HTML escaping
		t.Fatalf("get: %d %s", got.Status, got.Body)
	}
	upd := a.Serve(ctx, Request{Method: "PUT", Path: "/1/classes/Game/" + c.ObjectID, Header: jsonHeader(), Body: []byte(`{"score":{"__op":"Increment","amount":-2}}`)})
	if upd.Status != 200 || !strings.HasPrefix(string(upd.Body), `{"updatedAt":"`) {
		t.Fatalf("update: %d %s", upd.Status, upd.Body)
	}
	found := a.Serve(ctx, Request{Method: "GET", Path: "/1/classes/Game", Query: url.Values{"where": {`{"score":3}`}, "count": {"1"}, "keys": {"score"}}})
	if found.Status != 200 || !strings.HasPrefix(string(found.Body), `{"count":1,"results":[{"createdAt":`) || strings.Contains(string(found.Body), "name") {
		t.Fatalf("find: %d %s", found.Status, found.Body)
	}
	onlyCount := a.Serve(ctx, Request{Method: "GET", Path: "/1/classes/Game", Query: url.Values{"limit": {"0"}, "count": {"1"}}})
	if string(onlyCount.Body) != `{"count":1,"results":[]}` {
		t.Fatalf("count only: %s", onlyCount.Body)
	}
	del := a.Serve(ctx, Request{Method: "DELETE", Path: "/1/classes/Game/" + c.ObjectID})
	if del.Status != 200 || string(del.Body) != `{"msg":"ok"}` {
		t.Fatalf("delete: %d %s", del.Status, del.Body)
	}
	empty := a.Serve(ctx, Request{Method: "GET", Path: "/1/classes/Nothing"})
	if string(empty.Body) != `{"results":[]}` {
		t.Fatalf("missing class query: %s", empty.Body)
	}
}

func TestErrorCodes(t *testing.T) {
	a := newPlainAPI(t)
	ctx := context.Background()
	cases := []struct {
		name string
		req  Request
		code int
		msg  string
	}{
		{"missing object", Request{Method: "GET", Path: "/1/classes/T/abc"}, 101, "object not found for abc."},
		{"invalid json body", Request{Method: "POST", Path: "/1/classes/T", Body: []byte(`{"a":`)}, 107, `invalid json: {"a":.`},
		{"non-object body", Request{Method: "POST", Path: "/1/classes/T", Body: []byte(`[1]`)}, 107, "invalid json: [1]."},
		{"wrong content type", Request{Method: "POST", Path: "/1/classes/T", Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte(`{}`)}, 107,
			"This endpoint only supports Content-Type: application/json requests, not text/plain."},
		{"bad where", Request{Method: "GET", Path: "/1/classes/T", Query: url.Values{"where": {"{x"}}}, 107, "invalid json: {x."},
		{"bad limit", Request{Method: "GET", Path: "/1/classes/T", Query: url.Values{"limit": {"ten"}}}, 102, "Invalid value for key 'limit'."},
		{"huge where", Request{Method: "GET", Path: "/1/classes/T", Query: url.Values{"where": {`{"a":"` + strings.Repeat("x", MaxWhereBytes) + `"}`}}}, 402, "query where larger than 65536 bytes."},
		{"bad class", Request{Method: "POST", Path: "/1/classes/9T", Body: []byte(`{}`)}, 103, "classname '9T' must start with a letter."},
		{"reserved field", Request{Method: "POST", Path: "/1/classes/T", Body: []byte(`{"objectId":"x"}`)}, 105, "It is a reserved field: objectId."},
		{"unknown operator", Request{Method: "GET", Path: "/1/classes/T", Query: url.Values{"where": {`{"a":{"$foo":1}}`}}}, 102, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := a.Serve(ctx, tc.req)
			var e struct {
				Code  int    `json:"code"`
				Error string `json:"error"`
			}
			if err := json.Unmarshal(resp.Body, &e); err != nil || resp.Status != 400 || e.Code != tc.code || (tc.msg != "" && e.Error != tc.msg) {
				t.Fatalf("got %d %s, want 400 code %d %q", resp.Status, resp.Body, tc.code, tc.msg)
			}
		})
	}
}
