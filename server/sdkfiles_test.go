package server

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"testing"
)

// TestSDKSignedUpload: hydrogen-js-sdk signs JSON.stringify(data) for a file
// upload and sends the raw data; both that and a signature over the bytes sent
// are accepted, anything else is not.
func TestSDKSignedUpload(t *testing.T) {
	s := startREST(t, nil)
	ts := strconv.FormatInt(s.clock.Now().Unix(), 10)
	for i, c := range []struct {
		name, body, signed string
		want               int
	}{
		{"string as the SDK signs it", "Hello <&> \u2028\n\"x\"\x01", `"Hello <&> ` + "\u2028" + `\n\"x\"\u0001"`, 200},
		{"the bytes sent", "Hello", "Hello", 200},
		{"a Buffer as the SDK signs it", "\x00\xff", `{"type":"Buffer","data":[0,255]}`, 200},
		{"Go's JSON escaping is not what the SDK signs", "a<b", `"a\u003cb"`, 401},
		{"another body", "Hello", `"Bye"`, 401},
	} {
		nonce := "upload" + strconv.Itoa(i) + "0000000000"
		status, _, got := s.call(t, "POST", "/2/files/hello.txt", c.body, sdkHeaders("/2/files/hello.txt", ts, nonce, c.signed)...)
		if status != c.want {
			t.Errorf("%s: %d %s", c.name, status, got)
		}
	}
	// Only uploads get this leniency: an object save must be signed over its body.
	status, _, _ := s.call(t, "POST", "/1/classes/T", `{"a":1}`, sdkHeaders("/1/classes/T", ts, "upload-class-0001", `"{\"a\":1}"`)...)
	if status != 401 {
		t.Errorf("a JSON-quoted body signature on /1/classes: %d", status)
	}
}

// TestFileURLShapedLikeBmob: an upload's URL is <host>/YYYY/MM/DD/<name>,
// served without keys, and the SDK's destroy(url) (DELETE /2/files/upyun/ +
// the URL's path, so with a doubled slash, signed over that path) removes it.
func TestFileURLShapedLikeBmob(t *testing.T) {
	s := startREST(t, nil)
	status, _, got := s.call(t, "POST", "/2/files/hello.txt", "Hello", appHeaders...)
	var up struct{ URL, Filename, Cdn string }
	if err := json.Unmarshal([]byte(got), &up); status != 200 || err != nil {
		t.Fatalf("upload: %d %s", status, got)
	}
	u, err := url.Parse(up.URL)
	if err != nil || u.Host == "" || !regexp.MustCompile(`^/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.txt$`).MatchString(u.Path) || up.Cdn != "upyun" {
		t.Fatalf("url %q is not shaped like Bmob's CDN URLs (%v)", up.URL, up)
	}
	if status, _, body := s.call(t, "GET", u.Path, ""); status != 200 || body != "Hello" {
		t.Fatalf("GET %s: %d %q", u.Path, status, body)
	}
	if status, _, _ := s.call(t, "GET", "/2026/1/01/x.txt", ""); status != 404 {
		t.Errorf("a path that is not a file URL: %d", status)
	}
	ts := strconv.FormatInt(s.clock.Now().Unix(), 10)
	route := "/2/files/upyun/" + u.Path // what File().destroy(url) requests
	status, _, got = s.call(t, "DELETE", route, "", sdkHeaders(route, ts, "destroy000000001", "")...)
	if status != 200 || got != `{"msg":"ok"}` {
		t.Fatalf("SDK destroy: %d %s", status, got)
	}
	if status, _, _ := s.call(t, "GET", u.Path, ""); status != 404 {
		t.Errorf("deleted file still served: %d", status)
	}
	// A URL handed out before (…/2/files/upyun/YYYY/…) is destroyed the same way.
	status, _, got = s.call(t, "POST", "/2/files/old.txt", "old", appHeaders...)
	if err := json.Unmarshal([]byte(got), &up); status != 200 || err != nil {
		t.Fatalf("upload: %d %s", status, got)
	}
	u, _ = url.Parse(up.URL)
	route = "/2/files/upyun//2/files/upyun" + u.Path
	if status, _, got := s.call(t, "DELETE", route, "", sdkHeaders(route, ts, "destroy000000002", "")...); status != 200 {
		t.Fatalf("SDK destroy of an old-style URL: %d %s", status, got)
	}
}
