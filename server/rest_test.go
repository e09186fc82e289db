package server

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/functions"
	"github.com/bmobemu/bmobemu/internal/sdktest"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/store"
)

var testKeys = restapi.Keys{
	AppID:        "0123456789abcdef0123456789abcdef",
	RESTKey:      "fedcba9876543210fedcba9876543210",
	MasterKey:    "00112233445566778899aabbccddeeff",
	SecurityCode: "c0de",
	SecretKey:    "5ec2e75ec2e75ec2",
}

// restServer is a real server with a real store and function folder.
type restServer struct {
	base  string
	dir   string // the functions folder
	clock *clock.Fake
	store store.Store
}

func startREST(t *testing.T, files map[string]string) *restServer {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "r.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e, err := runtime.New(runtime.Options{Registry: modules.NewRegistry(), Env: &modules.Env{}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	set, err := functions.Load(e, []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	fns := &RESTFunctions{}
	fns.Bind(set)
	api := restapi.New(st, restapi.WithKeys(testKeys), restapi.WithFilesDir(filepath.Join(t.TempDir(), "files")),
		restapi.WithClock(clk.Now), restapi.WithBodyLimits(4096, 0), restapi.WithFunctions(fns))
	app := New(Options{Functions: set, Secret: testKeys.SecretKey, API: api, BodyLimit: 4096})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return &restServer{base: "http://" + ln.Addr().String(), dir: dir, clock: clk, store: st}
}

// call sends one request; headers are name, value pairs.
func (s *restServer) call(t *testing.T, method, path, body string, headers ...string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

var masterHeaders = []string{"X-Bmob-Master-Key", testKeys.MasterKey, "Content-Type", "application/json"}

var appHeaders = []string{"X-Bmob-Application-Id", testKeys.AppID, "X-Bmob-REST-API-Key", testKeys.RESTKey, "Content-Type", "application/json"}

// sdkHeaders are hydrogen-js-sdk's headers for a request signed with the test app's keys.
func sdkHeaders(route, ts, nonce, body string) []string {
	return sdktest.Headers(testKeys.SecurityCode, testKeys.SecretKey, route, ts, nonce, body)
}

const echoREST = `function onRequest(request, response, modules) {
	var types = {};
	Object.keys(request.body).forEach(function (k) { types[k] = typeof request.body[k]; });
	response.send({method: request.method, body: request.body, types: types});
}`

func TestFunctionsOverREST(t *testing.T) {
	s := startREST(t, map[string]string{
		"echo.js":  echoREST,
		"throw.js": `function onRequest(request, response) { throw new Error("boom") }`,
		"text.js":  `function onRequest(request, response) { response.send("欢迎使用Bmob") }`,
	})
	cases := []struct {
		name, fn, body string
		headers        []string
		status         int
		want           string
	}{
		{"values become strings, _e added", "echo", `{"n":42,"f":1.5,"b":true,"o":{"a":[1,"x"]},"arr":[1,2],"s":"中文","z":null}`, appHeaders, 200,
			`{"result":"{\"method\":\"POST\",\"body\":{\"_e\":\"echo\",\"n\":\"42\",\"f\":\"1.5\",\"b\":\"true\",\"o\":\"{\\\"a\\\":[1,\\\"x\\\"]}\",\"arr\":\"[1,2]\",\"s\":\"中文\"},\"types\":{\"_e\":\"string\",\"n\":\"string\",\"f\":\"string\",\"b\":\"string\",\"o\":\"string\",\"arr\":\"string\",\"s\":\"string\"}}"}`},
		{"empty body", "echo", ``, appHeaders, 200, `{"result":"{\"method\":\"POST\",\"body\":{\"_e\":\"echo\"},\"types\":{\"_e\":\"string\"}}"}`},
		{"text answer", "text", `{}`, appHeaders, 200, `{"result":"欢迎使用Bmob"}`},
		{"unknown function", "nope", `{}`, appHeaders, 400, `{"code":311,"error":"invalid cloudcode name: nope."}`},
		{"script throws", "throw", `{}`, appHeaders, 400, `{"code":310,"error":"call cloudcode error:there is an error:`},
		{"not JSON", "echo", `{"a":`, appHeaders, 400, `{"code":107,"error":"invalid json: {\"a\":."}`},
		{"form body", "echo", `a=1`, []string{"X-Bmob-Master-Key", testKeys.MasterKey, "Content-Type", "application/x-www-form-urlencoded"}, 400,
			`{"code":107,"error":"This endpoint only supports Content-Type: application/json requests, not application/x-www-form-urlencoded."}`},
		{"wrong key", "echo", `{}`, []string{"X-Bmob-Application-Id", testKeys.AppID, "X-Bmob-REST-API-Key", "x"}, 401, `{"error":"unauthorized"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, got := s.call(t, "POST", "/1/functions/"+tc.fn, tc.body, tc.headers...)
			if status != tc.status || !strings.HasPrefix(got, tc.want) {
				t.Fatalf("got %d %s\nwant %d %s", status, got, tc.status, tc.want)
			}
		})
	}
	// A signed SDK call works too, and the direct URL is untouched by the REST routes.
	now := strconv.FormatInt(s.clock.Now().Unix(), 10)
	if status, _, got := s.call(t, "POST", "/1/functions/text", `{}`, sdkHeaders("/1/functions/text", now, "CCCCCCCCCCCCCCCC", `{}`)...); status != 200 || got != `{"result":"欢迎使用Bmob"}` {
		t.Fatalf("signed call: %d %s", status, got)
	}
	if status, _, got := s.call(t, "GET", "/"+testKeys.SecretKey+"/text", ""); status != 200 || got != "欢迎使用Bmob" {
		t.Fatalf("direct URL: %d %s", status, got)
	}
}

// Deploying and removing code needs the master key (issue 10 item 1): the REST
// key ships in every client app.
func TestDeployAndDeleteOverREST(t *testing.T) {
	s := startREST(t, nil)
	deploy := func(name, src string, extra string, headers ...string) (int, string) {
		body := `{"code":"` + base64.StdEncoding.EncodeToString([]byte(src)) + `","language":1,"comment":""` + extra + `}`
		status, _, got := s.call(t, "PUT", "/1/functions/"+name, body, headers...)
		return status, got
	}
	callHi := func() (int, string) {
		status, _, got := s.call(t, "POST", "/1/functions/hi", `{}`, appHeaders...)
		return status, got
	}
	if status, got := deploy("hi", `function onRequest(q, r) { r.send("v1") }`, "", masterHeaders...); status != 200 || got != `{"msg":"ok"}` {
		t.Fatalf("deploy: %d %s", status, got)
	}
	if src, err := os.ReadFile(filepath.Join(s.dir, "hi.js")); err != nil || !strings.Contains(string(src), `"v1"`) {
		t.Fatalf("deployed file: %q %v", src, err)
	}
	if status, got := callHi(); status != 200 || got != `{"result":"v1"}` {
		t.Fatalf("call after deploy: %d %s", status, got)
	}
	bad := []struct {
		name, fn, src, extra string
		headers              []string
		status               int
		want                 string
	}{
		{"syntax error keeps v1", "hi", `function onRequest(q, r) { r.send("v2" }`, "", masterHeaders, 400, `{"code":320,"error":"解析云端代码错误: `},
		{"top level throws keeps v1", "hi", `throw new Error("at load"); function onRequest(q, r) {}`, "", masterHeaders, 400, `{"code":320,"error":"解析云端代码错误: `},
		{"invalid name", "..%2Fescape", `function onRequest(q, r) {}`, "", masterHeaders, 400, `{"code":311,"error":"invalid cloudcode name: `},
		{"java", "hi", `class X {}`, `,"language":2`, masterHeaders, 400, `{"code":313,`},
		{"safe-sign alone cannot deploy", "hi", `function onRequest(q, r) { r.send("v3") }`, "", nil, 401, `{"error":"unauthorized"}`},
		{"the REST key cannot deploy", "hi", `function onRequest(q, r) { r.send("pwned") }`, "", appHeaders, 401, `{"error":"unauthorized"}`},
		{"the REST key cannot create", "payNotify", `function onRequest(q, r) { r.send("pwned") }`, "", appHeaders, 401, `{"error":"unauthorized"}`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			headers := tc.headers
			body := `{"code":"` + base64.StdEncoding.EncodeToString([]byte(tc.src)) + `","language":1,"comment":""` + tc.extra + `}`
			if headers == nil {
				now := strconv.FormatInt(s.clock.Now().Unix(), 10)
				headers = sdkHeaders("/1/functions/"+tc.fn, now, "DDDDDDDDDDDDDDDD", body)
			}
			status, _, got := s.call(t, "PUT", "/1/functions/"+tc.fn, body, headers...)
			if status != tc.status || !strings.HasPrefix(got, tc.want) {
				t.Fatalf("got %d %s, want %d %s", status, got, tc.status, tc.want)
			}
			if status, got := callHi(); status != 200 || got != `{"result":"v1"}` {
				t.Fatalf("the previous version must keep serving: %d %s", status, got)
			}
		})
	}
	if status, _, got := s.call(t, "PUT", "/1/functions/hi", `{"language":1}`, masterHeaders...); status != 400 || got != `{"code":312,"error":"请传入云代码"}` {
		t.Fatalf("no code: %d %s", status, got)
	}
	if status, got := deploy("hi", `function onRequest(q, r) { r.send("v2") }`, "", "X-Bmob-Master-Key", testKeys.MasterKey); status != 200 {
		t.Fatalf("redeploy with the master key: %d %s", status, got)
	}
	if status, got := callHi(); got != `{"result":"v2"}` {
		t.Fatalf("call after redeploy: %d %s", status, got)
	}
	if status, _, got := s.call(t, "DELETE", "/1/functions/hi", "", appHeaders...); status != 401 || got != `{"error":"unauthorized"}` {
		t.Fatalf("delete with the REST key: %d %s, want 401", status, got)
	}
	if status, got := callHi(); got != `{"result":"v2"}` {
		t.Fatalf("call after a refused delete: %d %s", status, got)
	}
	if status, _, got := s.call(t, "DELETE", "/1/functions/hi", "", masterHeaders...); status != 200 || got != `{"msg":"ok"}` {
		t.Fatalf("delete: %d %s", status, got)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "hi.js")); !os.IsNotExist(err) {
		t.Fatalf("the file is still there: %v", err)
	}
	if status, got := callHi(); status != 400 || !strings.Contains(got, `"code":311`) {
		t.Fatalf("call after delete: %d %s", status, got)
	}
	if status, _, got := s.call(t, "DELETE", "/1/functions/hi", "", masterHeaders...); status != 400 || got != `{"code":314,"error":"该云端代码不存在，没法删除"}` {
		t.Fatalf("second delete: %d %s", status, got)
	}
}

// An uploaded file's URL serves its bytes without keys (browsers fetch it); every
// other route still needs them, and so does the upload itself.
func TestFileURLIsPublic(t *testing.T) {
	s := startREST(t, nil)
	if status, _, _ := s.call(t, "POST", "/2/files/hello.txt", "Hello", "Content-Type", "text/plain"); status != 401 {
		t.Fatalf("upload without keys: %d", status)
	}
	status, _, got := s.call(t, "POST", "/2/files/hello.txt", "Hello", "X-Bmob-Application-Id", testKeys.AppID, "X-Bmob-REST-API-Key", testKeys.RESTKey, "Content-Type", "text/plain")
	var up struct{ URL string }
	if err := json.Unmarshal([]byte(got), &up); status != 200 || err != nil || up.URL == "" {
		t.Fatalf("upload: %d %s", status, got)
	}
	u, err := url.Parse(up.URL)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, body := s.call(t, "GET", u.Path, ""); status != 200 || body != "Hello" {
		t.Fatalf("GET %s without keys: %d %q", u.Path, status, body)
	}
	if status, _, _ := s.call(t, "GET", "/1/classes/T", ""); status != 401 {
		t.Fatalf("a query without keys: %d", status)
	}
	if status, _, _ := s.call(t, "DELETE", "/2/files/upyun"+u.Path, ""); status != 401 {
		t.Fatalf("a delete without keys: %d", status)
	}
}

// /1/functions is a route like the others, so a /1/batch element reaches it
// with the batch's credentials: a call runs, a deploy needs the master key.
func TestBatchReachesFunctions(t *testing.T) {
	s := startREST(t, map[string]string{"text.js": `function onRequest(request, response) { response.send("hi " + request.body.who) }`})
	deploy := `{"method":"PUT","path":"/1/functions/made","body":{"code":"` + base64.StdEncoding.EncodeToString([]byte(`function onRequest(q, r) { r.send("made") }`)) + `"}}`
	batch := `{"requests":[{"method":"POST","path":"/1/functions/text","body":{"who":"batch"}},` + deploy + `,{"method":"POST","path":"/1/functions/nope","body":{}}]}`
	status, _, got := s.call(t, "POST", "/1/batch", batch, appHeaders...)
	want := `[{"success":{"result":"hi batch"}},{"error":{"code":401,"error":"unauthorized"}},{"error":{"code":311,"error":"invalid cloudcode name: nope."}}]`
	if status != 200 || got != want {
		t.Fatalf("batch with the REST key: %d %s\nwant %s", status, got, want)
	}
	status, _, got = s.call(t, "POST", "/1/batch", `{"requests":[`+deploy+`,{"method":"POST","path":"/1/functions/made"}]}`, masterHeaders...)
	if want := `[{"success":{"msg":"ok"}},{"success":{"result":"made"}}]`; status != 200 || got != want {
		t.Fatalf("batch with the master key: %d %s\nwant %s", status, got, want)
	}
}
