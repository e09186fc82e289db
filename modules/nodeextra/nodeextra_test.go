package nodeextra_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/outbound"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/store"
)

// invoke runs one function whose outbound calls go through a router that sends
// api.example.com to upstream.
func invoke(t *testing.T, upstream, src string) string {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{Now: time.Now, Random: rand.Reader, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var logged []string
	router := outbound.New(outbound.Options{
		Upstreams: map[string]string{"api.example.com": upstream},
		Log:       func(_ context.Context, line string) { logged = append(logged, line) },
	})
	engine, err := runtime.New(runtime.Options{
		Registry: emulator.NewRegistry(emulator.Deps{API: restapi.New(st)}),
		Env:      &modules.Env{HTTP: router.Client(), Now: time.Now, Random: rand.Reader},
		Timeout:  20 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := engine.Compile("f", "f.js", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.Invoke(context.Background(), &fncall.Request{Method: "GET", URL: "/s/f", Path: "/s/f", Header: http.Header{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(logged) == 0 && strings.Contains(src, "api.example.com") {
		t.Fatal("the outbound router logged no call")
	}
	return string(resp.Body)
}

// require('http') sends through the outbound router, so --upstream applies.
func TestHTTPGoesThroughTheOutboundRouter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen", r.Host)
		w.WriteHeader(201)
		fmt.Fprintf(w, "%s %s %s %s", r.Method, r.URL.RequestURI(), r.Header.Get("Content-Type"), body)
	}))
	defer srv.Close()
	got := invoke(t, srv.URL, `var http = require('http');
function onRequest(req, res) {
  var r = http.request('http://api.example.com/pay?x=1', { method: 'POST', headers: { 'Content-Type': 'text/plain' } }, function (resp) {
    var chunks = [];
    resp.on('data', function (c) { chunks.push(c); });
    resp.on('end', function () { res.send(resp.statusCode + ' ' + resp.headers['x-seen'] + ' | ' + Buffer.concat(chunks).toString()); });
  });
  r.on('error', function (e) { res.send('error ' + e.message); });
  r.end('hello');
}`)
	// The router sent the call meant for api.example.com to the local server.
	if want := "201 " + strings.TrimPrefix(srv.URL, "http://") + " | POST /pay?x=1 text/plain hello"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestHTTPConnectionErrorIsNodes(t *testing.T) {
	got := invoke(t, "http://127.0.0.1:1", `function onRequest(req, res) {
  require('http').get('http://127.0.0.1:1/', function () { res.send('connected?'); }).on('error', function (e) { res.send(e.code + ' ' + e.syscall); });
}`)
	if got != "ECONNREFUSED connect" {
		t.Fatalf("got %q", got)
	}
}

func TestCoreModules(t *testing.T) {
	got := invoke(t, "http://127.0.0.1:1", `function onRequest(req, res) {
  var out = [];
  out.push(require('path').join('/a', 'b', '../c'));
  try { require('assert').strictEqual(1, 2); } catch (e) { out.push(e.code + ' ' + JSON.stringify(e.message)); }
  var d = new (require('string_decoder').StringDecoder)('utf8'); var b = Buffer.from('中');
  out.push(d.write(b.slice(0, 1)) + d.write(b.slice(1)));
  out.push(require('os').EOL === '\n');
  try { require('fs'); } catch (e) { out.push(e.code + ' ' + /not available in bmobemu/.test(e.message)); }
  var s = new (require('stream').PassThrough)(); var got = [];
  s.on('data', function (c) { got.push(String(c)); }); s.on('end', function () { out.push(got.join('')); res.send(out.join('\n')); });
  s.write('a'); s.end('b');
}`)
	want := "/a/c\nERR_ASSERTION \"Expected values to be strictly equal:\\n\\n1 !== 2\\n\"\n中\ntrue\nMODULE_NOT_FOUND true\nab"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}
