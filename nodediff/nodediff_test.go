package nodediff

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/nodecore"
	"github.com/bmobemu/bmobemu/outbound"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/store"

	"github.com/dop251/goja"
)

// probeFiles lists probes/*.js (the prelude excluded), sorted.
func probeFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("probes/*.js")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if !strings.HasPrefix(filepath.Base(f), "_") {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

func probeName(file string) string { return strings.TrimSuffix(filepath.Base(file), ".js") }

// nodeBinary finds node, or skips (fails when CI=true: CI must run the suite).
func nodeBinary(t *testing.T) (string, int) {
	t.Helper()
	path, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not installed: the differential suite needs it in CI")
		}
		t.Skip("node is not installed; the differential suite needs it (it fails when CI=true)")
	}
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		t.Fatalf("node --version: %v", err)
	}
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	major, err := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	if err != nil {
		t.Fatalf("node --version printed %q", out)
	}
	return path, major
}

// probeServer is a loopback HTTP server the http probes call: it echoes what it got.
func probeServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/status/404":
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "nope")
			return
		case "/redirect":
			http.Redirect(w, r, "/echo?from=redirect", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Probe", "yes")
		_, _ = fmt.Fprintf(w, `{"method":%q,"path":%q,"query":%q,"contentType":%q,"custom":%q,"body":%q}`,
			r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), r.Header.Get("X-Custom"), body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func readPrelude(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("probes/_prelude.js")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// runNode runs prelude+probe in Node with Bmob's zone and a neutral locale.
func runNode(t *testing.T, node, dir, name, src, probeURL string) []string {
	t.Helper()
	file := filepath.Join(dir, name+".js")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, file)
	cmd.Dir = "/" // bmobemu's process.cwd()
	cmd.Env = []string{"TZ=Asia/Shanghai", "LANG=en_US.UTF-8", "PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PROBE_URL=" + probeURL}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\n%s", name, err, stderr.String())
	}
	return splitLines(stdout.String())
}

func splitLines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// emuHarness is one bmobemu engine with the emulator's full module registry.
type emuHarness struct {
	engine *runtime.Engine
	mu     sync.Mutex
	lines  map[string][]string
}

func newEmuHarness(t *testing.T) *emuHarness {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "probe.db"), store.Options{Now: time.Now, Random: rand.Reader, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	h := &emuHarness{lines: map[string][]string{}}
	router := outbound.New(outbound.Options{})
	engine, err := runtime.New(runtime.Options{
		Registry: emulator.NewRegistry(emulator.Deps{API: restapi.New(st)}),
		Env:      &modules.Env{HTTP: router.Client(), Now: time.Now, Random: rand.Reader},
		Timeout:  time.Minute,
		Log: runtime.LogFunc(func(function, level, line string) {
			if level != "log" && level != "info" && level != "debug" {
				return
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			h.lines[function] = append(h.lines[function], strings.Split(line, "\n")...)
		}),
		Formatter: func(vm *goja.Runtime) (func([]goja.Value) string, error) {
			f, err := nodecore.NewFormatter(vm)
			if err != nil {
				return nil, err
			}
			return f.Format, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.engine = engine
	return h
}

func (h *emuHarness) run(t *testing.T, dir, name, src, probeURL string) []string {
	t.Helper()
	file := filepath.Join(dir, name+".js")
	s, err := h.engine.NewScript(name, file)
	if err != nil {
		t.Fatal(err)
	}
	vm := s.Runtime()
	_ = vm.Get("process").ToObject(vm).Get("env").ToObject(vm).Set("PROBE_URL", probeURL)
	prg, err := s.Compile(file, []byte(src))
	if err != nil {
		t.Fatalf("bmobemu cannot compile %s: %v", name, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Run(ctx, func() error { _, err := vm.RunProgram(prg); return err }); err != nil {
		msg, stack := runtime.DescribeError(err)
		t.Errorf("bmobemu: probe %s threw: %s\n%s", name, msg, stack)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lines[name]
}

// TestProbesMatchNode runs every probe in Node and in bmobemu and compares their
// lines, allowing only the differences listed in differences.json.
func TestProbesMatchNode(t *testing.T) {
	node, major := nodeBinary(t)
	diffs, err := LoadDifferences("differences.json")
	if err != nil {
		t.Fatal(err)
	}
	files := probeFiles(t)
	if len(files) == 0 {
		t.Fatal("no probes found")
	}
	known := map[string]bool{}
	for _, f := range files {
		known[probeName(f)] = true
	}
	for _, d := range diffs {
		if !known[d.Probe] {
			t.Errorf("differences.json names probe %q, which does not exist", d.Probe)
		}
	}
	prelude := readPrelude(t)
	probeURL := probeServer(t)
	h := newEmuHarness(t)
	for _, f := range files {
		f := f
		name := probeName(f)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			src := prelude + string(body)
			dir := t.TempDir()
			nodeLines := runNode(t, node, dir, name, src, probeURL)
			emuLines := h.run(t, dir, name, src, probeURL)
			if len(nodeLines) == 0 {
				t.Fatal("Node printed nothing: the probe checks nothing")
			}
			for _, p := range Compare(name, nodeLines, emuLines, diffs, major) {
				t.Error(p)
			}
		})
	}
}

// TestReadmeNodeSurfaceInSync checks the README's "Node surface" table against
// differences.json; run with NODEDIFF_UPDATE_README=1 to rewrite it.
func TestReadmeNodeSurfaceInSync(t *testing.T) {
	diffs, err := LoadDifferences("differences.json")
	if err != nil {
		t.Fatal(err)
	}
	want := RenderMarkdown(len(probeFiles(t)), diffs)
	const begin, end = "<!-- node-surface:begin (generated from nodediff/differences.json) -->\n", "<!-- node-surface:end -->"
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the node-surface markers")
	}
	got := text[i+len(begin) : j]
	if got == want {
		return
	}
	if os.Getenv("NODEDIFF_UPDATE_README") == "1" {
		if err := os.WriteFile("../README.md", []byte(text[:i+len(begin)]+want+text[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's Node surface section is out of date; run NODEDIFF_UPDATE_README=1 go test ./nodediff -run Readme\n got:\n%s\nwant:\n%s", got, want)
}

func TestCompareAllowsOnlyDocumentedDifferences(t *testing.T) {
	diffs := []Difference{
		{Probe: "p", Label: "a", Kind: KindBmobemu, Reason: "r"},
		{Probe: "p", Label: "b", Kind: KindNode16, Node16: "b: old", Reason: "r"},
	}
	cases := []struct {
		name      string
		node, emu []string
		major     int
		problems  int
	}{
		{"documented difference", []string{"a: 1", "b: new", "c: 3"}, []string{"a: 2", "b: old", "c: 3"}, 20, 0},
		{"undocumented difference", []string{"a: 1", "b: new", "c: 3"}, []string{"a: 2", "b: old", "c: 4"}, 20, 1},
		{"fixed difference must leave the list", []string{"a: 1", "b: new"}, []string{"a: 1", "b: old"}, 20, 1},
		{"bmobemu must print node 16's line", []string{"a: 1", "b: new"}, []string{"a: 2", "b: new"}, 20, 1},
		{"on node 16 the recorded line is checked", []string{"a: 1", "b: new"}, []string{"a: 2", "b: old"}, 16, 1},
		{"missing line", []string{"a: 1", "b: new", "c: 3"}, []string{"a: 2", "b: old"}, 20, 1},
		{"stale entry", []string{"c: 3"}, []string{"c: 3"}, 20, 2},
	}
	for _, c := range cases {
		if got := Compare("p", c.node, c.emu, diffs, c.major); len(got) != c.problems {
			t.Errorf("%s: %d problems, want %d: %q", c.name, len(got), c.problems, got)
		}
	}
}
