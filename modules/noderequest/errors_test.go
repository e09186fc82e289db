package noderequest

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func closedPort(t *testing.T) string {
	t.Helper()
	s := httptest.NewServer(nil)
	addr := strings.TrimPrefix(s.URL, "http://")
	s.Close()
	return addr
}

func TestErrors(t *testing.T) {
	vu, _ := newVU(t, nil)
	srv := newServer(t)
	dead := closedPort(t)
	tests := []struct {
		name        string
		js          string
		wantMessage string // regexp
		wantCode    string
		wantConnect string // "true", "false" or "" for unset
	}{
		{"connection refused", `request("http://` + dead + `/x", record)`, `^connect ECONNREFUSED ` + regexp.QuoteMeta(dead) + `$`, "ECONNREFUSED", ""},
		{"unknown host", `request("http://no-such-host.invalid/", record)`, `^getaddrinfo (ENOTFOUND|EAI_AGAIN) no-such-host\.invalid$`, "", ""},
		{"read timeout against a slow server", `request({url: "` + srv.URL + `/slow", timeout: 100}, record)`, `^ESOCKETTIMEDOUT$`, "ESOCKETTIMEDOUT", "false"},
		{"timeout while the body trickles", `request({url: "` + srv.URL + `/slowbody", timeout: 100}, record)`, `^ESOCKETTIMEDOUT$`, "ESOCKETTIMEDOUT", "false"},
		{"missing uri", `request({method: "GET"}, record)`, `^options\.uri is a required argument$`, "", ""},
		{"invalid uri", `request("not a url", record)`, `^Invalid URI "not%20a%20url"$`, "", ""},
		{"bad protocol", `request("ftp://example.com/f", record)`, `^Invalid protocol: ftp:$`, "", ""},
		{"object body without json", `request.post({url: "` + srv.URL + `/o", body: {a: 1}}, record)`, `^Argument error, options\.body\.$`, "", ""},
		{"bad gzip", `request({url: "` + srv.URL + `/badgzip", gzip: true}, record)`, `^incorrect header check$`, "Z_DATA_ERROR", ""},
		{"header with a character Node refuses", `request({url: "` + srv.URL + `/h", headers: {"X-Name": "张三"}}, record)`, `^Invalid character in header content \["X-Name"\]$`, "ERR_INVALID_CHAR", ""},
		{"redirect loop", `request({url: "` + srv.URL + `/redirect/5", maxRedirects: 2}, record)`, `^Exceeded maxRedirects\. Probably stuck in a redirect loop ` + regexp.QuoteMeta(srv.URL) + `/redirect/3$`, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vu.MustRun(t, "results = [];")
			vu.MustRun(t, tc.js)
			r := only(t, vu)
			if r.Err == nil {
				t.Fatalf("no error; got %+v", r)
			}
			if !regexp.MustCompile(tc.wantMessage).MatchString(r.Err.Message) {
				t.Errorf("message %q, want %s", r.Err.Message, tc.wantMessage)
			}
			if tc.wantCode != "" && r.Err.Code != tc.wantCode {
				t.Errorf("code %q, want %q", r.Err.Code, tc.wantCode)
			}
			if tc.wantConnect != "" && (r.Err.Connect == nil || (*r.Err.Connect) != (tc.wantConnect == "true")) {
				t.Errorf("connect = %v, want %s", r.Err.Connect, tc.wantConnect)
			}
			if r.Status != 0 || r.Body != nil || r.Args != 1 {
				t.Errorf("transport errors get only the error: %+v", r)
			}
		})
	}
}

func TestUndefinedURIThrows(t *testing.T) {
	vu, _ := newVU(t, nil)
	_, err := vu.Run(`request(undefined, function () {})`)
	if err == nil || !strings.Contains(err.Error(), "undefined is not a valid uri or options object.") {
		t.Fatalf("error = %v", err)
	}
	_, err = vu.Run(`request({})`)
	if err == nil || !strings.Contains(err.Error(), "options.uri is a required argument") {
		t.Fatalf("without a callback the option error must throw; got %v", err)
	}
}

func TestRedirects(t *testing.T) {
	vu, _ := newVU(t, nil)
	srv := newServer(t)
	u := srv.URL
	tests := []struct {
		name       string
		js         string
		wantStatus int
		wantHref   string
		wantLast   string // method and URI of the last request the server saw
		wantBody   string // body of that request
	}{
		{"GET follows", `request("` + u + `/redirect/2", record)`, 200, u + "/redirect/0", "GET /redirect/0", ""},
		{"followRedirect false", `request({url: "` + u + `/redirect/1", followRedirect: false}, record)`, 302, u + "/redirect/1", "GET /redirect/1", ""},
		{"POST does not follow", `request.post({url: "` + u + `/redirect/1", body: "b"}, record)`, 302, u + "/redirect/1", "POST /redirect/1", "b"},
		{"followAllRedirects turns POST into GET", `request.post({url: "` + u + `/redirect/1", body: "b", followAllRedirects: true}, record)`, 200, u + "/redirect/0", "GET /redirect/0", ""},
		{"307 keeps method and body", `request.post({url: "` + u + `/redirect/1?code=307", body: "b", followAllRedirects: true}, record)`, 200, u + "/redirect/0?code=307", "POST /redirect/0?code=307", "b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vu.MustRun(t, "results = [];")
			vu.MustRun(t, tc.js)
			r := only(t, vu)
			if r.Err != nil || r.Status != tc.wantStatus || r.Href != tc.wantHref {
				t.Fatalf("got %+v", r)
			}
			last := srv.last(t)
			if last.Method+" "+last.URI != tc.wantLast || last.Body != tc.wantBody {
				t.Errorf("server last saw %s %s %q, want %s %q", last.Method, last.URI, last.Body, tc.wantLast, tc.wantBody)
			}
			if strings.Contains(tc.wantLast, "/redirect/0") && last.Header.Get("Referer") == "" {
				t.Errorf("redirected request carries no referer")
			}
		})
	}
}
