package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/project"
	"github.com/bmobemu/bmobemu/tasks"
)

// hookApp copies the data-hook example's scripts (and the broken ones) into a
// temp functions folder with the given project file, and serves it on loopback.
func hookApp(t *testing.T, yaml string, extra map[string]string) (*Emulator, string, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"functions", "broken"} {
		src := filepath.Join("..", "examples", "datahooks", sub)
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".js") {
				b, err := os.ReadFile(filepath.Join(src, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				write(t, dir, e.Name(), string(b))
			}
		}
	}
	for name, src := range extra {
		write(t, dir, name, src)
	}
	write(t, dir, "bmobemu.yaml", yaml)
	logs := &syncBuffer{}
	emu, base := serveOnLoopback(t, Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(t.TempDir(), "d.db"),
		Timeout: 5 * time.Second, NoSync: true, LogOutput: logs, Sandbox: SandboxConfig{Off: true}})
	return emu, base, logs
}

// api sends a REST request with the app's REST key.
func api(t *testing.T, emu *Emulator, base, method, path, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Bmob-Application-Id", emu.Keys.AppID)
	req.Header.Set("X-Bmob-REST-API-Key", emu.Keys.RESTKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
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
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if m == nil {
		m = map[string]any{"_raw": string(b)}
	}
	return resp.StatusCode, m
}

// TestDocsHooksOverHTTP: the docs' hooks over a real loopback connection: the
// hook sees the connection's address, refuses with 400/324 and its message.
func TestDocsHooksOverHTTP(t *testing.T) {
	emu, base, logs := hookApp(t, "hook:\n  function: writersByIP\n", nil)
	if st, m := api(t, emu, base, "POST", "/1/classes/Item", `{"name":"pen"}`); st != 400 || m["code"] != 324.0 || m["error"] != "禁止操作" {
		t.Fatalf("write from 127.0.0.1 = %d %v, want 400 324 禁止操作", st, m)
	}
	if st, m := api(t, emu, base, "GET", "/1/classes/Item", ""); st != 200 || m["results"] == nil {
		t.Fatalf("query = %d %v", st, m)
	}
	if !strings.Contains(logs.String(), "data hook writersByIP refused create on Item from 127.0.0.1: 禁止操作") {
		t.Fatalf("log:\n%s", logs)
	}

	emu.Project.UseHook(hookOf("denyOrder"))
	if st, m := api(t, emu, base, "DELETE", "/1/classes/Order/abc", ""); st != 400 || m["error"] != "Order表禁止操作" {
		t.Fatalf("delete on Order = %d %v", st, m)
	}
	emu.Project.UseHook(hookOf("refuseIOS"))
	if st, m := api(t, emu, base, "GET", "/1/classes/Item", "", "X-Bmob-SDK-Type", "iOS"); st != 400 || m["error"] != "禁止IOS访问" {
		t.Fatalf("iOS query = %d %v", st, m)
	}
	emu.Project.UseHook(hookOf("sexToNumber"))
	st, m := api(t, emu, base, "POST", "/1/classes/Person", `{"sexText":"男"}`)
	if st != 201 {
		t.Fatalf("create = %d %v", st, m)
	}
	if _, got := api(t, emu, base, "GET", "/1/classes/Person/"+m["objectId"].(string), ""); got["sex"] != 1.0 {
		t.Fatalf("row = %v, want sex 1", got)
	}
}

// TestBrokenHooksFailClosedNamingTheLine: the docs' two broken examples' defects
// (a syntax error, an undefined variable) refuse every request with 400/324
// and an error naming the file and line, and log it.
func TestBrokenHooksFailClosedNamingTheLine(t *testing.T) {
	for _, tt := range []struct{ fn, want string }{
		{"brokenSyntax", `brokenSyntax\.js.*(Line 11|:11:)`},
		{"undefinedVar", `ReferenceError: sexData is not defined.*undefinedVar\.js:5`},
	} {
		t.Run(tt.fn, func(t *testing.T) {
			emu, base, logs := hookApp(t, "hook:\n  function: "+tt.fn+"\n", nil)
			st, m := api(t, emu, base, "PUT", "/1/classes/Person/abc", `{"sexText":"男"}`)
			msg, _ := m["error"].(string)
			if st != 400 || m["code"] != 324.0 || !strings.HasPrefix(msg, "data hook error: ") || !regexp.MustCompile(tt.want).MatchString(msg) {
				t.Fatalf("answer = %d %v, want 400 324 data hook error matching %s", st, m, tt.want)
			}
			if !strings.Contains(logs.String(), "[hook] error: data hook "+tt.fn+": ") || !strings.Contains(logs.String(), "refused (fail closed, code 324)") {
				t.Fatalf("log:\n%s", logs)
			}
		})
	}
}

// TestHookFailsClosed: a hook that times out or answers garbage refuses the
// request with 400/324 and a clear error; nothing is written.
func TestHookFailsClosed(t *testing.T) {
	extra := map[string]string{
		"silentHook.js":  `function onRequest(request, response, modules) { setTimeout(function () {}, 60000); }`,
		"garbageHook.js": `function onRequest(request, response, modules) { response.send("sure, go ahead"); }`,
		"nomsgHook.js":   `function onRequest(request, response, modules) { response.send({ allow: true }); }`,
		"badDataHook.js": `function onRequest(request, response, modules) { response.send({ success: "ok", data: "[1,2]" }); }`,
	}
	emu, base, _ := hookApp(t, "hook:\n  function: silentHook\n  timeout: 300ms\n", extra)
	cases := []struct{ fn, want string }{
		{"silentHook", "data hook error: data hook silentHook: no answer within 300ms"},
		{"garbageHook", `data hook error: data hook garbageHook: answered "sure, go ahead"; a hook answers {"msg":"ok"}`},
		{"nomsgHook", `answered "{\"allow\":true}" without "msg" or "success"`},
		{"badDataHook", "its data is not a JSON object: [1,2]"},
	}
	for _, c := range cases {
		h := hookOf(c.fn)
		h.Timeout = 300 * time.Millisecond
		emu.Project.UseHook(h)
		st, m := api(t, emu, base, "POST", "/1/classes/Item", `{"n":1}`)
		if msg, _ := m["error"].(string); st != 400 || m["code"] != 324.0 || !strings.Contains(msg, c.want) {
			t.Errorf("%s: answer = %d %v, want 400 324 containing %q", c.fn, st, m, c.want)
		}
	}
	emu.Project.UseHook(nil)
	if _, m := api(t, emu, base, "GET", "/1/classes/Item", ""); len(m["results"].([]any)) != 0 {
		t.Fatalf("rows written through a failed hook: %v", m)
	}
}

// TestCloudFunctionsBypassTheHook: oData calls of cloud functions (the hook's
// own included) never pass through the hook; a client's call of a function
// over /1/functions reaches it and its writes go through.
func TestCloudFunctionsBypassTheHook(t *testing.T) {
	extra := map[string]string{
		"placeOrder.js": `function onRequest(request, response, modules) {
			modules.oData.insert({ table: "Order", data: { item: "pen" } }, function (err, data) { response.send(data); });
		}`,
	}
	emu, base, _ := hookApp(t, "hook:\n  function: denyOrder\n", extra)
	st, m := api(t, emu, base, "POST", "/1/functions/placeOrder", `{}`)
	if st != 200 || !strings.Contains(m["result"].(string), "objectId") {
		t.Fatalf("function insert = %d %v", st, m)
	}
	if st, m := api(t, emu, base, "GET", "/1/classes/Order", ""); st != 400 || m["code"] != 324.0 {
		t.Fatalf("client query on Order = %d %v, want refused", st, m)
	}
}

// TestHookCoversUsersAndBatch: the hook sees sign-ups (_User create) but not
// log-ins; batch elements one by one.
func TestHookCoversUsersAndBatch(t *testing.T) {
	extra := map[string]string{
		"noSignUp.js": `function onRequest(request, response, modules) {
			var b = request.body;
			response.end({ msg: b.table == "_User" && b.operation == "create" ? "sign-ups are closed" : "ok" });
		}`,
	}
	emu, base, _ := hookApp(t, "hook:\n  function: noSignUp\n  operations: [create]\n", extra)
	if st, m := api(t, emu, base, "POST", "/1/users", `{"username":"ann","password":"pw"}`); st != 400 || m["error"] != "sign-ups are closed" {
		t.Fatalf("sign-up = %d %v", st, m)
	}
	if st, m := api(t, emu, base, "GET", "/1/login?username=ann&password=pw", ""); st != 400 || m["code"] == 324.0 {
		t.Fatalf("log-in = %d %v, want Bmob's wrong-password error, not the hook", st, m)
	}
	st, m := api(t, emu, base, "POST", "/1/batch", `{"requests":[{"method":"POST","path":"/1/users","body":{"username":"bob","password":"pw"}},{"method":"POST","path":"/1/classes/Item","body":{"n":1}}]}`)
	if st != 200 {
		t.Fatalf("batch = %d %v", st, m)
	}
}

func hookOf(fn string) *project.Hook {
	return &project.Hook{Function: fn, Timeout: project.DefaultHookTimeout, Where: "test"}
}

var _ = modules.Bmob
var _ = tasks.OK

// TestHookWritesInABatch: a hook that writes (an audit row per create) on a
// batch of more creates than the function has VMs: every element commits, and
// so does every audit row (the hook's writes do not join the batch's write
// group, which would hold them until every element, waiting for a VM, settled).
func TestHookWritesInABatch(t *testing.T) {
	extra := map[string]string{
		"audit.js": `function onRequest(request, response, modules) {
			modules.oData.insert({ table: "Audit", data: { table: request.body.table } }, function (err, data) {
				response.end({ msg: err ? "audit failed" : "ok" });
			});
		}`,
	}
	emu, base, _ := hookApp(t, "hook:\n  function: audit\n  operations: [create]\n", extra)
	const n = 40 // more than the 16 VMs of a function
	reqs := make([]string, n)
	for i := range reqs {
		reqs[i] = `{"method":"POST","path":"/1/classes/Item","body":{"n":` + strings.Repeat("1", 1+i%3) + `}}`
	}
	req, err := http.NewRequest("POST", base+"/1/batch", strings.NewReader(`{"requests":[`+strings.Join(reqs, ",")+`]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Bmob-Application-Id", emu.Keys.AppID)
	req.Header.Set("X-Bmob-REST-API-Key", emu.Keys.RESTKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var results []map[string]any
	if err := json.Unmarshal(body, &results); err != nil || len(results) != n {
		t.Fatalf("batch = %d %s", resp.StatusCode, body)
	}
	for i, r := range results {
		if r["success"] == nil {
			t.Fatalf("element %d: %v", i, r)
		}
	}
	for class, want := range map[string]float64{"Item": n, "Audit": n} {
		if st, m := api(t, emu, base, "GET", "/1/classes/"+class+"?count=1&limit=0", "", "X-Bmob-Master-Key", emu.Keys.MasterKey); st != 200 || m["count"] != want {
			t.Errorf("%s: %d %v, want count %v", class, st, m, want)
		}
	}
}
