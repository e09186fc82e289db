package noderequest

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
)

// TestWhatArrives checks the exact method, path, headers and body each option
// produces on the wire.
func TestWhatArrives(t *testing.T) {
	vu, _ := newVU(t, nil)
	srv := newServer(t)
	u := srv.URL
	tests := []struct {
		name       string
		js         string
		wantMethod string
		wantURI    string
		wantBody   string
		wantHeader map[string]string // "" means the header must be absent
	}{
		{name: "plain GET adds no User-Agent, keeps connection alive",
			js: `request("` + u + `/p", record)`, wantMethod: "GET", wantURI: "/p",
			wantHeader: map[string]string{"User-Agent": "", "Connection": "keep-alive", "Accept-Encoding": "", "Content-Length": ""}},
		{name: "script's headers pass through, undefined dropped",
			js:         `request({url: "` + u + `/h", headers: {"User-Agent": "bmob", "X-A": 1, "X-Gone": undefined}}, record)`,
			wantMethod: "GET", wantURI: "/h", wantHeader: map[string]string{"User-Agent": "bmob", "X-A": "1", "X-Gone": ""}},
		{name: "qs nested and arrays merged into existing query",
			js:         `request({url: "` + u + `/q?keep=1+2&a=old", qs: {a: "new", o: {b: "c d"}, arr: [1, "x"], n: null, u: undefined, s: "!'()*~"}}, record)`,
			wantMethod: "GET", wantURI: "/q?keep=1%202&a=new&o%5Bb%5D=c%20d&arr%5B0%5D=1&arr%5B1%5D=x&n=&s=%21%27%28%29%2A~"},
		{name: "form object",
			js:         `request.post({url: "` + u + `/f", form: {name: "张 三", tags: ["a", "b"], bang: "it's (ok)!*"}}, record)`,
			wantMethod: "POST", wantURI: "/f",
			wantBody:   "name=%E5%BC%A0%20%E4%B8%89&tags%5B0%5D=a&tags%5B1%5D=b&bang=it%27s%20%28ok%29%21%2A",
			wantHeader: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
		{name: "form string gets rfc3986 escaping",
			js:         `request.post({url: "` + u + `/fs", form: "a=b&c=(d)!"}, record)`,
			wantMethod: "POST", wantURI: "/fs", wantBody: "a=b&c=%28d%29%21",
			wantHeader: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
		{name: "json true with object body",
			js:         `request.post({url: "` + u + `/j", json: true, body: {a: 1, b: "两"}}, record)`,
			wantMethod: "POST", wantURI: "/j", wantBody: `{"a":1,"b":"两"}`,
			wantHeader: map[string]string{"Content-Type": "application/json", "Accept": "application/json"}},
		{name: "json true re-stringifies a string body",
			js:         `request.post({url: "` + u + `/js", json: true, body: '{"a":1}'}, record)`,
			wantMethod: "POST", wantURI: "/js", wantBody: `"{\"a\":1}"`},
		{name: "json object is the body; script content-type kept",
			js:         `request.post({url: "` + u + `/jo", json: {x: [1]}, headers: {"content-type": "application/vnd+json"}}, record)`,
			wantMethod: "POST", wantURI: "/jo", wantBody: `{"x":[1]}`,
			wantHeader: map[string]string{"Content-Type": "application/vnd+json"}},
		{name: "json without body only sets accept",
			js:         `request({url: "` + u + `/jg", json: true}, record)`,
			wantMethod: "GET", wantURI: "/jg", wantHeader: map[string]string{"Accept": "application/json", "Content-Type": ""}},
		{name: "Buffer body",
			js:         `request.put({url: "` + u + `/b", body: Buffer.from("00ff41", "hex")}, record)`,
			wantMethod: "PUT", wantURI: "/b", wantBody: "\x00\xffA", wantHeader: map[string]string{"Content-Length": "3"}},
		{name: "POST without body sends content-length 0",
			js:         `request.post("` + u + `/nb", record)`,
			wantMethod: "POST", wantURI: "/nb", wantHeader: map[string]string{"Content-Length": "0"}},
		{name: "auth user/pass",
			js:         `request({url: "` + u + `/a", auth: {user: "u", pass: "p:w"}}, record)`,
			wantMethod: "GET", wantURI: "/a", wantHeader: map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("u:p:w"))}},
		{name: "auth bearer",
			js:         `request({url: "` + u + `/a", auth: {bearer: "tok"}}, record)`,
			wantMethod: "GET", wantURI: "/a", wantHeader: map[string]string{"Authorization": "Bearer tok"}},
		{name: "gzip asks for it",
			js:         `request({url: "` + u + `/g", gzip: true}, record)`,
			wantMethod: "GET", wantURI: "/g", wantHeader: map[string]string{"Accept-Encoding": "gzip, deflate"}},
		{name: "escapes spaces in the uri like url.parse",
			js:         `request("` + u + `/sp ace?q=a b", record)`,
			wantMethod: "GET", wantURI: "/sp%20ace?q=a%20b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vu.MustRun(t, "results = [];")
			vu.MustRun(t, tc.js)
			r := only(t, vu)
			if r.Err != nil {
				t.Fatalf("callback error: %+v", r.Err)
			}
			got := srv.last(t)
			if got.Method != tc.wantMethod || got.URI != tc.wantURI || got.Body != tc.wantBody {
				t.Errorf("server saw %s %s %q\n           want %s %s %q", got.Method, got.URI, got.Body, tc.wantMethod, tc.wantURI, tc.wantBody)
			}
			if tc.wantBody != "" && got.Header.Get("Content-Length") != strconv.Itoa(len(tc.wantBody)) {
				t.Errorf("Content-Length = %q for a %d-byte body", got.Header.Get("Content-Length"), len(tc.wantBody))
			}
			for k, want := range tc.wantHeader {
				vals, present := got.Header[http.CanonicalHeaderKey(k)]
				if want == "" && present {
					t.Errorf("header %s = %q, want it absent", k, vals)
				}
				if want != "" && got.Header.Get(k) != want {
					t.Errorf("header %s = %q, want %q", k, got.Header.Get(k), want)
				}
			}
		})
	}
}

// TestResponseBodies checks how the body reaches the callback for each mode.
func TestResponseBodies(t *testing.T) {
	vu, _ := newVU(t, nil)
	srv := newServer(t)
	u := srv.URL
	tests := []struct {
		name string
		js   string
		want string // JSON of the recorded body
	}{
		{"string by default", `request("` + u + `/text", record)`, `"hello 世界"`},
		{"json parsed", `request({url: "` + u + `/json", json: true}, record)`, `{"prepay_id":"wx123","n":[1,2]}`},
		{"json not parseable stays a string", `request({url: "` + u + `/notjson", json: true}, record)`, `"plain words"`},
		{"json empty body is undefined", `request({url: "` + u + `/empty", json: true}, record)`, `null`},
		{"empty body is ''", `request("` + u + `/empty", record)`, `""`},
		{"encoding null gives a Buffer", `request({url: "` + u + `/bytes", encoding: null}, record)`, `{"buffer":"ff0001"}`},
		{"encoding hex", `request({url: "` + u + `/bytes", encoding: "hex"}, record)`, `"ff0001"`},
		{"invalid utf8 becomes U+FFFD", `request("` + u + `/bytes", record)`, "\"\uFFFD\\u0000\\u0001\""},
		{"BOM kept by default", `request("` + u + `/bom", record)`, "\"\uFEFFbom\""},
		{"BOM stripped with encoding utf8", `request({url: "` + u + `/bom", encoding: "utf8"}, record)`, `"bom"`},
		{"gzip decoded", `request({url: "` + u + `/gzip", gzip: true}, record)`, `"zipped text"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vu.MustRun(t, "results = [];")
			vu.MustRun(t, tc.js)
			only(t, vu)
			got := vu.JSON(vu.MustRun(t, `results[0].body === undefined ? null : results[0].body`))
			if got != tc.want {
				t.Fatalf("body = %s, want %s", got, tc.want)
			}
		})
	}
}
