package server

import (
	"bufio"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var updateWire = flag.Bool("update-wire", false, "rewrite testdata/rest_wire.golden from the current server")

// wireStep is one raw HTTP exchange of TestRESTWireAnswersUnchanged.
type wireStep struct {
	name, method, path, body string
	headers                  []string
	chunked                  bool
	// capture names a value taken from the answer body with this regexp's
	// first group, for later steps' paths ({name}).
	capture, captureAs string
}

// wireSteps cover every answer the REST front gives that is not a data
// route's own: preflights, each 401, 413s, tunnelling, safe-sign (also a file
// upload signed as the SDK signs it), /1/functions in each outcome, public
// file URLs, 404s, Bmob errors with their statuses.
func wireSteps(now time.Time) []wireStep {
	sec := strconv.FormatInt(now.Unix(), 10)
	signed := func(route, nonce, body string) []string { return sdkHeaders(route, sec, nonce, body) }
	code := func(src string) string { return base64.StdEncoding.EncodeToString([]byte(src)) }
	tunnelKeys := `"_ApplicationId":"` + testKeys.AppID + `","_RestKey":"` + testKeys.RESTKey + `"`
	return []wireStep{
		{name: "preflight asking headers", method: "OPTIONS", path: "/1/classes/T", headers: []string{"Origin", "http://localhost:3000", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type,x-bmob-safe-sign"}},
		{name: "preflight default headers", method: "OPTIONS", path: "/2/files/a.txt"},
		{name: "no keys", method: "GET", path: "/1/classes/T"},
		{name: "wrong application id", method: "POST", path: "/1/classes/T", body: `{"a":1}`, headers: []string{"X-Bmob-Application-Id", strings.Repeat("0", 32), "X-Bmob-REST-API-Key", testKeys.RESTKey, "Content-Type", "application/json"}},
		{name: "wrong REST key", method: "POST", path: "/1/classes/T", body: `{"a":1}`, headers: []string{"X-Bmob-Application-Id", testKeys.AppID, "X-Bmob-REST-API-Key", "nope", "Content-Type", "application/json"}},
		{name: "missing REST key", method: "POST", path: "/1/classes/T", body: `{"a":1}`, headers: []string{"X-Bmob-Application-Id", testKeys.AppID}},
		{name: "wrong master key", method: "GET", path: "/1/classes/T", headers: []string{"X-Bmob-Master-Key", "nope"}},
		{name: "create", method: "POST", path: "/1/classes/T", body: `{"a":1,"s":"<b>"}`, headers: appHeaders, capture: `"objectId":"([0-9a-f]+)"`, captureAs: "id"},
		{name: "get", method: "GET", path: "/1/classes/T/{id}", headers: appHeaders},
		{name: "get missing", method: "GET", path: "/1/classes/T/nope", headers: appHeaders},
		{name: "bad where", method: "GET", path: "/1/classes/T?where=%7Bx", headers: appHeaders},
		{name: "unknown session", method: "GET", path: "/1/classes/T", headers: append([]string{"X-Bmob-Session-Token", "nope"}, appHeaders...)},
		{name: "no route", method: "GET", path: "/1/nothing/here", headers: appHeaders},
		{name: "no route, bad escape", method: "GET", path: "/1/classes/%zz", headers: appHeaders},
		{name: "over the body limit", method: "POST", path: "/1/classes/T", body: `{"a":"` + strings.Repeat("x", 5000) + `"}`, headers: appHeaders},
		{name: "over the body limit, chunked", method: "POST", path: "/1/classes/T", body: `{"a":"` + strings.Repeat("x", 5000) + `"}`, headers: appHeaders, chunked: true},
		{name: "tunnelled create", method: "POST", path: "/1/classes/Game", body: `{"score":7,` + tunnelKeys + `,"_ClientVersion":"js0.0.1","_InstallationId":"x"}`, headers: []string{"Content-Type", "text/plain"}, capture: `"objectId":"([0-9a-f]+)"`, captureAs: "game"},
		{name: "tunnelled query", method: "POST", path: "/1/classes/Game", body: `{"_Method":"GET","where":{"score":7},"keys":"score",` + tunnelKeys + `}`, headers: []string{"Content-Type", "text/plain"}},
		{name: "tunnelled update", method: "POST", path: "/1/classes/Game/{game}", body: `{"_Method":"PUT","score":{"__op":"Increment","amount":3},` + tunnelKeys + `}`, headers: []string{"Content-Type", "text/plain"}},
		{name: "tunnelled wrong key", method: "POST", path: "/1/classes/Game", body: `{"_Method":"GET","_ApplicationId":"` + testKeys.AppID + `","_RestKey":"wrong"}`},
		{name: "tunnelled delete", method: "POST", path: "/1/classes/Game/{game}", body: `{"_method":"delete",` + tunnelKeys + `}`},
		{name: "signed create", method: "POST", path: "/1/classes/T", body: `{"a":2}`, headers: signed("/1/classes/T", "wire000000000001", `{"a":2}`)},
		{name: "signed replay", method: "POST", path: "/1/classes/T", body: `{"a":2}`, headers: signed("/1/classes/T", "wire000000000001", `{"a":2}`)},
		{name: "signed, bad sign", method: "POST", path: "/1/classes/T", body: `{"a":3}`, headers: signed("/1/classes/T", "wire000000000002", `{"a":4}`)},
		{name: "signed, stale", method: "GET", path: "/1/classes/T", headers: sdkHeaders("/1/classes/T", strconv.FormatInt(now.Unix()-60, 10), "wire000000000003", "")},
		{name: "signed, not a time", method: "GET", path: "/1/classes/T", headers: sdkHeaders("/1/classes/T", "soon", "wire000000000004", "")},
		{name: "signed, incomplete", method: "GET", path: "/1/classes/T", headers: sdkHeaders("/1/classes/T", sec, "", "")},
		{name: "signed, wrong secret", method: "GET", path: "/1/classes/T", headers: append(signed("/1/classes/T", "wire000000000005", "")[:12:12], "X-Bmob-Secret-Key", "0000000000000000")},
		{name: "signed GET with a query", method: "GET", path: "/1/classes/T?where=%7B%22a%22%3A2%7D&keys=a", headers: signed("/1/classes/T", "wire000000000006", "")},
		{name: "upload signed as JSON.stringify of the text", method: "POST", path: "/2/files/hello.txt", body: "Hello", headers: append(signed("/2/files/hello.txt", "wire000000000007", `"Hello"`)[2:], "Content-Type", "text/plain"), capture: `"url":"http://[^/]+(/[^"]+)"`, captureAs: "file"},
		{name: "upload without keys", method: "POST", path: "/2/files/hello.txt", body: "Hello", headers: []string{"Content-Type", "text/plain"}},
		{name: "upload over the REST limit, under the file limit", method: "POST", path: "/2/files/big.txt", body: strings.Repeat("y", 6000), headers: append([]string{}, masterHeaders[:2]...)},
		{name: "file URL without keys", method: "GET", path: "{file}"},
		{name: "file under /2/files without keys", method: "GET", path: "/2/files/upyun{file}"},
		{name: "HEAD of a file without keys", method: "HEAD", path: "/2/files/upyun{file}"},
		{name: "missing file", method: "GET", path: "/2/files/upyun/2020/01/02/00000000000000000000000000000000.txt"},
		{name: "not a file URL", method: "GET", path: "/2020/1/02/x.txt"},
		{name: "delete a file without keys", method: "DELETE", path: "/2/files/upyun{file}"},
		{name: "function call", method: "POST", path: "/1/functions/echo", body: `{"n":42,"o":{"a":[1,"x"]},"z":null}`, headers: appHeaders},
		{name: "function call, empty body", method: "POST", path: "/1/functions/text", headers: appHeaders},
		{name: "function call, signed", method: "POST", path: "/1/functions/text", body: `{}`, headers: signed("/1/functions/text", "wire000000000008", `{}`)},
		{name: "function call, tunnelled keys", method: "POST", path: "/1/functions/echo", body: `{"b":true,` + tunnelKeys + `}`, headers: []string{"Content-Type", "text/plain"}},
		{name: "function call, unknown", method: "POST", path: "/1/functions/nope", body: `{}`, headers: appHeaders},
		{name: "function call, throws", method: "POST", path: "/1/functions/throw", body: `{}`, headers: appHeaders},
		{name: "function call, does not compile", method: "POST", path: "/1/functions/broken", body: `{}`, headers: appHeaders},
		{name: "function call, no answer", method: "POST", path: "/1/functions/silent", body: `{}`, headers: appHeaders},
		{name: "function call, not JSON", method: "POST", path: "/1/functions/echo", body: `{"a":`, headers: appHeaders},
		{name: "function call, JSON array", method: "POST", path: "/1/functions/echo", body: `[1]`, headers: appHeaders},
		{name: "function call, form", method: "POST", path: "/1/functions/echo", body: `a=1`, headers: []string{"X-Bmob-Master-Key", testKeys.MasterKey, "Content-Type", "application/x-www-form-urlencoded"}},
		{name: "function call, bad escape", method: "POST", path: "/1/functions/%zz", body: `{}`, headers: appHeaders},
		{name: "function call, slash in the name", method: "POST", path: "/1/functions/a/b", body: `{}`, headers: appHeaders},
		{name: "function call, escaped slash", method: "POST", path: "/1/functions/a%2Fb", body: `{}`, headers: appHeaders},
		{name: "function call, no name", method: "POST", path: "/1/functions/", body: `{}`, headers: appHeaders},
		{name: "functions, no name at all", method: "POST", path: "/1/functions", body: `{}`, headers: appHeaders},
		{name: "deploy with the REST key", method: "PUT", path: "/1/functions/hi", body: `{"code":"` + code(`function onRequest(q, r) { r.send("x") }`) + `"}`, headers: appHeaders},
		{name: "GET a function with the REST key", method: "GET", path: "/1/functions/hi", headers: appHeaders},
		{name: "GET a function with the master key", method: "GET", path: "/1/functions/hi", headers: masterHeaders},
		{name: "deploy", method: "PUT", path: "/1/functions/hi", body: `{"code":"` + code(`function onRequest(q, r) { r.send("v1") }`) + `","language":1,"comment":""}`, headers: masterHeaders},
		{name: "call the deployed one", method: "POST", path: "/1/functions/hi", body: `{}`, headers: appHeaders},
		{name: "deploy, bad JSON", method: "PUT", path: "/1/functions/hi", body: `{"code":`, headers: masterHeaders},
		{name: "deploy, no code", method: "PUT", path: "/1/functions/hi", body: `{"language":1}`, headers: masterHeaders},
		{name: "deploy, Java", method: "PUT", path: "/1/functions/hi", body: `{"code":"eA==","language":2}`, headers: masterHeaders},
		{name: "deploy, not base64", method: "PUT", path: "/1/functions/hi", body: `{"code":"!!!"}`, headers: masterHeaders},
		{name: "deploy, does not compile", method: "PUT", path: "/1/functions/hi", body: `{"code":"` + code(`function onRequest(q, r) {`) + `"}`, headers: masterHeaders},
		{name: "deploy, invalid name", method: "PUT", path: "/1/functions/..%2Fescape", body: `{"code":"eA=="}`, headers: masterHeaders},
		{name: "deploy, a name that is not a file name", method: "PUT", path: "/1/functions/1abc", body: `{"code":"eA=="}`, headers: masterHeaders},
		{name: "delete with the REST key", method: "DELETE", path: "/1/functions/hi", headers: appHeaders},
		{name: "delete", method: "DELETE", path: "/1/functions/hi", headers: masterHeaders},
		{name: "delete again", method: "DELETE", path: "/1/functions/hi", headers: masterHeaders},
		{name: "batch", method: "POST", path: "/1/batch", body: `{"requests":[{"method":"POST","path":"/1/classes/B","body":{"x":1}},{"method":"DELETE","path":"/1/classes/B/nope"}]}`, headers: appHeaders},
		{name: "batch, nested", method: "POST", path: "/1/batch", body: `{"requests":[{"method":"POST","path":"/1/batch","body":{}}]}`, headers: appHeaders},
	}
}

// wireMasks hide what differs between runs: the Date header, generated ids,
// times and file names.
var wireMasks = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?m)^Date: .*\r\n`), ""},
	{regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`), "<time>"},
	{regexp.MustCompile(`\d{4}/\d\d/\d\d/[0-9a-f]{32}`), "<file>"},
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "<host>"},
	{regexp.MustCompile(`\b[0-9a-f]{10}\b`), "<id>"},
}

// exchange sends one raw request and returns the raw answer.
func exchange(t *testing.T, addr string, st wireStep) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", st.method, st.path, addr)
	for i := 0; i+1 < len(st.headers); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", st.headers[i], st.headers[i+1])
	}
	switch {
	case st.chunked:
		fmt.Fprintf(&b, "Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(st.body), st.body)
	case st.body != "" || st.method == "POST" || st.method == "PUT":
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(st.body), st.body)
	default:
		b.WriteString("\r\n")
	}
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	raw, err := io.ReadAll(bufio.NewReader(conn))
	if err != nil {
		t.Fatalf("%s: reading the answer: %v", st.name, err)
	}
	return string(raw)
}

// TestRESTWireAnswersUnchanged replays wireSteps against a real server and
// compares each raw answer (status line, headers in order, body) with the
// golden file recorded before REST moved into restapi.
func TestRESTWireAnswersUnchanged(t *testing.T) {
	s := startREST(t, map[string]string{
		"echo.js":   echoREST,
		"text.js":   `function onRequest(request, response) { response.send("欢迎使用Bmob") }`,
		"throw.js":  `function onRequest(request, response) { throw new Error("boom") }`,
		"broken.js": "function onRequest(q, r) {\n  var x = ;\n}\n",
		"silent.js": `function onRequest(request, response) {}`,
	})
	addr := strings.TrimPrefix(s.base, "http://")
	vars := map[string]string{}
	var got strings.Builder
	for _, st := range wireSteps(s.clock.Now()) {
		for k, v := range vars {
			st.path = strings.ReplaceAll(st.path, "{"+k+"}", v)
		}
		raw := exchange(t, addr, st)
		if st.capture != "" {
			m := regexp.MustCompile(st.capture).FindStringSubmatch(raw)
			if m == nil {
				t.Fatalf("%s: nothing to capture in %s", st.name, raw)
			}
			vars[st.captureAs] = m[1]
		}
		if strings.Contains(raw, s.dir) { // a temporary folder: its length varies
			raw = strings.ReplaceAll(raw, s.dir, "<dir>")
			raw = regexp.MustCompile(`Content-Length: \d+`).ReplaceAllString(raw, "Content-Length: <n>")
		}
		for _, m := range wireMasks {
			raw = m.re.ReplaceAllString(raw, m.with)
		}
		fmt.Fprintf(&got, "=== %s\n%s\n", st.name, raw)
	}
	golden := filepath.Join("testdata", "rest_wire.golden")
	if *updateWire {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		gotSteps, wantSteps := strings.Split(got.String(), "=== "), strings.Split(string(want), "=== ")
		for i := range min(len(gotSteps), len(wantSteps)) {
			if gotSteps[i] != wantSteps[i] {
				t.Errorf("answer differs:\n--- got\n%s\n--- want\n%s", gotSteps[i], wantSteps[i])
			}
		}
		if len(gotSteps) != len(wantSteps) {
			t.Errorf("%d steps, golden has %d", len(gotSteps), len(wantSteps))
		}
	}
}
