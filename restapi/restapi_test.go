package restapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/internal/storetest"
	"github.com/bmobemu/bmobemu/store"
)

// newAPI opens a real store whose clock starts at 2024-05-01 12:00:00 Beijing
// time and advances one second per write.
func newAPI(t *testing.T) *API {
	t.Helper()
	var mu sync.Mutex
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, bjtime.Location)
	s := storetest.Open(t, store.Options{Now: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}})
	t.Cleanup(func() { s.Close() })
	return New(s)
}

func call(a *API, method, target, body string, header ...string) Response {
	u, _ := url.Parse(target)
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return a.Serve(context.Background(), Request{Method: method, Path: u.Path, Query: u.Query(), Header: h, Body: []byte(body)})
}

func TestCreateGetUpdateDelete(t *testing.T) {
	a := newAPI(t)
	resp := call(a, "POST", "/1/classes/GameScore", `{"score":1337,"name":"<Sean>","big":1e21,"small":0.0000001,"half":0.5}`, "Content-Type", "application/json")
	if resp.Status != 201 {
		t.Fatalf("POST status %d: %s", resp.Status, resp.Body)
	}
	m := regexp.MustCompile(`^\{"createdAt":"2024-05-01 12:00:01","objectId":"([0-9a-f]{10})"\}$`).FindSubmatch(resp.Body)
	if m == nil {
		t.Fatalf("POST body %s", resp.Body)
	}
	id := string(m[1])
	if loc := resp.Header.Get("Location"); loc != "/1/classes/GameScore/"+id {
		t.Errorf("Location = %q", loc)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}

	want := `{"big":1e+21,"createdAt":"2024-05-01 12:00:01","half":0.5,"name":"<Sean>","objectId":"` + id +
		`","score":1337,"small":1e-7,"updatedAt":"2024-05-01 12:00:01"}`
	if resp := call(a, "GET", "/1/classes/GameScore/"+id+"?timestamp=1", ""); resp.Status != 200 || string(resp.Body) != want {
		t.Errorf("GET = %d %s\nwant %s", resp.Status, resp.Body, want)
	}
	if resp := call(a, "PUT", "/1/classes/GameScore/"+id, `{"score":{"__op":"Increment","amount":-1}}`, "Content-Type", "application/json; charset=utf-8"); string(resp.Body) != `{"updatedAt":"2024-05-01 12:00:02"}` {
		t.Errorf("PUT = %d %s", resp.Status, resp.Body)
	}
	if resp := call(a, "GET", "/1/classes/GameScore/"+id+"?keys=score", ""); string(resp.Body) != `{"createdAt":"2024-05-01 12:00:01","objectId":"`+id+`","score":1336,"updatedAt":"2024-05-01 12:00:02"}` {
		t.Errorf("GET keys = %s", resp.Body)
	}
	if resp := call(a, "DELETE", "/1/classes/GameScore/"+id, ""); resp.Status != 200 || string(resp.Body) != `{"msg":"ok"}` {
		t.Errorf("DELETE = %d %s", resp.Status, resp.Body)
	}
	if resp := call(a, "GET", "/1/classes/GameScore/"+id, ""); resp.Status != 400 || string(resp.Body) != `{"code":101,"error":"object not found for `+id+`."}` {
		t.Errorf("GET deleted = %d %s", resp.Status, resp.Body)
	}
}

func TestFindRoute(t *testing.T) {
	a := newAPI(t)
	for i, city := range []string{"SZ", "GZ", "SZ"} {
		body := fmt.Sprintf(`{"n":%d,"city":%q}`, i+1, city)
		if resp := call(a, "POST", "/1/classes/Shop", body); resp.Status != 201 {
			t.Fatalf("seed: %s", resp.Body)
		}
	}
	strip := func(b []byte) string { // objectIds are random; the rest is exact
		return regexp.MustCompile(`"objectId":"[0-9a-f]{10}",`).ReplaceAllString(string(b), "")
	}
	row := func(n int, city string) string {
		ts := fmt.Sprintf("2024-05-01 12:00:0%d", n)
		return fmt.Sprintf(`{"city":%q,"createdAt":%q,"n":%d,"updatedAt":%q}`, city, ts, n, ts)
	}
	tests := []struct {
		name, query, want string
	}{
		{"all", "", `{"results":[` + row(1, "SZ") + "," + row(2, "GZ") + "," + row(3, "SZ") + `]}`},
		{"where order", `where={"city":"SZ"}&order=-n&timestamp=17&table=Shop`, `{"results":[` + row(3, "SZ") + "," + row(1, "SZ") + `]}`},
		{"limit skip count", `limit=1&skip=1&count=1`, `{"count":3,"results":[` + row(2, "GZ") + `]}`},
		{"count only", `limit=0&count=true`, `{"count":3,"results":[]}`},
		{"count false", `count=0&limit=1`, `{"results":[` + row(1, "SZ") + `]}`},
		{"missing class", `where={"x":1}`, `{"results":[]}`},
		{"statistics", `groupby=city&sum=n&groupcount=true&order=city`, `[{"_count":1,"_sumN":2,"city":"GZ"},{"_count":2,"_sumN":4,"city":"SZ"}]`},
		{"having", `groupby=city&sum=n&having={"_sumN":{"$gt":3}}`, `[{"_sumN":4,"city":"SZ"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			class := "Shop"
			if tt.name == "missing class" {
				class = "Nope"
			}
			resp := call(a, "GET", "/1/classes/"+class+"?"+encodeQuery(tt.query), "")
			if resp.Status != 200 || strip(resp.Body) != tt.want {
				t.Errorf("got %d %s\nwant %s", resp.Status, strip(resp.Body), tt.want)
			}
		})
	}
}

// encodeQuery URL-encodes each value of a readable a=b&c=d string.
func encodeQuery(q string) string {
	if q == "" {
		return ""
	}
	v := url.Values{}
	for _, kv := range strings.Split(q, "&") {
		k, val, _ := strings.Cut(kv, "=")
		v.Add(k, val)
	}
	return v.Encode()
}

func TestIncludeRoute(t *testing.T) {
	a := newAPI(t)
	user := call(a, "POST", "/1/classes/_User", `{"username":"ann","password":"secret-pw"}`)
	var u map[string]string
	json.Unmarshal(user.Body, &u)
	post := call(a, "POST", "/1/classes/Post", `{"author":{"__type":"Pointer","className":"_User","objectId":"`+u["objectId"]+`"}}`)
	var p map[string]string
	json.Unmarshal(post.Body, &p)
	resp := call(a, "GET", "/1/classes/Post/"+p["objectId"]+"?include=author", "")
	want := `"author":{"__type":"Object","className":"_User","createdAt":"2024-05-01 12:00:01","objectId":"` + u["objectId"] +
		`","updatedAt":"2024-05-01 12:00:01","username":"ann"}`
	if !strings.Contains(string(resp.Body), want) {
		t.Errorf("include: %s", resp.Body)
	}
	resp = call(a, "GET", "/1/classes/Post?"+encodeQuery("include=author&keys=author"), "")
	if !strings.Contains(string(resp.Body), want) {
		t.Errorf("find include: %s", resp.Body)
	}
	if strings.Contains(string(resp.Body), "password") || strings.Contains(string(resp.Body), "pbkdf2") {
		t.Errorf("include shows the password: %s", resp.Body)
	}
}

func TestErrors(t *testing.T) {
	a := newAPI(t)
	created := call(a, "POST", "/1/classes/T", `{"a":"x"}`)
	var c map[string]string
	json.Unmarshal(created.Body, &c)
	id := c["objectId"]
	bigWhere := `{"a":"` + strings.Repeat("x", MaxWhereBytes) + `"}`
	tests := []struct {
		name, method, target, body, contentType string
		status                                  int
		want                                    string
	}{
		{"invalid json", "POST", "/1/classes/T", `{"a":`, "", 400, `{"code":107,"error":"invalid json: {\"a\":."}`},
		{"array body", "POST", "/1/classes/T", `[1]`, "", 400, `{"code":107,"error":"invalid json: [1]."}`},
		{"empty body", "PUT", "/1/classes/T/" + id, ``, "", 400, `{"code":107,"error":"invalid json: ."}`},
		{"content type", "POST", "/1/classes/T", `{"a":"y"}`, "text/plain", 400,
			`{"code":107,"error":"This endpoint only supports Content-Type: application/json requests, not text/plain."}`},
		{"content type put", "PUT", "/1/classes/T/" + id, `{"a":"y"}`, "application/x-www-form-urlencoded", 400,
			`{"code":107,"error":"This endpoint only supports Content-Type: application/json requests, not application/x-www-form-urlencoded."}`},
		{"bad where", "GET", "/1/classes/T?where=" + url.QueryEscape(`{a:1}`), "", "", 400, `{"code":107,"error":"invalid json: {a:1}."}`},
		{"where too large", "GET", "/1/classes/T?where=" + url.QueryEscape(bigWhere), "", "", 400, `{"code":402,"error":"query where larger than 65536 bytes."}`},
		{"limit not int", "GET", "/1/classes/T?limit=ten", "", "", 400, `{"code":102,"error":"Invalid value for key 'limit'."}`},
		{"skip not int", "GET", "/1/classes/T?skip=1.5", "", "", 400, `{"code":102,"error":"Invalid value for key 'skip'."}`},
		{"unknown operator", "GET", "/1/classes/T?where=" + url.QueryEscape(`{"a":{"$near":1}}`), "", "", 400, `{"code":102,"error":"Invalid key '$near' for find"}`},
		{"not found", "GET", "/1/classes/T/23bcb195cc", "", "", 400, `{"code":101,"error":"object not found for 23bcb195cc."}`},
		{"not found put", "PUT", "/1/classes/T/23bcb195cc", `{}`, "", 400, `{"code":101,"error":"object not found for 23bcb195cc."}`},
		{"not found delete", "DELETE", "/1/classes/T/23bcb195cc", "", "", 400, `{"code":101,"error":"object not found for 23bcb195cc."}`},
		{"class name", "POST", "/1/classes/9T", `{}`, "", 400, `{"code":103,"error":"classname '9T' must start with a letter."}`},
		{"field name", "POST", "/1/classes/T", `{"a b":1}`, "", 400, `{"code":105,"error":"invalid field name: a b."}`},
		{"reserved", "PUT", "/1/classes/T/" + id, `{"objectId":"x"}`, "", 400, `{"code":105,"error":"It is a reserved field: objectId."}`},
		{"type", "PUT", "/1/classes/T/" + id, `{"a":1}`, "", 400, `{"code":111,"error":"invalid type for key 'a', expected 'String', but got 'Number'."}`},
		{"date", "POST", "/1/classes/T", `{"d":{"__type":"Date","iso":"nope"}}`, "", 400, `{"code":107,"error":"invalid date: nope."}`},
		{"no route", "GET", "/1/other", "", "", 404, `{"code":404,"error":"no route for GET /1/other."}`},
		{"no method", "PATCH", "/1/classes/T/" + id, "", "", 404, `{"code":404,"error":"no route for PATCH /1/classes/T/` + id + `."}`},
		{"post with id", "POST", "/1/classes/T/" + id, "{}", "", 404, `{"code":404,"error":"no route for POST /1/classes/T/` + id + `."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h []string
			if tt.contentType != "" {
				h = []string{"Content-Type", tt.contentType}
			}
			resp := call(a, tt.method, tt.target, tt.body, h...)
			if resp.Status != tt.status || string(resp.Body) != tt.want {
				t.Errorf("got %d %s\nwant %d %s", resp.Status, resp.Body, tt.status, tt.want)
			}
		})
	}
	// None of the failed writes changed the object.
	if resp := call(a, "GET", "/1/classes/T/"+id+"?keys=a", ""); !strings.Contains(string(resp.Body), `"a":"x"`) {
		t.Errorf("object changed by failed writes: %s", resp.Body)
	}
}
