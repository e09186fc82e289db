package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/tasks"
)

// TestTaskEverySecondOnTheRealClock: a task due every second, a real function
// writing a durable row, runs ten times in ten seconds of real time, on whole
// seconds, in order, never twice at once. The drift (start minus tick) is
// measured and reported, not asserted: the machine may be loaded.
func TestTaskEverySecondOnTheRealClock(t *testing.T) {
	if testing.Short() {
		t.Skip("ten seconds of real time")
	}
	dir := t.TempDir()
	// Each run notes its start and end in the store; an overlap would show as a
	// run starting before the previous one ended.
	write(t, dir, "tick.js", `function onRequest(request, response, modules) {
		var started = Date.now();
		modules.oData.insert({ table: "Tick", data: { at: request.headers["x-bmobemu-scheduled-at"], started: started } }, function (err) {
			if (err) throw new Error(err);
			response.end("ok");
		});
	}`)
	write(t, dir, "bmobemu.yaml", "tasks:\n  - name: tick\n    rule: \"* * * * * *\"\n    function: tick\n")
	emu, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(t.TempDir(), "d.db"), Timeout: 5 * time.Second,
		Sandbox: SandboxConfig{Off: true}})
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	deadline := began.Add(40 * time.Second) // generous: a loaded machine may skip a tick
	for len(emu.Tasks.Runs("tick")) < 10 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}
	runs := emu.Tasks.Runs("tick")
	if len(runs) < 10 {
		t.Fatalf("%d runs in %v", len(runs), time.Since(began))
	}
	runs = runs[:10]
	var worst, total time.Duration
	ok := 0
	for i, r := range runs {
		if r.Scheduled.Nanosecond() != 0 {
			t.Fatalf("tick %v is not on a whole second", r.Scheduled)
		}
		if i > 0 {
			if !r.Scheduled.After(runs[i-1].Scheduled) {
				t.Fatalf("run %d at %v is not after %v", i, r.Scheduled, runs[i-1].Scheduled)
			}
			prevEnd := runs[i-1].Started.Add(time.Duration(runs[i-1].Duration))
			if r.Outcome == tasks.OK && runs[i-1].Outcome == tasks.OK && r.Started.Before(prevEnd) {
				t.Fatalf("run %d started at %v before run %d ended at %v", i, r.Started, i-1, prevEnd)
			}
		}
		if r.Outcome == tasks.OK {
			ok++
		} else if r.Outcome == tasks.Failed {
			t.Fatalf("run %d failed: %s", i, r.Error)
		}
		d := r.Started.Sub(r.Scheduled)
		total += d
		worst = max(worst, d)
	}
	span := runs[9].Scheduled.Sub(runs[0].Scheduled)
	t.Logf("10 ticks over %v (first to last), %d ran and %d were skipped; drift mean %v, worst %v",
		span, ok, 10-ok, total/10, worst)
	if ok == 10 && span != 9*time.Second {
		t.Fatalf("ten runs without a skip span %v, want 9s", span)
	}
}

// TestTaskAdminRoutes: the task routes need the master key; they list, show
// runs and run a task now.
func TestTaskAdminRoutes(t *testing.T) {
	extra := map[string]string{"count.js": `function onRequest(request, response, modules) { response.end("counted " + request.body._e); }`}
	emu, base, logs := hookApp(t, "tasks:\n  - name: count\n    rule: \"0 0 3 * * *\"\n    function: count\n", extra)
	send := func(method, path, key string, header ...string) (int, []byte) {
		req, _ := http.NewRequest(method, base+path, nil)
		if key != "" {
			req.Header.Set("X-Bmob-Master-Key", key)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	get := func(method, path, key string) (int, map[string]any) {
		st, b := send(method, path, key)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, st, b)
		}
		return st, m
	}
	// Through internal/webguard: the master key always (loopback too), and no
	// cross-site POST even with it.
	if st, b := send("GET", "/_admin/tasks/", ""); st != 401 || !strings.Contains(string(b), "the task routes need the master key") {
		t.Fatalf("no key: %d %s", st, b)
	}
	if st, _ := send("GET", "/_admin/tasks/", emu.Keys.RESTKey); st != 401 {
		t.Fatalf("REST key: %d", st)
	}
	if st, b := send("POST", "/_admin/tasks/count/run", emu.Keys.MasterKey, "Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"); st != 403 {
		t.Fatalf("cross-site POST: %d %s", st, b)
	}
	req, _ := http.NewRequest("GET", base+"/_admin/tasks/", nil)
	req.SetBasicAuth("admin", emu.Keys.MasterKey)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("Basic auth with the master key: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	st, m := get("GET", "/_admin/tasks/", emu.Keys.MasterKey)
	list, _ := m["tasks"].([]any)
	if st != 200 || len(list) != 1 || list[0].(map[string]any)["rule"] != "0 0 3 * * *" || list[0].(map[string]any)["next"] == nil {
		t.Fatalf("list = %d %v", st, m)
	}
	st, m = get("POST", "/_admin/tasks/count/run", emu.Keys.MasterKey)
	if st != 200 || m["outcome"] != "ok" || m["byHand"] != true {
		t.Fatalf("run = %d %v", st, m)
	}
	st, m = get("GET", "/_admin/tasks/count", emu.Keys.MasterKey)
	if runs, _ := m["runs"].([]any); st != 200 || len(runs) != 1 {
		t.Fatalf("runs = %d %v", st, m)
	}
	if st, _ := get("POST", "/_admin/tasks/nope/run", emu.Keys.MasterKey); st != 404 {
		t.Fatalf("unknown task: %d", st)
	}
	if !strings.Contains(logs.String(), "[tasks] info: task count (count, run by hand): ok 200 in") {
		t.Fatalf("log:\n%s", logs)
	}
}

// TestProjectFileHotReload: serve reloads a saved project file (the new hook
// applies to the next request, the tasks are rescheduled); a broken save is
// logged and the last good file stays.
func TestProjectFileHotReload(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "denyAll.js", `function onRequest(request, response, modules) { response.end({ msg: "closed" }); }`)
	write(t, dir, "task.js", `function onRequest(request, response, modules) { response.end("ok"); }`)
	logs := &syncBuffer{}
	emu, base := serveOnLoopback(t, Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(t.TempDir(), "d.db"),
		Watch: true, NoSync: true, LogOutput: logs, Sandbox: SandboxConfig{Off: true}})
	if st, _ := api(t, emu, base, "GET", "/1/classes/Item", ""); st != 200 {
		t.Fatalf("no project file: %d", st)
	}
	write(t, dir, "bmobemu.yaml", "hook:\n  function: denyAll\ntasks:\n  - {name: t, rule: '0 0 * * * *', function: task}\n")
	waitUntil(t, "the hook to apply", func() bool { st, _ := api(t, emu, base, "GET", "/1/classes/Item", ""); return st == 400 })
	if names := emu.Tasks.Names(); len(names) != 1 || names[0] != "t" {
		t.Fatalf("tasks after reload: %v", names)
	}
	write(t, dir, "bmobemu.yaml", "hook:\n  function: nope\n")
	waitUntil(t, "the error in the log", func() bool { return strings.Contains(logs.String(), "project file not reloaded") })
	if st, _ := api(t, emu, base, "GET", "/1/classes/Item", ""); st != 400 {
		t.Fatalf("the last good hook no longer applies: %d", st)
	}
	if !strings.Contains(logs.String(), `bmobemu.yaml:2: data hook: unknown function "nope"`) {
		t.Fatalf("log:\n%s", logs)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestInvalidProjectFileStopsOpen: a project file that does not validate
// stops the start with every error at its line, and the failed start leaves
// nothing behind; in compat a too-frequent rule only warns.
func TestInvalidProjectFileStopsOpen(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	write(t, dir, "a.js", `function onRequest(request, response) { response.end("a"); }`)
	write(t, dir, "bmobemu.yaml", "tasks:\n  - name: fast\n    rule: \"*/5 * * * * *\"\n    function: a\n  - name: b\n    rule: \"0 0 * * * *\"\n    function: nope\n")
	db := filepath.Join(data, "d.db")
	_, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: db, Profile: "bmob", Sandbox: SandboxConfig{Off: true}})
	if err == nil || !strings.Contains(err.Error(), "bmobemu.yaml:3: task \"fast\"") || !strings.Contains(err.Error(), "bmobemu.yaml:7: task \"b\": unknown function \"nope\"") {
		t.Fatalf("bmob profile: %v", err)
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Fatalf("the failed start left %d files behind", len(entries))
	}
	write(t, dir, "bmobemu.yaml", "tasks:\n  - name: fast\n    rule: \"*/5 * * * * *\"\n    function: a\n")
	logs := &syncBuffer{}
	emu, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: db, LogOutput: logs, Sandbox: SandboxConfig{Off: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	if !strings.Contains(logs.String(), "[project] warn: "+filepath.Join(dir, "bmobemu.yaml")+":3: task \"fast\": rule \"*/5 * * * * *\" fires every 5s at the shortest") {
		t.Fatalf("log:\n%s", logs)
	}
}
