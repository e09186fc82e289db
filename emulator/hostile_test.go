package emulator

// The shared harness of the "a script tries to take the server down" suite
// (issue 11). Each case is a hostile function served by a real server on
// 127.0.0.1 next to an `ok` function; the hostile call must end in an error
// answer by its deadline while `ok` keeps answering. Cases run in a child
// process of the test binary, so a case that still kills the process (a Go
// fatal error: stack overflow, concurrent map write, out of memory) fails its
// test instead of taking `go test` down with it.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostileChildEnv names the test a child process of runHostile runs for real.
const hostileChildEnv = "BMOBEMU_HOSTILE_CHILD"

// hostileCase is one script that tries to take the server down.
type hostileCase struct {
	// Script is the hostile function's source (served as hostile.js).
	Script string
	// Query is appended to the hostile call's URL (e.g. "?next=...").
	Query string
	// Calls is how many hostile calls run at once (0: 1).
	Calls int
	// Timeout is the server's per-call limit (0: 5 s).
	Timeout time.Duration
	// Config adjusts the server's configuration (may be nil).
	Config func(*Config)
	// WantStatus is the status every hostile call must end with (0: any 4xx/5xx).
	WantStatus int
	// WantBody must appear in every hostile call's answer ("" : anything).
	WantBody string
	// BeforeServe runs in the child before the server starts (process-wide
	// settings the CLI makes before serving, e.g. runtime.LimitRegexpMatches).
	BeforeServe func()
	// Check runs in the child after the hostile calls answered, with the
	// emulator still serving (e.g. to look at the logs or at memory).
	Check func(t *testing.T, h *hostileServer)
}

// hostileServer is the running emulator of a case.
type hostileServer struct {
	Emu  *Emulator
	Base string // http://127.0.0.1:port
	Logs *syncBuffer
}

// URL is the direct URL of the function name.
func (h *hostileServer) URL(name string) string { return h.Base + "/" + h.Emu.Secret + "/" + name }

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// hostileAnswer is what one HTTP call got.
type hostileAnswer struct {
	Status int
	Header http.Header
	Body   string
	Took   time.Duration
	Err    error
}

func hostileGet(url string, timeout time.Duration) hostileAnswer {
	// Redirects are answers too: not followed.
	client := &http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start := time.Now()
	resp, err := client.Get(url)
	if err != nil {
		return hostileAnswer{Err: err, Took: time.Since(start)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return hostileAnswer{Status: resp.StatusCode, Header: resp.Header, Body: string(body), Took: time.Since(start), Err: err}
}

// runHostile runs c in a child process (see the file comment) and fails t with
// the child's output when the case fails or the child dies.
func runHostile(t *testing.T, c hostileCase) {
	t.Helper()
	if os.Getenv(hostileChildEnv) != t.Name() {
		runTestInChild(t)
		return
	}
	if c.BeforeServe != nil {
		c.BeforeServe()
	}
	h := startHostile(t, c)
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	calls := max(c.Calls, 1)
	// Generous slack: the machine may be loaded; what matters is that the call
	// ends at all, with an error, and that ok answers meanwhile.
	callLimit := timeout + 30*time.Second
	answers := make(chan hostileAnswer, calls)
	for range calls {
		go func() { answers <- hostileGet(h.URL("hostile")+c.Query, callLimit) }()
	}
	pending := calls
	var okCalls int
	var slowestOK time.Duration
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for pending > 0 {
		select {
		case a := <-answers:
			pending--
			if a.Err != nil {
				t.Fatalf("hostile call got no answer: %v (after %s)\nlogs:\n%s", a.Err, a.Took, tail(h.Logs.String(), 4000))
			}
			if c.WantStatus != 0 && a.Status != c.WantStatus || c.WantStatus == 0 && a.Status < 400 {
				t.Errorf("hostile call answered %d %q, want status %d (0: an error)", a.Status, tail(a.Body, 300), c.WantStatus)
			}
			if !strings.Contains(a.Body, c.WantBody) {
				t.Errorf("hostile call answered %d %q, want it to contain %q", a.Status, tail(a.Body, 300), c.WantBody)
			}
			t.Logf("hostile call: %d %q after %s", a.Status, tail(a.Body, 200), a.Took.Round(time.Millisecond))
		case <-tick.C:
			ok := hostileGet(h.URL("ok"), 20*time.Second)
			if ok.Err != nil || ok.Status != http.StatusOK || ok.Body != "ok" {
				t.Fatalf("ok stopped answering while the hostile call ran: %d %q %v", ok.Status, ok.Body, ok.Err)
			}
			okCalls++
			slowestOK = max(slowestOK, ok.Took)
		}
	}
	if ok := hostileGet(h.URL("ok"), 20*time.Second); ok.Err != nil || ok.Status != http.StatusOK {
		t.Fatalf("ok does not answer after the hostile calls: %d %q %v", ok.Status, ok.Body, ok.Err)
	}
	t.Logf("ok answered %d times meanwhile, slowest %s", okCalls, slowestOK.Round(time.Millisecond))
	if c.Check != nil {
		c.Check(t, h)
	}
}

// startHostile serves hostile.js (c.Script) and ok.js on 127.0.0.1 until t ends.
func startHostile(t *testing.T, c hostileCase) *hostileServer {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "ok.js", `function onRequest(request, response) { response.send('ok') }`)
	write(t, dir, "hostile.js", c.Script)
	logs := &syncBuffer{}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	cfg := Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(t.TempDir(), "h.db"), Timeout: timeout,
		LogOutput: logs, NoSync: true}
	if c.Config != nil {
		c.Config(&cfg)
	}
	emu, base := serveOnLoopback(t, cfg)
	return &hostileServer{Emu: emu, Base: base, Logs: logs}
}

// runTestInChild re-runs the current test alone in a child process with
// hostileChildEnv set to its name, and fails t with the child's output if the
// child fails or dies.
func runTestInChild(t *testing.T) {
	t.Helper()
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	cmd := exec.Command(os.Args[0], "-test.run="+strings.Join(parts, "/"), "-test.count=1", "-test.v", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), hostileChildEnv+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the case failed or killed its process (%v):\n%s", err, head(string(out), 6000))
	}
	if !bytes.Contains(out, []byte("--- PASS")) {
		t.Fatalf("the child process ran no test:\n%s", tail(string(out), 2000))
	}
	for _, line := range strings.Split(string(out), "\n") {
		for _, key := range []string{"hostile call:", "ok answered", "measured:"} {
			if i := strings.Index(line, key); i >= 0 {
				t.Log(line[i:])
			}
		}
	}
}

// head is the first n bytes of s (a Go fatal error's cause comes first, its
// goroutine dump after).
func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("…%s", s[len(s)-n:])
}
