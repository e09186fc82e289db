package functions

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/runtime"
)

// logLines collects a Set's log.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) add(level, line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+": "+line)
}

func (l *logLines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func loadWith(t *testing.T, dirs []string, opts LoadOptions) *Set {
	t.Helper()
	env := &modules.Env{}
	e, err := runtime.New(runtime.Options{Registry: modules.NewRegistry(), Env: env, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadWith(e, dirs, opts)
	if err != nil {
		t.Fatal(err)
	}
	env.Functions = s
	return s
}

// A function that does not compile is not "not found": calling it names the
// function and every compile error with file:line:col, once "SyntaxError:".
func TestNotCompilingIsNotLoadedWithEveryError(t *testing.T) {
	s, dir := newSet(t, map[string]string{
		"broken.js": "function onRequest(q, r) {\n  var x = ;\n  r.end('a')\n",
	})
	_, err := s.Invoke(context.Background(), "broken", get())
	var nl *NotLoadedError
	if !errors.As(err, &nl) || errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want a NotLoadedError", err)
	}
	text := err.Error()
	path := filepath.Join(dir, "broken.js")
	for _, want := range []string{"function broken does not compile:", "SyntaxError: " + path + ":2:11 Unexpected token ;", path + ":4:1 "} {
		if !strings.Contains(text, want) {
			t.Errorf("error lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "SyntaxError: SyntaxError") {
		t.Errorf("doubled SyntaxError:\n%s", text)
	}
	// A compiler (not parser) error keeps its place too.
	s2, dir2 := newSet(t, map[string]string{"dup.js": "function onRequest(q, r) {\n  let a = 1; let a = 2;\n}"})
	_, err = s2.Invoke(context.Background(), "dup", get())
	if err == nil || !strings.Contains(err.Error(), "SyntaxError: "+filepath.Join(dir2, "dup.js")+":2:") || strings.Contains(err.Error(), "SyntaxError: SyntaxError") {
		t.Fatalf("compiler error: %v", err)
	}
}

// Adding a function and fixing a broken one are logged, as removing one is.
func TestLogsAddedAndFixed(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ok.js", `function onRequest(q, r) { r.end("ok") }`)
	write("bad.js", `function onRequest(q, r) { r.end( }`)
	var log logLines
	s := loadWith(t, []string{dir}, LoadOptions{Log: log.add})
	if strings.Contains(log.text(), "added") {
		t.Fatalf("the first load is the banner's, not the log's:\n%s", log.text())
	}
	write("bad.js", `function onRequest(q, r) { r.end("fixed") }`)
	write("new.js", `function onRequest(q, r) { r.end("new") }`)
	if err := s.Reload("bad"); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload("new"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"function bad fixed: loaded from " + filepath.Join(dir, "bad.js"), "function new added from " + filepath.Join(dir, "new.js")} {
		if !strings.Contains(log.text(), want) {
			t.Errorf("log lacks %q:\n%s", want, log.text())
		}
	}
}

// With a deploy folder, deploys never write into the source folders; a
// deployed version shadows the source one until it is removed, and a source
// function cannot be removed over REST.
func TestDeployFolderKeepsSourcesUntouched(t *testing.T) {
	src := t.TempDir()
	deployDir := filepath.Join(t.TempDir(), "x.db.deployed")
	if err := os.WriteFile(filepath.Join(src, "hello.js"), []byte(`function onRequest(q, r) { r.end("source") }`), 0o644); err != nil {
		t.Fatal(err)
	}
	s := loadWith(t, []string{src}, LoadOptions{DeployDir: deployDir})
	call := func(name string) string {
		t.Helper()
		resp, err := s.Invoke(context.Background(), name, get())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return string(resp.Body)
	}
	if _, err := os.Stat(deployDir); !os.IsNotExist(err) {
		t.Fatalf("the deploy folder exists before any deploy: %v", err)
	}
	if err := s.Deploy("ping", []byte(`function onRequest(q, r) { r.end("pong") }`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Deploy("hello", []byte(`function onRequest(q, r) { r.end("deployed") }`)); err != nil {
		t.Fatal(err)
	}
	if call("ping") != "pong" || call("hello") != "deployed" {
		t.Fatal("deployed versions are not served")
	}
	entries, _ := os.ReadDir(src)
	if len(entries) != 1 {
		t.Fatalf("the source folder was written to: %v", entries)
	}
	if b, _ := os.ReadFile(filepath.Join(src, "hello.js")); !strings.Contains(string(b), "source") {
		t.Fatalf("the source file changed: %s", b)
	}
	for _, n := range []string{"ping.js", "hello.js"} {
		if _, err := os.Stat(filepath.Join(deployDir, n)); err != nil {
			t.Fatalf("%s not in the deploy folder: %v", n, err)
		}
	}
	// A restart serves the deployed versions again.
	s2 := loadWith(t, []string{src}, LoadOptions{DeployDir: deployDir})
	if resp, err := s2.Invoke(context.Background(), "hello", get()); err != nil || string(resp.Body) != "deployed" {
		t.Fatalf("after a restart: %v", err)
	}
	// Removing the deployed hello brings the source one back; the source one
	// cannot be removed.
	if err := s.Remove("hello"); err != nil {
		t.Fatal(err)
	}
	if call("hello") != "source" {
		t.Fatal("the source version did not come back")
	}
	if err := s.Remove("hello"); !errors.Is(err, ErrNotDeployed) {
		t.Fatalf("removing a source function: %v", err)
	}
	if _, err := os.Stat(filepath.Join(src, "hello.js")); err != nil {
		t.Fatalf("the source file was deleted: %v", err)
	}
}

// A deployed file edited by hand reloads like a source file when the deploy
// folder exists at start.
func TestWatchCoversTheDeployFolder(t *testing.T) {
	src := t.TempDir()
	deployDir := filepath.Join(t.TempDir(), "d")
	if err := os.Mkdir(deployDir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(deployDir, "ping.js")
	if err := os.WriteFile(path, []byte(`function onRequest(q, r) { r.end("v1") }`), 0o644); err != nil {
		t.Fatal(err)
	}
	s := loadWith(t, []string{src}, LoadOptions{DeployDir: deployDir})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Watch(ctx); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`function onRequest(q, r) { r.end("v2") }`), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := s.Invoke(context.Background(), "ping", get())
		if err == nil && string(resp.Body) == "v2" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the edit was not picked up: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
