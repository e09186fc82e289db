package testkit

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/fncall"
)

func open(t *testing.T, seed uint64) *T {
	t.Helper()
	fx, err := LoadFixtures("testdata/fixtures", DefaultStart)
	if err != nil {
		t.Fatal(err)
	}
	return New(t, Options{Functions: []string{"testdata/functions"}, Fixtures: fx, Seed: seed})
}

func TestTimersStepTheFrozenClock(t *testing.T) {
	k := open(t, 1)
	got := k.JSON(k.Get("later", ""))
	start := float64(DefaultStart.UnixMilli())
	if got["started"] != start || got["answered"] != start+1000 {
		t.Fatalf("started %v answered %v, want %v and %v", got["started"], got["answered"], start, start+1000)
	}
	if got["iso"] != "2026-01-01T02:00:01.000Z" {
		t.Fatalf("new Date() = %v", got["iso"])
	}
	if now := k.Clock.Now(); !now.Equal(DefaultStart.Add(time.Second)) {
		t.Fatalf("clock after the call: %v", now)
	}
}

func TestTimersAfterTheAnswerWaitForTheClock(t *testing.T) {
	k := open(t, 1)
	if r := k.Get("after", ""); r.Text() != "ok" {
		t.Fatalf("after answered %q", r.Text())
	}
	if rows := k.Rows("Later"); len(rows) != 0 {
		t.Fatalf("the timer ran before the clock moved: %v", rows)
	}
	if err := k.Advance(t.Context(), 59*time.Second); err != nil {
		t.Fatal(err)
	}
	if rows := k.Rows("Later"); len(rows) != 0 {
		t.Fatalf("the timer ran 1 s early: %v", rows)
	}
	if err := k.Advance(t.Context(), time.Second); err != nil {
		t.Fatal(err)
	}
	if len(k.Rows("Later")) != 1 {
		t.Fatal("Advance returned before the timer's insert")
	}
	if at := k.Rows("Later")[0]["at"]; at != float64(DefaultStart.Add(time.Minute).UnixMilli()) {
		t.Fatalf("timer ran at %v", at)
	}
}

func TestSeedMakesRunsReproducible(t *testing.T) {
	run := func(seed uint64) map[string]any {
		k := open(t, seed)
		return k.JSON(k.Post("order", map[string]any{}))
	}
	a, b, c := run(7), run(7), run(8)
	for _, key := range []string{"orderNum", "nonce", "objectId", "createdAt"} {
		if a[key] != b[key] {
			t.Errorf("%s differs with the same seed: %v vs %v", key, a[key], b[key])
		}
	}
	if a["orderNum"] == c["orderNum"] || a["objectId"] == c["objectId"] || a["nonce"] == c["nonce"] {
		t.Errorf("another seed gave the same values: %v vs %v", a, c)
	}
	if !strings.HasPrefix(a["orderNum"].(string), "ORDER_1767232800000_") || a["createdAt"] != "2026-01-01 10:00:00" {
		t.Errorf("frozen clock not followed: %v", a)
	}
}

func TestFixturesSeedEveryTest(t *testing.T) {
	k := open(t, 1)
	rows := k.Rows("Product")
	if len(rows) != 2 || rows[0]["objectId"] != "p000000001" || rows[1]["name"] != "一年会员" {
		t.Fatalf("fixture rows: %v", rows)
	}
	if rows[1]["createdAt"] != "2026-01-01 10:00:00" || len(rows[1]["objectId"].(string)) != 10 {
		t.Fatalf("filled system fields: %v", rows[1])
	}
	k.Insert("Product", map[string]any{"name": "x"})
	if n := len(open(t, 1).Rows("Product")); n != 2 {
		t.Fatalf("a new session saw %d products: sessions share a store", n)
	}
	if got := k.Find("Product", map[string]any{"price": map[string]any{"$gt": 50}}); len(got) != 1 || got[0]["price"] != 99.0 {
		t.Fatalf("find with where: %v", got)
	}
}

func TestFakeHTTPAnswersDeclaredAndFailsUndeclared(t *testing.T) {
	k := open(t, 1)
	k.OnHTTP("POST", "https://api.example.com/v1/pay", 201, map[string]any{"ok": true})
	got := k.JSON(k.Get("fetch", "url="+url.QueryEscape("https://api.example.com/v1/pay")))
	if got["status"] != 201.0 || got["body"].(map[string]any)["ok"] != true {
		t.Fatalf("declared answer: %v", got)
	}
	reqs := k.HTTP.Requests()
	if len(reqs) != 1 || reqs[0].Method != "POST" || string(reqs[0].Body) != `{"hello":"world"}` {
		t.Fatalf("recorded: %+v", reqs)
	}

	// An undeclared call fails for the script and is recorded for the test.
	s, err := Open(Options{Functions: []string{"testdata/functions"}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Call(t.Context(), "fetch", Request{Query: []fncall.Pair{{Key: "url", Value: "https://evil.example.com/x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 502 || !strings.Contains(r.Text(), "undeclared outbound request POST https://evil.example.com/x") {
		t.Fatalf("undeclared call answered %d %s", r.Status, r.Text())
	}
	if u := s.HTTP.Unexpected(); len(u) != 1 || u[0].Host != "evil.example.com" {
		t.Fatalf("unexpected: %+v", u)
	}
}

func TestCallFormsAndREST(t *testing.T) {
	k := open(t, 1)
	r := k.Call("echo", Request{Query: []fncall.Pair{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}}, Header: http.Header{"X-Test": {"1"}}})
	got := k.JSON(r)
	if got["method"] != "GET" || r.Header.Get("X-Echo") != "yes" || len(r.Log) != 1 || !strings.Contains(r.Log[0], "echo GET") {
		t.Fatalf("GET: %v %v %v", got, r.Header, r.Log)
	}
	if q := got["query"].(map[string]any); len(q["a"].([]any)) != 2 {
		t.Fatalf("query: %v", q)
	}
	got = k.JSON(k.PostForm("echo", url.Values{"x": {"1"}}))
	if got["body"].(map[string]any)["x"] != "1" {
		t.Fatalf("form: %v", got)
	}
	got = k.JSON(k.Call("echo", XMLBody("<xml><A>b</A></xml>")))
	if got["body"].(map[string]any)["xml"].(map[string]any)["A"] != "b" {
		t.Fatalf("xml: %v", got)
	}
	rest := k.JSON(k.REST("echo", map[string]any{"n": 1.5, "o": map[string]any{"k": true}, "s": "t"}))
	var inner map[string]any
	res := &Reply{Response: fncall.Response{Body: []byte(rest["result"].(string))}}
	if err := res.JSON(&inner); err != nil {
		t.Fatal(err)
	}
	body := inner["body"].(map[string]any)
	if inner["method"] != "POST" || body["n"] != "1.5" || body["o"] != `{"k":true}` || body["s"] != "t" || body["_e"] != "echo" {
		t.Fatalf("REST callee saw %v", inner)
	}
}
