package restapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/internal/sdktest"
	"github.com/bmobemu/bmobemu/internal/storetest"
	"github.com/bmobemu/bmobemu/store"
)

var clientKeys = Keys{
	AppID:        "0123456789abcdef0123456789abcdef",
	RESTKey:      "fedcba9876543210fedcba9876543210",
	MasterKey:    "00112233445566778899aabbccddeeff",
	SecurityCode: "c0de",
	SecretKey:    "5ec2e75ec2e75ec2",
}

// clientAPI is an API with the app's keys on a real store, called as the
// HTTP server calls it (ServeClient), its safe-sign clock a fake one.
type clientAPI struct {
	api   *API
	clock *clock.Fake
	store store.Store
}

func newClientAPI(t *testing.T) *clientAPI {
	t.Helper()
	st := storetest.Open(t, store.Options{})
	t.Cleanup(func() { _ = st.Close() })
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	return &clientAPI{api: New(st, WithKeys(clientKeys), WithClock(clk.Now), WithBodyLimits(4096, 0)), clock: clk, store: st}
}

// call sends one client request (target is the path as sent, with its
// query); headers are name, value pairs.
func (s *clientAPI) call(t *testing.T, method, target, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	path, rawQuery, _ := strings.Cut(target, "?")
	q, _ := url.ParseQuery(rawQuery)
	h := http.Header{}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	resp := s.api.ServeClient(context.Background(), Request{Method: method, Path: path, Query: q, Header: h, Body: []byte(body)}, Client{IP: "127.0.0.1"})
	return resp.Status, resp.Header, string(resp.Body)
}

var clientMasterHeaders = []string{HeaderMasterKey, clientKeys.MasterKey, "Content-Type", "application/json"}

var appHeaders = []string{"X-Bmob-Application-Id", clientKeys.AppID, "X-Bmob-REST-API-Key", clientKeys.RESTKey, "Content-Type", "application/json"}

// sdkHeaders are hydrogen-js-sdk's headers for a request signed with the test app's keys.
func sdkHeaders(route, ts, nonce, body string) []string {
	return sdktest.Headers(clientKeys.SecurityCode, clientKeys.SecretKey, route, ts, nonce, body)
}

func TestNonceCacheForgetsOnlyAfterTTL(t *testing.T) {
	c := nonceCache{ttl: 20 * time.Second}
	t0 := time.Unix(1000, 0)
	if !c.add("a", t0.Add(20*time.Second), t0) || c.add("a", t0.Add(20*time.Second), t0.Add(time.Second)) {
		t.Fatal("a nonce must be new once, then a replay")
	}
	// Rotations move "a" to the old generation, then drop it; in between it is still a replay.
	c.add("b", t0.Add(40*time.Second), t0.Add(20*time.Second))
	if c.add("a", t0.Add(20*time.Second), t0.Add(19*time.Second)) {
		t.Fatal("a was forgotten before its expiry")
	}
	c.add("c", t0.Add(60*time.Second), t0.Add(40*time.Second))
	if len(c.cur)+len(c.old) > 2 {
		t.Fatalf("expired generations are kept: %v %v", c.cur, c.old)
	}
}

func TestAuthFailuresAndSuccesses(t *testing.T) {
	s := newClientAPI(t)
	now := strconv.FormatInt(s.clock.Now().Unix(), 10)
	body := `{"score":1}`
	with := func(base []string, kv ...string) []string {
		out := append([]string(nil), base...)
		for i := 0; i+1 < len(kv); i += 2 {
			for j := 0; j+1 < len(out); j += 2 {
				if out[j] == kv[i] {
					out[j+1] = kv[i+1]
				}
			}
		}
		return out
	}
	cases := []struct {
		name    string
		headers []string
		status  int
		why     string
	}{
		{"no keys", []string{"Content-Type", "application/json"}, 401, "no keys"},
		{"wrong application id", with(appHeaders, "X-Bmob-Application-Id", strings.Repeat("0", 32)), 401, "wrong application id"},
		{"wrong REST key", with(appHeaders, "X-Bmob-REST-API-Key", strings.Repeat("0", 32)), 401, "wrong REST API key"},
		{"missing REST key", []string{"X-Bmob-Application-Id", clientKeys.AppID, "Content-Type", "application/json"}, 401, "missing X-Bmob-REST-API-Key"},
		{"wrong master key", []string{"X-Bmob-Application-Id", clientKeys.AppID, "X-Bmob-Master-Key", strings.Repeat("1", 32), "Content-Type", "application/json"}, 401, "wrong master key"},
		{"wrong master key beside a right REST key", append(appHeaders[:4:4], "X-Bmob-Master-Key", "nope"), 401, "wrong master key"},
		{"bad safe-sign", with(sdkHeaders("/1/classes/T", now, "nonce00000000001", body), "X-Bmob-Safe-Sign", sdktest.MD5Hex("forged")), 401, "bad X-Bmob-Safe-Sign"},
		{"sign over another body", sdkHeaders("/1/classes/T", now, "nonce00000000002", `{"score":2}`), 401, "bad X-Bmob-Safe-Sign"},
		{"sign with another security code", with(sdkHeaders("/1/classes/T", now, "nonce00000000003", body), "X-Bmob-Safe-Sign", sdktest.Sign("/1/classes/T", now, "other", "nonce00000000003", body, sdktest.SDKVersion)), 401, "bad X-Bmob-Safe-Sign"},
		{"wrong secret key", with(sdkHeaders("/1/classes/T", now, "nonce00000000004", body), "X-Bmob-Secret-Key", "0000000000000000"), 401, "wrong X-Bmob-Secret-Key"},
		{"stale timestamp", sdkHeaders("/1/classes/T", strconv.FormatInt(s.clock.Now().Unix()-11, 10), "nonce00000000005", body), 401, "stale"},
		{"timestamp from the future", sdkHeaders("/1/classes/T", strconv.FormatInt(s.clock.Now().Unix()+11, 10), "nonce00000000006", body), 401, "stale"},
		{"timestamp not a number", sdkHeaders("/1/classes/T", "yesterday", "nonce00000000007", body), 401, "not a unix time"},
		{"missing nonce", with(sdkHeaders("/1/classes/T", now, "", body)), 401, "incomplete"},
		{"app keys", appHeaders, 201, ""},
		{"header names in any case", []string{"x-bmob-application-id", clientKeys.AppID, "X-BMOB-REST-API-KEY", clientKeys.RESTKey, "Content-Type", "application/json"}, 201, ""},
		{"master key alone", []string{"X-Bmob-Master-Key", clientKeys.MasterKey, "Content-Type", "application/json"}, 201, ""},
		{"safe-sign, seconds", sdkHeaders("/1/classes/T", now, "nonce00000000008", body), 201, ""},
		{"safe-sign, milliseconds, 9 s early", sdkHeaders("/1/classes/T", strconv.FormatInt(s.clock.Now().UnixMilli()-9000, 10), "nonce00000000009", body), 201, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, got := s.call(t, "POST", "/1/classes/T", body, tc.headers...)
			if status != tc.status {
				t.Fatalf("got %d %s (%s), want %d", status, got, h.Get("X-Bmobemu-Unauthorized"), tc.status)
			}
			if tc.status == 401 && (got != `{"error":"unauthorized"}` || !strings.Contains(h.Get("X-Bmobemu-Unauthorized"), tc.why)) {
				t.Fatalf("got %s, reason %q, want reason containing %q", got, h.Get("X-Bmobemu-Unauthorized"), tc.why)
			}
			if tc.status == 201 && (!strings.Contains(got, `"objectId":"`) || !strings.HasPrefix(h.Get("Location"), "/1/classes/T/")) {
				t.Fatalf("create answered %s, Location %q", got, h.Get("Location"))
			}
		})
	}
	res, err := s.store.Find(t.Context(), "T", store.Query{Limit: -1, Count: true})
	if err != nil || res.Count != 5 {
		t.Fatalf("want exactly the 5 authorised creates stored, got %d %v", res.Count, err)
	}
}

func TestSafeSignReplayAndGet(t *testing.T) {
	s := newClientAPI(t)
	now := strconv.FormatInt(s.clock.Now().Unix(), 10)
	h := sdkHeaders("/1/classes/T/", now, "AAAAAAAAAAAAAAAA", `{"a":1}`) // the SDK's save() route ends in "/"
	if status, _, body := s.call(t, "POST", "/1/classes/T/", `{"a":1}`, h...); status != 201 {
		t.Fatalf("first: %d %s", status, body)
	}
	status, hdr, body := s.call(t, "POST", "/1/classes/T/", `{"a":1}`, h...)
	if status != 401 || !strings.Contains(hdr.Get("X-Bmobemu-Unauthorized"), "replayed") {
		t.Fatalf("replay: %d %s %q", status, body, hdr.Get("X-Bmobemu-Unauthorized"))
	}
	// Once the window has passed, the same headers are stale, not replayed.
	s.clock.Advance(11 * time.Second)
	if status, hdr, _ := s.call(t, "POST", "/1/classes/T/", `{"a":1}`, h...); status != 401 || !strings.Contains(hdr.Get("X-Bmobemu-Unauthorized"), "stale") {
		t.Fatalf("after the window: %d %q", status, hdr.Get("X-Bmobemu-Unauthorized"))
	}
	// GET signs the path without the query and an empty body.
	now = strconv.FormatInt(s.clock.Now().Unix(), 10)
	status, _, body = s.call(t, "GET", "/1/classes/T?where=%7B%22a%22%3A1%7D&limit=5", "", sdkHeaders("/1/classes/T", now, "BBBBBBBBBBBBBBBB", "")...)
	if status != 200 || !strings.Contains(body, `"a":1`) {
		t.Fatalf("signed GET: %d %s", status, body)
	}
}

func TestMethodTunnelling(t *testing.T) {
	s := newClientAPI(t)
	keys := `"_ApplicationId":"` + clientKeys.AppID + `","_RestKey":"` + clientKeys.RESTKey + `","_ClientVersion":"js0.0.1","_InstallationId":"x"`
	post := func(path, body string) (int, string) {
		status, _, got := s.call(t, "POST", path, body, "Content-Type", "text/plain")
		return status, got
	}
	status, got := post("/1/classes/Game", `{"score":7,`+keys+`}`)
	if status != 201 {
		t.Fatalf("tunnelled create: %d %s", status, got)
	}
	var created struct{ ObjectID string }
	_ = json.Unmarshal([]byte(got), &created)
	_, _ = post("/1/classes/Game", `{"score":9,`+keys+`}`)
	status, got = post("/1/classes/Game", `{"_Method":"GET","where":{"score":{"$gt":8}},"keys":"score",`+keys+`}`)
	if status != 200 || !strings.Contains(got, `"score":9`) || strings.Contains(got, `"score":7`) {
		t.Fatalf("tunnelled query: %d %s", status, got)
	}
	status, got = post("/1/classes/Game/"+created.ObjectID, `{"_Method":"PUT","score":{"__op":"Increment","amount":3},`+keys+`}`)
	if status != 200 || !strings.Contains(got, "updatedAt") {
		t.Fatalf("tunnelled update: %d %s", status, got)
	}
	obj, err := s.store.Get(t.Context(), "Game", created.ObjectID, store.GetOptions{})
	if err != nil || obj["score"] != float64(10) || obj["_ClientVersion"] != nil {
		t.Fatalf("stored after update: %v %v", obj, err)
	}
	if status, got = post("/1/classes/Game/"+created.ObjectID, `{"_Method":"DELETE",`+keys+`}`); status != 200 || got != `{"msg":"ok"}` {
		t.Fatalf("tunnelled delete: %d %s", status, got)
	}
	if status, got = post("/1/classes/Game", `{"_Method":"GET","_ApplicationId":"`+clientKeys.AppID+`","_RestKey":"wrong"}`); status != 401 {
		t.Fatalf("tunnelled wrong key: %d %s", status, got)
	}
	if status, got = post("/1/classes/Game", `{"_Method":"GET","_MasterKey":"`+clientKeys.MasterKey+`"}`); status != 200 || !strings.Contains(got, `"score":9`) {
		t.Fatalf("tunnelled master key: %d %s", status, got)
	}
}

func TestCORS(t *testing.T) {
	s := newClientAPI(t)
	status, h, _ := s.call(t, "OPTIONS", "/1/classes/T", "", "Origin", "http://localhost:3000",
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type,x-bmob-safe-sign")
	if status != 204 || h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "PUT") ||
		h.Get("Access-Control-Allow-Headers") != "content-type,x-bmob-safe-sign" {
		t.Fatalf("preflight: %d %v", status, h)
	}
	_, h, _ = s.call(t, "GET", "/1/classes/T", "", "Origin", "http://localhost:3000")
	if h.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("a 401 must still be readable by the page: %v", h)
	}
}

// The HTTP status of a Bmob error is restapi's choice, from its code: 156 (a
// missing file) is a 404, every other code a 400.
func TestErrorStatusComesFromTheCode(t *testing.T) {
	for _, tc := range []struct {
		code, status int
	}{{156, 404}, {101, 400}, {CodeDataHook, 400}, {10076, 400}} {
		resp := errorResponse(store.Errorf(tc.code, "x"))
		if resp.Status != tc.status || string(resp.Body) != `{"code":`+strconv.Itoa(tc.code)+`,"error":"x"}` {
			t.Errorf("code %d: %d %s, want status %d", tc.code, resp.Status, resp.Body, tc.status)
		}
	}
}

// Body limits are the REST front's: uploads get the file limit, every other
// route the body limit, and the 413 names the route's own.
func TestClientBodyLimits(t *testing.T) {
	st := storetest.Open(t, store.Options{})
	t.Cleanup(func() { _ = st.Close() })
	a := New(st, WithKeys(clientKeys), WithBodyLimits(10, 20), WithFilesDir(t.TempDir()))
	if a.BodyLimit("POST", "/2/files/a.txt") != 20 || a.BodyLimit("POST", "/1/classes/T") != 10 || a.BodyLimit("PUT", "/2/files/a.txt") != 10 || a.MaxBodyLimit() != 20 {
		t.Fatalf("limits: %d %d %d", a.BodyLimit("POST", "/2/files/a.txt"), a.BodyLimit("POST", "/1/classes/T"), a.BodyLimit("PUT", "/2/files/a.txt"))
	}
	s := &clientAPI{api: a, store: st}
	status, h, got := s.call(t, "POST", "/1/classes/T", `{"a":"123456"}`, appHeaders...)
	if status != 413 || got != `{"code":413,"error":"request body larger than the limit of 10 bytes"}` || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("over the body limit: %d %s %v", status, got, h)
	}
	if status, _, got := s.call(t, "POST", "/2/files/a.txt", "0123456789abcde", "X-Bmob-Master-Key", clientKeys.MasterKey); status != 200 {
		t.Fatalf("an upload under the file limit: %d %s", status, got)
	}
	if status, _, got := s.call(t, "POST", "/2/files/a.txt", "0123456789abcdefghijk", "X-Bmob-Master-Key", clientKeys.MasterKey); status != 413 || !strings.Contains(got, "limit of 20 bytes") {
		t.Fatalf("an upload over the file limit: %d %s", status, got)
	}
}

// Answers list their headers in one order: CORS first, then by name.
func TestHeaderOrder(t *testing.T) {
	h := http.Header{}
	for _, k := range []string{"X-Bmobemu-Unauthorized", "Location", "Access-Control-Max-Age", "Access-Control-Expose-Headers", "Access-Control-Allow-Origin", "Content-Type"} {
		h.Set(k, "v")
	}
	got := strings.Join(sortHeaderNames(h, nil), ",")
	if want := "Access-Control-Allow-Origin,Access-Control-Expose-Headers,Access-Control-Max-Age,Content-Type,Location,X-Bmobemu-Unauthorized"; got != want {
		t.Fatalf("order %s, want %s", got, want)
	}
}

// Deploying without the master key is refused inside a batch too, and a
// registry-less API knows no function.
func TestFunctionRouteWithoutRegistry(t *testing.T) {
	s := newClientAPI(t)
	if status, _, got := s.call(t, "POST", "/1/functions/x", `{}`, appHeaders...); status != 400 || got != `{"code":311,"error":"invalid cloudcode name: x."}` {
		t.Fatalf("call: %d %s", status, got)
	}
	status, h, got := s.call(t, "DELETE", "/1/functions/x", "", appHeaders...)
	if status != 401 || got != `{"error":"unauthorized"}` || !strings.Contains(h.Get(HeaderUnauthorized), "master key") {
		t.Fatalf("delete with the REST key: %d %s %v", status, got, h)
	}
	if status, _, got := s.call(t, "DELETE", "/1/functions/x", "", clientMasterHeaders...); status != 400 || !strings.Contains(got, `"code":314`) {
		t.Fatalf("delete with the master key: %d %s", status, got)
	}
}

// VisitHeaders walks values in that order without allocating for a few headers.
func TestVisitHeaders(t *testing.T) {
	h := http.Header{"Location": {"/x"}, "Access-Control-Allow-Origin": {"*"}, "Content-Type": {"a", "b"}}
	var got []string
	VisitHeaders(h, func(k, v string) { got = append(got, k+"="+v) })
	if want := "Access-Control-Allow-Origin=*,Content-Type=a,Content-Type=b,Location=/x"; strings.Join(got, ",") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	n := 0
	if allocs := testing.AllocsPerRun(100, func() { VisitHeaders(h, func(string, string) { n++ }) }); allocs != 0 {
		t.Errorf("%v allocations per walk", allocs)
	}
}
