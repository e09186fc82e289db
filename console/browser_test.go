package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/bmobemu/bmobemu/emulator"
)

// chromium is Debian's Chromium (scripts/install-chromium.sh, `make chromium`).
const chromium = "/usr/bin/chromium"

// functionsForTest are the functions the console tests drive.
var functionsForTest = map[string]string{
	// The comment is source the Functions page must show as text.
	"hello.js": `// greets; <script>window.__xss = "source"</script>
function onRequest(request, response, modules) {
  console.log("hello called with " + JSON.stringify(request.body));
  response.send({ ok: true, greeting: "你好, " + (request.body.name || "world") });
}
`,
	"payNotify.js": `function onRequest(request, response, modules) {
  console.log("notify for " + request.body.out_trade_no);
  response.end("success");
}
`,
	"broken.js":    "function onRequest(request, response, modules) {\n  var x = ;\n}\n",
	"bmobemu.yaml": "tasks:\n  - name: nightly\n    rule: \"0 0 3 * * *\"\n    function: hello\n",
}

// served is an emulator listening on 127.0.0.1.
type served struct {
	emu  *emulator.Emulator
	base string
}

// serve starts an emulator on loopback that believes it listens on
// listenAddr ("" = the loopback address it has): a non-loopback listenAddr
// makes the console ask for the master key.
func serve(t testing.TB, listenAddr string, sandboxOn bool) *served {
	t.Helper()
	dir := t.TempDir()
	for name, src := range functionsForTest {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	if listenAddr == "" {
		listenAddr = ln.Addr().String()
	}
	emu, err := emulator.Open(emulator.Config{
		FunctionsDirs: []string{dir}, DBPath: filepath.Join(t.TempDir(), "data.db"), NoSync: true,
		ListenAddr: listenAddr, Sandbox: emulator.SandboxConfig{Off: !sandboxOn, BaseURL: base}, Version: "test",
	})
	if err != nil {
		_ = ln.Close()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	ctx, stop := context.WithCancel(context.Background())
	go func() { done <- emu.Serve(ctx, ln) }()
	t.Cleanup(func() {
		stop()
		<-done
		_ = emu.Close()
	})
	return &served{emu: emu, base: base}
}

// restCall is a REST request with the app's keys and the master key.
func (s *served) restCall(t *testing.T, method, path, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	k := s.emu.Keys
	req.Header.Set("X-Bmob-Application-Id", k.AppID)
	req.Header.Set("X-Bmob-REST-API-Key", k.RESTKey)
	req.Header.Set("X-Bmob-Master-Key", k.MasterKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s: %v: %s", method, path, err, data)
	}
	return out
}

// browser starts headless Chromium at width x height; without Chromium the
// test skips, except in CI where it fails.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing in CI (scripts/install-chromium.sh installs it): %v", chromium, err)
		}
		t.Skipf("%s is not installed (make chromium, or apt-get install -y chromium): %v", chromium, err)
	}
	// Not t.TempDir: Chromium may still write its profile while the test's
	// cleanup removes the folder.
	profile, err := os.MkdirTemp("", "console-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(profile) })
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.UserDataDir(profile),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(width, height),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	b, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Run(b, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return b
}

// screenshot saves the page as <name>.png in $BMOBEMU_SCREENSHOTS (the
// README's docs/console when regenerating them) or the test's temp folder.
func screenshot(t *testing.T, b context.Context, name string) {
	t.Helper()
	dir := os.Getenv("BMOBEMU_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	var png []byte
	if err := chromedp.Run(b, chromedp.CaptureScreenshot(&png)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// run fails the test with what it was doing.
func run(t *testing.T, b context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(b, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// waitJS polls a JS expression until it is true (generous: a loaded machine).
func waitJS(expr string) chromedp.Action {
	return chromedp.Poll(expr, nil, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))
}

func TestConsolePagesInChromium(t *testing.T) {
	s := serve(t, "", true)
	b := browser(t, 1280, 800)
	c := s.base + "/_console/"

	t.Run("overview", func(t *testing.T) {
		var keys, fns string
		run(t, b, "opening the overview", chromedp.Navigate(c), chromedp.WaitVisible("table.keys"),
			chromedp.Text("table.keys", &keys), chromedp.Text("main", &fns))
		if !strings.Contains(keys, s.emu.Keys.MasterKey) || !strings.Contains(keys, s.emu.Keys.AppID) {
			t.Fatalf("overview keys lack the app's keys: %q", keys)
		}
		if !strings.Contains(fns, "/"+s.emu.Secret+"/hello") || !strings.Contains(fns, "curl -s -X POST") || !strings.Contains(fns, "Unexpected token") {
			t.Fatalf("overview lacks hello's URL and curl line or broken's error: %q", fns)
		}
		screenshot(t, b, "overview")
	})

	t.Run("invoke a function and read its answer and log", func(t *testing.T) {
		var status, body, log, scripts string
		run(t, b, "invoking hello", chromedp.Navigate(c+"functions?name=hello"), chromedp.WaitVisible("#invoke"),
			chromedp.SetValue(`#invoke textarea[name=body]`, `{"name":"小明"}`),
			chromedp.Click("#invoke-go"),
			waitJS(`document.getElementById("answer-log").textContent.includes("hello called")`),
			chromedp.Text("#answer-status", &status), chromedp.Text("#answer-body", &body), chromedp.Text("#answer-log", &log),
			chromedp.Evaluate(`String(document.querySelectorAll("#source script").length) + "/" + String(window.__xss)`, &scripts))
		if status != "200" || !strings.Contains(body, "你好, 小明") {
			t.Fatalf("answer: status %q body %q", status, body)
		}
		if !strings.Contains(log, `hello called with {"name":"小明"}`) {
			t.Fatalf("the call's log: %q", log)
		}
		if scripts != "0/undefined" {
			t.Fatalf("the source's <script> comment became markup (script elements/__xss): %s", scripts)
		}
		screenshot(t, b, "functions")
	})

	t.Run("compile errors at the source", func(t *testing.T) {
		var msg string
		run(t, b, "opening broken", chromedp.Navigate(c+"functions?name=broken"), chromedp.WaitVisible("tr.err"),
			chromedp.Text("tr.err .err-msg", &msg))
		if !strings.Contains(msg, "2:11") || !strings.Contains(msg, "Unexpected token") {
			t.Fatalf("error at line 2: %q", msg)
		}
		screenshot(t, b, "compile-error")
	})

	t.Run("a live log line arrives after a call", func(t *testing.T) {
		run(t, b, "opening the log", chromedp.Navigate(c+"logs"),
			waitJS(`document.getElementById("log-state").textContent === "live"`))
		resp, err := http.Post(s.base+"/"+s.emu.Secret+"/hello", "application/json", strings.NewReader(`{"name":"live-line-42"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		start := time.Now()
		run(t, b, "waiting for the live line", waitJS(`document.getElementById("log").textContent.includes("live-line-42")`))
		t.Logf("the live line showed %v after the call", time.Since(start))
		// The level filter hides it; search finds it again.
		var shown string
		run(t, b, "filtering", chromedp.SetValue("#log-level", "error"),
			chromedp.Evaluate(`document.getElementById("log-level").dispatchEvent(new Event("change")); document.getElementById("log").textContent`, &shown))
		if strings.Contains(shown, "live-line-42") {
			t.Fatalf("level filter error still shows a log line: %q", shown)
		}
		run(t, b, "unfiltering", chromedp.SetValue("#log-level", ""),
			chromedp.Evaluate(`document.getElementById("log-level").dispatchEvent(new Event("change")); document.getElementById("log").textContent`, &shown))
		if !strings.Contains(shown, "live-line-42") {
			t.Fatalf("the line is gone after clearing the filter: %q", shown)
		}
		screenshot(t, b, "logs")
	})

	t.Run("edit a row and read the change over REST; db values are text", func(t *testing.T) {
		evil := `<script>window.__xss="row"</script><img src=x onerror="window.__xss='img'">`
		row := s.restCall(t, "POST", "/1/classes/Note", fmt.Sprintf(`{"title":%q,"body":"中文内容","n":1}`, evil))
		id := row["objectId"].(string)
		s.restCall(t, "POST", "/1/classes/Note", `{"title":"second","body":"第二行","n":2}`)
		var cell, markup string
		run(t, b, "opening Note", chromedp.Navigate(c+"data#class=Note"),
			waitJS(`!!document.querySelector('#rows tr[data-id="`+id+`"]')`),
			chromedp.Evaluate(`Array.from(document.querySelectorAll('#rows tr[data-id="`+id+`"] td')).map(td => td.textContent).join("|")`, &cell),
			chromedp.Evaluate(`document.querySelectorAll("#rows script, #rows img").length + "/" + String(window.__xss)`, &markup))
		if !strings.Contains(cell, evil) || markup != "0/undefined" {
			t.Fatalf("the <script> row is not shown as text: cells %q, markup %s", cell, markup)
		}
		screenshot(t, b, "data")
		run(t, b, "editing the row", chromedp.Click(`#rows tr[data-id="`+id+`"] button.edit`), chromedp.WaitVisible("#editor-json"),
			chromedp.SetValue("#editor-json", `{"title":"edited in the console","body":"改过了","n":{"__op":"Increment","amount":41}}`),
			// The ACL editor: from "no ACL" to everyone may read, no one write.
			chromedp.Click("#acl-none"), chromedp.Click("#acl-add"),
			chromedp.SetValue("#acl tr:last-child input.who", "*"),
			chromedp.ScrollIntoView("#editor"))
		screenshot(t, b, "data-editor")
		run(t, b, "saving the row", chromedp.Click("#editor-save"),
			waitJS(`document.getElementById("rows").textContent.includes("edited in the console")`))
		got := s.restCall(t, "GET", "/1/classes/Note/"+id, "")
		if got["title"] != "edited in the console" || got["body"] != "改过了" || got["n"] != float64(42) {
			t.Fatalf("over REST after the edit: %v", got)
		}
		if acl, _ := json.Marshal(got["ACL"]); string(acl) != `{"*":{"read":true}}` {
			t.Fatalf("the ACL editor's ACL over REST: %s", acl)
		}
	})

	t.Run("users without passwords", func(t *testing.T) {
		user := s.restCall(t, "POST", "/1/users", `{"username":"小红","password":"secret-pw-1"}`)
		id := user["objectId"].(string)
		var table, columns string
		run(t, b, "opening _User", chromedp.Navigate(c+"data#class=_User"),
			waitJS(`!!document.querySelector('#rows tr[data-id="`+id+`"]')`), chromedp.Text("#rows", &table),
			chromedp.Evaluate(`Array.from(document.querySelectorAll("#rows th")).map(th => th.textContent).join(",")`, &columns))
		if !strings.Contains(table, "小红") || strings.Contains(columns, "password") || strings.Contains(table, "secret-pw-1") ||
			!strings.Contains(table, "Reset password") {
			t.Fatalf("the users table (columns %s): %q", columns, table)
		}
	})

	t.Run("pay a trade, replay its notify, see the second delivery", func(t *testing.T) {
		run(t, b, "paying", chromedp.Navigate(c+"payments"), chromedp.WaitVisible("#new-pay"),
			chromedp.SetValue(`#new-pay input[name=outTradeNo]`, "CONSOLE-1"),
			chromedp.SetValue(`#new-pay input[name=amount]`, "9.90"),
			chromedp.SetValue(`#new-pay input[name=notifyUrl]`, "https://cloud.example.com/app/payNotify"),
			chromedp.SetValue(`#new-pay select[name=provider]`, "alipay"),
			chromedp.Click(`#new-pay button[type=submit]`),
			waitJS(`Array.from(document.querySelectorAll("#notifies .delivery")).some(d => d.textContent.includes("CONSOLE-1") && d.textContent.includes("acknowledged"))`),
			chromedp.Click(`#notifies .delivery button.replay`),
			waitJS(`Array.from(document.querySelectorAll("#notifies .delivery")).some(d => d.dataset.replayOf && d.textContent.includes("acknowledged"))`))
		var n int
		run(t, b, "counting deliveries", chromedp.Evaluate(`document.querySelectorAll("#notifies .delivery").length`, &n))
		if n != 2 {
			t.Fatalf("%d deliveries shown, want the notify and its replay", n)
		}
		if got := len(s.emu.Sandbox.Deliveries()); got != 2 {
			t.Fatalf("the sandbox has %d deliveries", got)
		}
		var keys string
		run(t, b, "reading the keys to paste", chromedp.Evaluate(`document.getElementById("sandbox-keys").textContent`, &keys))
		if !strings.Contains(keys, "appId: '"+s.emu.SandboxKeys.Alipay.AppID+"'") || !strings.Contains(keys, s.emu.SandboxKeys.Wechat.MchID) {
			t.Fatalf("the keys to paste: %.300q", keys)
		}
		screenshot(t, b, "payments")
	})
}

func TestConsoleTasksPage(t *testing.T) {
	s := serve(t, "", false)
	b := browser(t, 1280, 800)
	var runs, overview string
	run(t, b, "running a task by hand", chromedp.Navigate(s.base+"/_console/tasks"),
		chromedp.WaitVisible(`#tasks tr[data-task="nightly"]`),
		chromedp.Click(`#tasks tr[data-task="nightly"] button.run`),
		waitJS(`!!document.getElementById("runs") && document.getElementById("runs").textContent.includes("ok")`),
		chromedp.Text("#runs", &runs))
	if !strings.Contains(runs, "yes") || !strings.Contains(runs, "200") {
		t.Fatalf("the run by hand in the history: %q", runs)
	}
	screenshot(t, b, "tasks")
	if got := s.emu.Tasks.Runs("nightly"); len(got) != 1 || !got[0].ByHand {
		t.Fatalf("the scheduler's runs: %+v", got)
	}
	run(t, b, "the overview's task line", chromedp.Navigate(s.base+"/_console/"), chromedp.Text("main", &overview))
	if !strings.Contains(overview, "nightly (0 0 3 * * * → hello)") {
		t.Fatalf("overview lacks the task: %q", overview)
	}
}

func TestConsoleAtPhoneWidth(t *testing.T) {
	s := serve(t, "", false)
	b := browser(t, 390, 844)
	for _, pg := range []string{"", "functions?name=hello", "logs", "data", "payments", "tasks"} {
		var wide string
		run(t, b, "opening "+pg, chromedp.Navigate(s.base+"/_console/"+pg), chromedp.WaitVisible("main"),
			chromedp.Evaluate(`Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 2 && !e.closest(".table-wrap")).map(e => e.tagName + "." + e.className).slice(0, 5).join(" ")`, &wide))
		if pg == "" {
			screenshot(t, b, "overview-phone")
		}
		if wide != "" {
			t.Errorf("/_console/%s is wider than 390 px: %s", pg, wide)
		}
	}
}

// TestConsoleOffLoopbackAsksForTheMasterKey answers the browser's login prompt
// (HTTP Basic, as a person would type it) with nothing, a wrong key, and the
// master key.
func TestConsoleOffLoopbackAsksForTheMasterKey(t *testing.T) {
	s := serve(t, "0.0.0.0:8080", false)
	b := browser(t, 1280, 800)
	// What the person types at the next prompt; nil cancels it. Each answer is
	// typed once: a prompt that comes back after a wrong key is cancelled.
	var typed atomic.Pointer[string]
	chromedp.ListenTarget(b, func(ev any) {
		switch e := ev.(type) {
		case *fetch.EventAuthRequired:
			answer := &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseCancelAuth}
			if key := typed.Swap(nil); key != nil {
				answer = &fetch.AuthChallengeResponse{Response: fetch.AuthChallengeResponseResponseProvideCredentials, Username: "admin", Password: *key}
			}
			go func() { _ = chromedp.Run(b, fetch.ContinueWithAuth(e.RequestID, answer)) }()
		case *fetch.EventRequestPaused:
			go func() { _ = chromedp.Run(b, fetch.ContinueRequest(e.RequestID)) }()
		}
	})
	run(t, b, "watching for the login prompt", fetch.Enable().WithHandleAuthRequests(true))

	var body string
	run(t, b, "cancelling the prompt", chromedp.Navigate(s.base+"/_console/"), chromedp.Text("body", &body))
	if !strings.Contains(body, "need the master key") || strings.Contains(body, s.emu.Keys.AppID) {
		t.Fatalf("without the key the console showed: %q", body)
	}
	wrong := "not-the-master-key"
	typed.Store(&wrong)
	var status int64
	run(t, b, "typing a wrong key", chromedp.ActionFunc(func(ctx context.Context) error {
		resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(s.base+"/_console/data"))
		if resp != nil {
			status = resp.Status
		}
		return err
	}), chromedp.Text("body", &body))
	if status != http.StatusUnauthorized || strings.Contains(body, s.emu.Keys.AppID) {
		t.Fatalf("with a wrong key: %d %q", status, body)
	}
	key := s.emu.Keys.MasterKey
	typed.Store(&key)
	var keys string
	run(t, b, "logging in with the master key", chromedp.Navigate(s.base+"/_console/"),
		chromedp.WaitVisible("table.keys"), chromedp.Text("table.keys", &keys))
	if !strings.Contains(keys, s.emu.Keys.AppID) {
		t.Fatalf("logged in, the overview shows: %q", keys)
	}
	screenshot(t, b, "login")
	// The live log and the JSON endpoints need the key too.
	for _, path := range []string{"/_console/events", "/_console/api/files", "/_console/api/rest/1/schemas"} {
		resp, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s without the key: %d", path, resp.StatusCode)
		}
	}
}
