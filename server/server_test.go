package server

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/functions"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/xml2js"
	"github.com/bmobemu/bmobemu/runtime"
)

const echo = `function onRequest(request, response, modules) {
	response.send({method: request.method, body: request.body, query: request.query, type: typeof request.body.n});
}`

// start serves a function folder on a real loopback listener.
func start(t *testing.T, files map[string]string, parseXML func([]byte) ([]byte, error)) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := &modules.Env{}
	e, err := runtime.New(runtime.Options{Registry: modules.NewRegistry(), Env: env, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	set, err := functions.Load(e, []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	app := New(Options{Functions: set, Secret: "s3cr3t", BodyLimit: 1024, ParseXML: parseXML})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

func do(t *testing.T, method, url, contentType, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestBodiesAsExpressParsesThem(t *testing.T) {
	base := start(t, map[string]string{"echo.js": echo}, xml2js.ParseBodyJSON) + "/s3cr3t/echo"
	cases := []struct {
		name, method, url, ct, body, want string
	}{
		{"json is typed and keeps key order", "POST", "", "application/json", `{"z":1,"n":2.5,"a":[true,null]}`,
			`{"method":"POST","body":{"z":1,"n":2.5,"a":[true,null]},"query":{},"type":"number"}`},
		{"form values are strings, repeats are arrays", "POST", "", "application/x-www-form-urlencoded", "n=1&a=x+y&a=%E4%B8%AD&bad=%zz",
			`{"method":"POST","body":{"n":"1","a":["x y","中"],"bad":"%zz"},"query":{},"type":"string"}`},
		{"xml goes through the xml parser", "POST", "", "text/xml; charset=utf-8", "<xml><n>1</n></xml>",
			`{"method":"POST","body":{"xml":{"n":"1"}},"query":{},"type":"undefined"}`},
		{"xml keys keep document order", "POST", "", "text/xml", "<xml><ToUserName>t</ToUserName><FromUserName>f</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>",
			`{"method":"POST","body":{"xml":{"ToUserName":"t","FromUserName":"f","CreateTime":"1","MsgType":"text"}},"query":{},"type":"undefined"}`},
		{"__proto__ in a form stays a field", "POST", "", "application/x-www-form-urlencoded", "__proto__=a&__proto__=b&n=1",
			`{"method":"POST","body":{"__proto__":["a","b"],"n":"1"},"query":{},"type":"string"}`},
		{"__proto__ in a query stays a field", "GET", "?__proto__=x&k=1", "", "",
			`{"method":"GET","body":{},"query":{"__proto__":"x","k":"1"},"type":"undefined"}`},
		{"application/xml is not parsed", "POST", "", "application/xml", "<xml/>",
			`{"method":"POST","body":{},"query":{},"type":"undefined"}`},
		{"GET query", "GET", "?n=3&k=a&k=b", "", "",
			`{"method":"GET","body":{},"query":{"n":"3","k":["a","b"]},"type":"undefined"}`},
		{"empty JSON body is {}", "POST", "", "application/json", "",
			`{"method":"POST","body":{},"query":{},"type":"undefined"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := do(t, tc.method, base+tc.url, tc.ct, tc.body)
			if status != 200 || body != tc.want || h.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Fatalf("got %d %q %s\nwant %s", status, h.Get("Content-Type"), body, tc.want)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	base := start(t, map[string]string{
		"echo.js": echo,
		"raw.js":  `function onRequest(q, r) { r.end("success") }`,
	}, nil)
	cases := []struct {
		name, method, path, ct, body string
		status                       int
		contains                     string
	}{
		{"malformed JSON", "POST", "/s3cr3t/echo", "application/json", `{"a":`, 400, "invalid JSON body"},
		{"JSON scalar (strict mode)", "POST", "/s3cr3t/echo", "application/json", `"x"`, 400, "object or an array"},
		{"oversized body", "POST", "/s3cr3t/echo", "application/json", `{"a":"` + strings.Repeat("x", 2000) + `"}`, 413, "larger than the limit of 1024 bytes"},
		{"unknown function", "POST", "/s3cr3t/nope", "application/json", `{}`, 404, "post function nope not exists"},
		{"wrong secret", "GET", "/wrong/echo", "", "", 404, "unknown secret key"},
		{"other method", "PUT", "/s3cr3t/echo", "", "", 404, "Cannot PUT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := do(t, tc.method, base+tc.path, tc.ct, tc.body)
			if status != tc.status || !strings.Contains(body, tc.contains) {
				t.Fatalf("got %d %q, want %d containing %q", status, body, tc.status, tc.contains)
			}
		})
	}
	// The server still answers after all of that, and res.end sends no Content-Type.
	status, h, body := do(t, "GET", base+"/s3cr3t/raw", "", "")
	if status != 200 || body != "success" || h.Get("Content-Type") != "" {
		t.Fatalf("got %d %q %q", status, h.Get("Content-Type"), body)
	}
}
