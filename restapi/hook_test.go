package restapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// recordingHook remembers what it was shown and answers with a scripted verdict.
type recordingHook struct {
	mu     sync.Mutex
	seen   []HookInput
	answer func(HookInput) (HookVerdict, error)
}

func (h *recordingHook) Covers(table, op string) bool { return table != "Open" }

func (h *recordingHook) Decide(ctx context.Context, in HookInput) (HookVerdict, error) {
	if hookClientOf(ctx) != nil {
		panic("the hook's own context still carries the client mark")
	}
	h.mu.Lock()
	h.seen = append(h.seen, in)
	h.mu.Unlock()
	if h.answer == nil {
		return HookVerdict{}, nil
	}
	return h.answer(in)
}

func (h *recordingHook) last() HookInput {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.seen) == 0 {
		return HookInput{}
	}
	return h.seen[len(h.seen)-1]
}

func hookedAPI(t *testing.T, h DataHook) *API {
	a := newAPI(t)
	a.hook = h
	return a
}

// clientCall is call() as a client over HTTP: marked with the client's IP.
func clientCall(a *API, method, target, body string, header ...string) Response {
	u, _ := url.Parse(target)
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	ctx := WithClient(context.Background(), Client{IP: "10.1.2.3"})
	return a.Serve(ctx, Request{Method: method, Path: u.Path, Query: u.Query(), Header: h, Body: []byte(body)})
}

// TestHookSeesEveryDataRoute: the table, operation and data the hook gets for
// each data route, built from the real request.
func TestHookSeesEveryDataRoute(t *testing.T) {
	h := &recordingHook{}
	a := hookedAPI(t, h)
	cases := []struct {
		method, target, body string
		table, op, data      string
	}{
		{"POST", "/1/classes/Game", `{"score":1}`, "Game", "create", `{"score":1}`},
		{"GET", "/1/classes/Game/abc?keys=score", "", "Game", "query", `{"keys":"score","objectId":"abc"}`},
		{"GET", `/1/classes/Game?where={"score":{"$gt":0}}&limit=2`, "", "Game", "query", `{"limit":"2","where":{"score":{"$gt":0}}}`},
		{"PUT", "/1/classes/Game/abc", `{"score":{"__op":"Increment","amount":1}}`, "Game", "update", `{"$set":{"score":{"__op":"Increment","amount":1}},"objectId":"abc"}`},
		{"DELETE", "/1/classes/Game/abc", "", "Game", "delete", `{"objectId":"abc"}`},
		{"POST", "/1/users", `{"username":"u","password":"p"}`, "_User", "create", `{"password":"p","username":"u"}`},
		{"GET", "/1/users/abc", "", "_User", "query", `{"objectId":"abc"}`},
		{"PUT", "/1/users/abc", `{"age":3}`, "_User", "update", `{"$set":{"age":3},"objectId":"abc"}`},
		{"DELETE", "/1/roles/abc", "", "_Role", "delete", `{"objectId":"abc"}`},
		{"POST", "/1/installations", `{"deviceType":"ios"}`, "_Installation", "create", `{"deviceType":"ios"}`},
		{"GET", "/1/cloudQuery?bql=" + url.QueryEscape("select * from Game where score > 1"), "", "Game", "query", `{"bql":"select * from Game where score > 1","where":{"score":{"$gt":1}}}`},
		{"GET", "/1/cloudQuery?bql=" + url.QueryEscape("insert into Game(score) values(5)"), "", "Game", "create", `{"score":5}`},
		{"GET", "/1/cloudQuery?bql=" + url.QueryEscape("delete from Game where objectId='abc'"), "", "Game", "delete", `{"objectId":"abc"}`},
	}
	for _, c := range cases {
		before := len(h.seen)
		clientCall(a, c.method, c.target, c.body, "User-Agent", "ua/1", "X-Bmob-SDK-Type", "Android")
		got := h.last()
		if len(h.seen) != before+1 || got.Table != c.table || got.Operation != c.op || got.Data != c.data ||
			got.IP != "10.1.2.3" || got.UA != "ua/1" || got.Caller != "Android" {
			t.Errorf("%s %s: hook saw %+v (%d calls), want %s %s %s", c.method, c.target, got, len(h.seen)-before, c.table, c.op, c.data)
		}
	}
	before := len(h.seen)
	for _, r := range []struct{ method, target, body string }{
		{"GET", "/1/login?username=u&password=p", ""}, {"GET", "/1/me", ""}, {"GET", "/1/timestamp", ""},
		{"POST", "/1/classes/Open", `{"a":1}`}, {"POST", "/1/classes/Game", `not json`},
	} {
		clientCall(a, r.method, r.target, r.body)
	}
	call(a, "POST", "/1/classes/Game", `{"score":2}`, "Content-Type", "application/json") // in-process, as oData
	if len(h.seen) != before {
		t.Fatalf("the hook saw non-data, uncovered, malformed or in-process requests: %+v", h.seen[before:])
	}
}

// TestHookVerdicts: a refusal is 400/324 with the hook's message, a failure
// 400/324 "data hook error: …", and replaced data is what gets saved or queried.
func TestHookVerdicts(t *testing.T) {
	h := &recordingHook{}
	a := hookedAPI(t, h)
	h.answer = func(in HookInput) (HookVerdict, error) { return HookVerdict{}, &HookRefusal{Msg: "no games today"} }
	if r := clientCall(a, "POST", "/1/classes/Game", `{"score":1}`); r.Status != 400 || string(r.Body) != `{"code":324,"error":"no games today"}` {
		t.Fatalf("refusal: %d %s", r.Status, r.Body)
	}
	h.answer = func(in HookInput) (HookVerdict, error) { return HookVerdict{}, context.DeadlineExceeded }
	if r := clientCall(a, "POST", "/1/classes/Game", `{"score":1}`); r.Status != 400 || !strings.Contains(string(r.Body), `"error":"data hook error: context deadline exceeded"`) {
		t.Fatalf("failure: %d %s", r.Status, r.Body)
	}
	h.answer = func(in HookInput) (HookVerdict, error) {
		var d map[string]any
		_ = json.Unmarshal([]byte(in.Data), &d)
		switch in.Operation {
		case "create":
			d["score"] = 100.0
		case "update":
			d["$set"].(map[string]any)["score"] = 7.0
		case "query":
			d["where"] = map[string]any{"score": 7}
		}
		b, _ := json.Marshal(d)
		return HookVerdict{Data: string(b)}, nil
	}
	r := clientCall(a, "POST", "/1/classes/Game", `{"score":1}`)
	var created struct{ ObjectID string }
	_ = json.Unmarshal(r.Body, &created)
	if r.Status != 201 || created.ObjectID == "" {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	if got := call(a, "GET", "/1/classes/Game/"+created.ObjectID, ""); !strings.Contains(string(got.Body), `"score":100`) {
		t.Fatalf("saved row: %s", got.Body)
	}
	if r := clientCall(a, "PUT", "/1/classes/Game/"+created.ObjectID, `{"score":2}`); r.Status != 200 {
		t.Fatalf("update: %d %s", r.Status, r.Body)
	}
	if r := clientCall(a, "GET", `/1/classes/Game?where={"score":100}`, ""); !strings.Contains(string(r.Body), `"score":7`) {
		t.Fatalf("query with the hook's where: %s", r.Body)
	}
	h.answer = func(in HookInput) (HookVerdict, error) { return HookVerdict{Data: `{"no":"set"}`}, nil }
	if r := clientCall(a, "PUT", "/1/classes/Game/"+created.ObjectID, `{"score":2}`); r.Status != 400 || !strings.Contains(string(r.Body), `has no \"$set\" object`) {
		t.Fatalf("update without $set: %d %s", r.Status, r.Body)
	}
}
