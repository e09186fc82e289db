package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Every caller of a function gets the request an HTTP client of its direct URL
// gives it, and the same refusals: CallHTTP (notifies, testkit, the console,
// invoke) against the real server over loopback.
func TestCallHTTPGivesWhatTheServerGives(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "echo.js", `function onRequest(request, response) {
  var h = {};
  Object.keys(request.headers).forEach(function (k) {
    if (k !== "user-agent" && k !== "accept-encoding") h[k] = request.headers[k];
  });
  response.send({method: request.method, url: request.url, path: request.path, query: request.query,
    body: request.body, headers: h, params: request.params, hostname: request.hostname});
}`)
	emu, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(t.TempDir(), "c.db"), Timeout: 10 * time.Second, BodyLimit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = emu.Serve(ctx, ln); close(done) }()
	defer func() { cancel(); <-done; _ = emu.Close() }()
	base := "http://" + ln.Addr().String()

	cases := []struct {
		name, method, query, contentType, body string
	}{
		{"get with a query", http.MethodGet, "a=1&a=2&b=x+y", "", ""},
		{"json", http.MethodPost, "k=v", "application/json", `{"n":1,"s":"t"}`},
		{"form", http.MethodPost, "", "application/x-www-form-urlencoded", "a=1&a=2&c=%E4%B8%AD"},
		{"text", http.MethodPost, "", "text/plain", "hello"},
		{"bad json", http.MethodPost, "", "application/json", `{"n":`},
		{"over the limit", http.MethodPost, "", "application/json", `{"s":"` + strings.Repeat("x", 1200) + `"}`},
		{"unknown function", http.MethodGet, "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fn := "echo"
			if c.name == "unknown function" {
				fn = "nope"
			}
			request := func() *http.Request {
				url := base + "/" + emu.Secret + "/" + fn
				if c.query != "" {
					url += "?" + c.query
				}
				var body io.Reader
				if c.body != "" {
					body = strings.NewReader(c.body)
				}
				req, err := http.NewRequest(c.method, url, body)
				if err != nil {
					t.Fatal(err)
				}
				if c.contentType != "" {
					req.Header.Set("Content-Type", c.contentType)
				}
				req.Header.Set("X-Custom", "1")
				return req
			}
			overHTTP, err := http.DefaultClient.Do(request())
			if err != nil {
				t.Fatal(err)
			}
			wantBody, _ := io.ReadAll(overHTTP.Body)
			_ = overHTTP.Body.Close()

			direct, err := emu.CallHTTP(context.Background(), fn, request())
			if err != nil {
				t.Fatal(err)
			}
			if direct.Status != overHTTP.StatusCode || direct.Header.Get("Content-Type") != overHTTP.Header.Get("Content-Type") {
				t.Fatalf("status %d %q, over HTTP %d %q", direct.Status, direct.Header.Get("Content-Type"), overHTTP.StatusCode, overHTTP.Header.Get("Content-Type"))
			}
			if overHTTP.StatusCode != http.StatusOK {
				if string(direct.Body) != string(wantBody) {
					t.Fatalf("refusal %q, over HTTP %q", direct.Body, wantBody)
				}
				return
			}
			var got, want map[string]any
			if err := json.Unmarshal(direct.Body, &got); err != nil {
				t.Fatal(err, string(direct.Body))
			}
			if err := json.Unmarshal(wantBody, &want); err != nil {
				t.Fatal(err, string(wantBody))
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("the function saw\n%s\nover HTTP it sees\n%s", direct.Body, wantBody)
			}
		})
	}
}
