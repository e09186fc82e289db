package noderequest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/modulestest"
	"github.com/bmobemu/bmobemu/outbound"
)

// arrival is one request as the loopback server received it.
type arrival struct {
	Method string
	URI    string
	Host   string
	Header http.Header
	Body   string
}

// server is a loopback HTTP server with a few behaviours, recording what arrives.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	seen []arrival
}

func newServer(t *testing.T) *server {
	t.Helper()
	s := newUnstartedServer(t)
	s.Start()
	return s
}

// newUnstartedServer listens but serves only after Start, so its URL can be known
// before the VU (whose creation sets time.Local) exists.
func newUnstartedServer(t *testing.T) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

func (s *server) arrivals() []arrival {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]arrival(nil), s.seen...)
}

func (s *server) last(t *testing.T) arrival {
	t.Helper()
	all := s.arrivals()
	if len(all) == 0 {
		t.Fatal("no request reached the server")
	}
	return all[len(all)-1]
}

func (s *server) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.seen = append(s.seen, arrival{Method: r.Method, URI: r.RequestURI, Host: r.Host, Header: r.Header.Clone(), Body: string(body)})
	s.mu.Unlock()
	path := r.URL.Path
	switch {
	case path == "/text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		_, _ = io.WriteString(w, "hello 世界")
	case path == "/json":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"prepay_id":"wx123","n":[1,2]}`)
	case path == "/notjson":
		_, _ = io.WriteString(w, "plain words")
	case path == "/empty":
		w.WriteHeader(http.StatusNoContent)
	case path == "/bom":
		_, _ = io.WriteString(w, "\uFEFFbom")
	case path == "/bytes":
		_, _ = w.Write([]byte{0xff, 0x00, 0x01})
	case strings.HasPrefix(path, "/status/"):
		code, _ := strconv.Atoi(strings.TrimPrefix(path, "/status/"))
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "status body")
	case path == "/gzip":
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = io.WriteString(zw, "zipped text")
		_ = zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(buf.Bytes())
	case path == "/badgzip":
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = io.WriteString(w, "this is not gzip")
	case strings.HasPrefix(path, "/redirect/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(path, "/redirect/"))
		if n == 0 {
			_, _ = io.WriteString(w, "landed")
			return
		}
		code := 302
		if c := r.URL.Query().Get("code"); c != "" {
			code, _ = strconv.Atoi(c)
		}
		loc := "/redirect/" + strconv.Itoa(n-1)
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(code)
	case path == "/setcookie":
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: "abc123", Path: "/"})
		_, _ = io.WriteString(w, "set")
	case path == "/slow":
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
		_, _ = io.WriteString(w, "late")
	case path == "/slowbody":
		w.WriteHeader(200)
		_, _ = io.WriteString(w, "start")
		w.(http.Flusher).Flush()
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"method": r.Method, "uri": r.RequestURI})
	}
}

// logLines collects the router's log.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) add(_ context.Context, s string) {
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}
func (l *logLines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// newVU loads `request` into a test VM whose Env.HTTP is a router with upstreams.
func newVU(t *testing.T, upstreams map[string]string) (*modulestest.VU, *logLines) {
	t.Helper()
	logs := &logLines{}
	router := outbound.New(outbound.Options{Upstreams: upstreams, Log: logs.add})
	vu := modulestest.New(t, &modules.Env{HTTP: router.Client()})
	vu.Load(t, "request", New)
	vu.MustRun(t, prelude)
	return vu, logs
}

// prelude gives scripts `record`, a callback that keeps what request handed it.
const prelude = `
var results = [];
function describe(v) {
  if (v instanceof Buffer) return {buffer: v.toString('hex')};
  return v;
}
function record(err, res, body) {
  results.push({
    err: err ? {message: err.message, code: err.code, connect: err.connect} : null,
    status: res ? res.statusCode : undefined,
    statusMessage: res ? res.statusMessage : undefined,
    headers: res ? res.headers : undefined,
    body: describe(body),
    sameBody: res ? res.body === body : undefined,
    href: res ? res.request.uri.href : undefined,
    method: res ? res.request.method : undefined,
    args: arguments.length
  });
}
`

// outcomeJS is what record stored, decoded.
type outcomeJS struct {
	Err *struct {
		Message, Code string
		Connect       *bool
	}
	Status        int
	StatusMessage string
	Headers       map[string]any
	Body          any
	SameBody      bool
	Href          string
	Method        string
	Args          int
}

func results(t *testing.T, vu *modulestest.VU) []outcomeJS {
	t.Helper()
	var out []outcomeJS
	if err := json.Unmarshal([]byte(vu.JSON(vu.Global("results"))), &out); err != nil {
		t.Fatalf("decoding results: %v", err)
	}
	return out
}

func only(t *testing.T, vu *modulestest.VU) outcomeJS {
	t.Helper()
	r := results(t, vu)
	if len(r) != 1 {
		t.Fatalf("callback ran %d times, want once: %+v", len(r), r)
	}
	return r[0]
}
