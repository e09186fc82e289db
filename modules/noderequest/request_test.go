package noderequest

import (
	"strings"
	"testing"
)

func TestCallFormsAndHelpers(t *testing.T) {
	vu, _ := newVU(t, nil)
	srv := newServer(t)
	u := srv.URL
	tests := []struct {
		name       string
		js         string
		wantMethod string
		wantURI    string
	}{
		{"uri and callback", `request("` + u + `/a", record)`, "GET", "/a"},
		{"options and callback", `request({url: "` + u + `/b", method: "put"}, record)`, "PUT", "/b"},
		{"uri object with href", `request({uri: {href: "` + u + `/c"}}, record)`, "GET", "/c"},
		{"uri, options, callback", `request("` + u + `/d", {method: "DELETE"}, record)`, "DELETE", "/d"},
		{"callback in options", `request({uri: "` + u + `/e", callback: record})`, "GET", "/e"},
		{"baseUrl", `request({baseUrl: "` + u + `/api/", uri: "/f"}, record)`, "GET", "/api/f"},
		{"get", `request.get("` + u + `/g", record)`, "GET", "/g"},
		{"head", `request.head("` + u + `/h", record)`, "HEAD", "/h"},
		{"options helper", `request.options("` + u + `/i", record)`, "OPTIONS", "/i"},
		{"post forces method", `request.post({url: "` + u + `/j", method: "GET"}, record)`, "POST", "/j"},
		{"put", `request.put("` + u + `/k", {body: "x"}, record)`, "PUT", "/k"},
		{"patch", `request.patch("` + u + `/l", record)`, "PATCH", "/l"},
		{"del", `request.del("` + u + `/m", record)`, "DELETE", "/m"},
		{"delete", `request.delete("` + u + `/n", record)`, "DELETE", "/n"},
		{"forever", `request.forever().get("` + u + `/o", record)`, "GET", "/o"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vu.MustRun(t, "results = [];")
			vu.MustRun(t, tc.js)
			got := srv.last(t)
			if got.Method != tc.wantMethod || got.URI != tc.wantURI {
				t.Fatalf("server saw %s %s, want %s %s", got.Method, got.URI, tc.wantMethod, tc.wantURI)
			}
			r := only(t, vu)
			if r.Err != nil || r.Status != 200 || r.Method != tc.wantMethod || r.Href != u+tc.wantURI || r.Args != 3 {
				t.Fatalf("callback got %+v", r)
			}
		})
	}
}

func TestCallbackContract(t *testing.T) {
	vu, _ := newVU(t, nil)
	srv := newServer(t)
	vu.MustRun(t, `request("`+srv.URL+`/text", record); request("`+srv.URL+`/status/503", record)`)
	rs := results(t, vu)
	if len(rs) != 2 {
		t.Fatalf("got %d callbacks", len(rs))
	}
	byStatus := map[int]outcomeJS{}
	for _, r := range rs {
		byStatus[r.Status] = r
	}
	text := byStatus[200]
	if text.Err != nil || text.Body != "hello 世界" || !text.SameBody || text.StatusMessage != "OK" {
		t.Errorf("200: %+v", text)
	}
	if text.Headers["content-type"] != "text/plain; charset=utf-8" || text.Headers["x-multi"] != "a, b" {
		t.Errorf("headers not lower-cased/joined as Node does: %v", text.Headers)
	}
	failed := byStatus[503]
	if failed.Err != nil || failed.Body != "status body" || failed.StatusMessage != "Service Unavailable" {
		t.Errorf("503 must not be an error: %+v", failed)
	}
}

func TestResponseShape(t *testing.T) {
	vu, _ := newVU(t, nil)
	srv := newServer(t)
	vu.MustRun(t, `request({url: "`+srv.URL+`/text?x=1", headers: {"X-Token": "t"}}, function (err, res, body) {
		shape = {
			raw: res.rawHeaders.length > 0 && res.rawHeaders.length % 2 === 0,
			uri: res.request.uri.host + "|" + res.request.uri.path + "|" + res.request.uri.query + "|" + res.request.uri.protocol,
			reqHeader: res.request.headers["X-Token"],
			json: JSON.stringify(res.toJSON().request.method) + res.toJSON().statusCode + res.toJSON().body,
			self: this === res.request,
		};
	})`)
	got := vu.JSON(vu.Global("shape"))
	host := strings.TrimPrefix(srv.URL, "http://")
	want := `{"raw":true,"uri":"` + host + `|/text?x=1|x=1|http:","reqHeader":"t","json":"\"GET\"200hello 世界","self":true}`
	if got != want {
		t.Fatalf("response shape\n got %s\nwant %s", got, want)
	}
}

func TestDefaults(t *testing.T) {
	vu, _ := newVU(t, nil)
	srv := newServer(t)
	vu.MustRun(t, `
		var api = request.defaults({baseUrl: "`+srv.URL+`", headers: {"X-App": "one", "X-Keep": "k"}});
		var api2 = api.defaults({headers: {"X-App": "two"}});
		api2.post({uri: "/d", headers: {"X-Call": "c"}, body: "payload"}, record);
		hasHelpers = ["get","head","post","put","patch","del","delete","defaults","jar","cookie"].every(function (k) { return typeof api[k] === "function"; });
	`)
	got := srv.last(t)
	if got.Method != "POST" || got.URI != "/d" || got.Body != "payload" {
		t.Fatalf("server saw %+v", got)
	}
	for k, v := range map[string]string{"X-App": "two", "X-Keep": "k", "X-Call": "c"} {
		if got.Header.Get(k) != v {
			t.Errorf("header %s = %q, want %q (defaults merged deeply, later wins)", k, got.Header.Get(k), v)
		}
	}
	if vu.Global("hasHelpers").ToBoolean() != true {
		t.Error("defaults() function lacks helpers")
	}
}

func TestNoCallbackStillSends(t *testing.T) {
	vu, _ := newVU(t, nil)
	srv := newServer(t)
	vu.MustRun(t, `ret = request.post({url: "`+srv.URL+`/fire", body: "and forget"}); hasAbort = typeof ret.abort === "function"`)
	got := srv.last(t)
	if got.URI != "/fire" || got.Body != "and forget" || !vu.Global("hasAbort").ToBoolean() {
		t.Fatalf("server saw %+v", got)
	}
}

func TestAbort(t *testing.T) {
	vu, _ := newVU(t, nil)
	srv := newServer(t)
	vu.MustRun(t, `var r = request("`+srv.URL+`/slow", record); r.abort();`)
	if n := len(results(t, vu)); n != 0 {
		t.Fatalf("callback ran %d times after abort", n)
	}
}

func TestCookieJar(t *testing.T) {
	vu, _ := newVU(t, nil)
	srv := newServer(t)
	vu.MustRun(t, `
		var j = request.jar();
		request({url: "`+srv.URL+`/setcookie", jar: j}, function () {
			request({url: "`+srv.URL+`/again", jar: j}, record);
			cookieString = j.getCookieString("`+srv.URL+`/");
		});
		var c = request.cookie("k=v; Path=/");
		cookieKey = c.key + "=" + c.value;
	`)
	if got := srv.last(t).Header.Get("Cookie"); got != "sid=abc123" {
		t.Errorf("second call sent Cookie %q, want the jar's sid=abc123", got)
	}
	if got := vu.Global("cookieString").String(); got != "sid=abc123" {
		t.Errorf("getCookieString = %q", got)
	}
	if got := vu.Global("cookieKey").String(); got != "k=v" {
		t.Errorf("cookie() = %q", got)
	}
}
