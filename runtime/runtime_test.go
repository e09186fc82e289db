package runtime

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/nodeglobals"
)

type testLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *testLog) FunctionLog(fn, level, line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fn+" "+level+": "+line)
}

func (l *testLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// newEngine makes an engine with the test registry; with changes the test
// adjusts its options (a clock, say) before it is made.
func newEngine(t *testing.T, profile modules.Profile, timeout time.Duration, changes ...func(*Options)) (*Engine, *testLog) {
	t.Helper()
	reg := modules.NewRegistry()
	nodeglobals.Register(reg)
	reg.AddBmob("oEcho", func(vu modules.VU) (goja.Value, error) {
		o := vu.Runtime().NewObject()
		_ = o.Set("later", func(c goja.FunctionCall) goja.Value {
			cb, _ := goja.AssertFunction(c.Argument(1))
			val := c.Argument(0).Export()
			done := vu.RegisterCallback()
			go func() {
				time.Sleep(time.Millisecond)
				done(func() error { _, err := cb(goja.Undefined(), vu.Runtime().ToValue(val)); return err })
			}()
			return goja.Undefined()
		})
		_ = o.Set("note", func(goja.FunctionCall) goja.Value {
			vu.Note("used a test extension", "refuse")
			return goja.Undefined()
		})
		return o, nil
	})
	log := &testLog{}
	opts := Options{Registry: reg, Env: &modules.Env{Profile: profile}, Timeout: timeout, Log: log, PoolSize: 4}
	for _, change := range changes {
		change(&opts)
	}
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e, log
}

func compile(t *testing.T, e *Engine, name, src string) *Function {
	t.Helper()
	f, err := e.Compile(name, name+".js", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// warm makes f's VM before a call whose short deadline is the point of the
// test: the deadline then covers the call, not the VM's setup and top level,
// which a loaded machine can stretch past it (the call then fails as busy).
func warm(t *testing.T, f *Function) {
	t.Helper()
	if err := f.Warm(); err != nil {
		t.Fatal(err)
	}
}

func get(query ...fncall.Pair) *fncall.Request {
	return &fncall.Request{Method: http.MethodGet, URL: "/s/f", Path: "/s/f", Header: http.Header{}, Query: query}
}

func call(t *testing.T, f *Function, req *fncall.Request) *fncall.Response {
	t.Helper()
	resp, err := f.Invoke(context.Background(), req)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	return resp
}

func TestSendForms(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, time.Second)
	cases := []struct {
		name, body   string
		status       int
		contentType  string
		responseBody string
	}{
		{"object", `response.send({code: 200, msg: "好"})`, 200, "application/json; charset=utf-8", `{"code":200,"msg":"好"}`},
		{"string", `response.send("hi")`, 200, "text/html; charset=utf-8", "hi"},
		{"number alone is a status", `response.send(404)`, 404, "text/plain; charset=utf-8", "Not Found"},
		{"body then status", `response.send("gone", 410)`, 410, "text/html; charset=utf-8", "gone"},
		{"status then body", `response.send(201, {a: 1})`, 201, "application/json; charset=utf-8", `{"a":1}`},
		{"null", `response.send(null)`, 200, "", ""},
		{"boolean", `response.send(true)`, 200, "application/json; charset=utf-8", "true"},
		{"array", `response.send([1, "a"])`, 200, "application/json; charset=utf-8", `[1,"a"]`},
		{"end has no content type", `response.end("success")`, 200, "", "success"},
		{"status chain json", `response.status(400).json({e: 1})`, 400, "application/json; charset=utf-8", `{"e":1}`},
		{"set adds charset", `response.set("Content-Type", "text/xml"); response.send("<a/>")`, 200, "text/xml; charset=utf-8", "<a/>"},
		{"setHeader is raw", `response.setHeader("Content-Type", "text/xml"); response.end("<a/>")`, 200, "text/xml", "<a/>"},
		{"writeHead and write", `response.writeHead(202, {"X-A": "1"}); response.write("a"); response.end("b")`, 202, "", "ab"},
		{"buffer", `response.send(Buffer.from("hi"))`, 200, "application/octet-stream", "hi"},
		{"sendStatus", `response.sendStatus(403)`, 403, "text/plain; charset=utf-8", "Forbidden"},
		{"statusCode property", `response.statusCode = 418; response.end("x")`, 418, "", "x"},
		{"redirect", `response.redirect("/x")`, 302, "text/plain; charset=utf-8", "Found. Redirecting to /x"},
		{"send an error object as Bmob's arg error", `var e = {error: new Error("x"), code: 60001}; response.send(e)`, 200, "application/json; charset=utf-8", `{"error":{},"code":60001}`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := compile(t, e, fmt.Sprintf("send%d", i), "function onRequest(request, response, modules) {"+tc.body+"}")
			r := call(t, f, get())
			if r.Status != tc.status || r.Header.Get("Content-Type") != tc.contentType || string(r.Body) != tc.responseBody {
				t.Fatalf("got %d %q %q, want %d %q %q", r.Status, r.Header.Get("Content-Type"), r.Body, tc.status, tc.contentType, tc.responseBody)
			}
			if r.Kind != fncall.Sent {
				t.Fatalf("kind %v", r.Kind)
			}
		})
	}
}

func TestEndRejectsNumbersLikeNode(t *testing.T) {
	e, log := newEngine(t, modules.Compat, time.Second)
	f := compile(t, e, "endnum", `function onRequest(req, res) { res.end(5) }`)
	r := call(t, f, get())
	if r.Status != 500 || !strings.Contains(string(r.Body), `The "chunk" argument must be of type string`) {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
	if !strings.Contains(log.text(), "ERR_INVALID_ARG_TYPE") && !strings.Contains(log.text(), "chunk") {
		t.Fatalf("log lacks the error: %s", log.text())
	}
}

func TestFirstResponseWins(t *testing.T) {
	e, log := newEngine(t, modules.Compat, time.Second)
	f := compile(t, e, "twice", `function onRequest(req, res) {
		res.send("first");
		res.send("second");
		setTimeout(function () { res.end("third"); }, 5);
	}`)
	r := call(t, f, get())
	if string(r.Body) != "first" {
		t.Fatalf("body %q", r.Body)
	}
	deadline := time.Now().Add(30 * time.Second) // generous: only a missing line waits this long
	for !strings.Contains(log.text(), "response.end at twice.js:4") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(log.text(), "response.send at twice.js:3") || !strings.Contains(log.text(), "response.end at twice.js:4") {
		t.Fatalf("later responses not logged with their call sites:\n%s", log.text())
	}
}

func TestThrowAnswers500WithFileAndLine(t *testing.T) {
	e, log := newEngine(t, modules.Compat, time.Second)
	f := compile(t, e, "boom", "function onRequest(req, res) {\n  var x = null;\n  x.y = 1;\n}")
	r := call(t, f, get())
	if r.Status != 500 || r.Kind != fncall.Threw || !strings.HasPrefix(string(r.Body), "there is an error:TypeError") || !strings.Contains(string(r.Body), "boom.js:3") {
		t.Fatalf("got %d %q", r.Status, r.Body)
	}
	if !strings.Contains(log.text(), "boom.js:3") {
		t.Fatalf("log lacks file:line: %s", log.text())
	}
	// A throw inside a callback is caught the same way.
	f2 := compile(t, e, "boomlater", `function onRequest(req, res, modules) {
		modules.oEcho.later(1, function () { throw new Error("late"); });
	}`)
	r = call(t, f2, get())
	if r.Status != 500 || !strings.Contains(string(r.Body), "Error: late") {
		t.Fatalf("got %d %q", r.Status, r.Body)
	}
}

func TestInfiniteLoopIsInterruptedAndOthersStillAnswer(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 200*time.Millisecond)
	loop := compile(t, e, "spin", `function onRequest(req, res) { while (true) {} }`)
	ok := compile(t, e, "ok", `function onRequest(req, res) { res.send({ok: true}) }`)
	warm(t, loop)
	warm(t, ok)
	done := make(chan *fncall.Response, 1)
	go func() { done <- call(t, loop, get()) }()
	time.Sleep(20 * time.Millisecond)
	if r := call(t, ok, get()); string(r.Body) != `{"ok":true}` {
		t.Fatalf("other function blocked: %s", r.Body)
	}
	r := <-done
	if r.Kind != fncall.TimedOut || r.Status != http.StatusGatewayTimeout {
		t.Fatalf("got %v %d %s", r.Kind, r.Status, r.Body)
	}
	// The pool recovers: the next call gets a fresh VM and times out again cleanly.
	warm(t, loop)
	if r := call(t, loop, get()); r.Kind != fncall.TimedOut {
		t.Fatalf("second call: %v", r.Kind)
	}
}

func TestNeverRespondsAndPendingTimer(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 150*time.Millisecond)
	idle := compile(t, e, "idle", `function onRequest(req, res) { var x = 1; }`)
	warm(t, idle)
	r := call(t, idle, get())
	if r.Kind != fncall.NoResponse || r.Status != 500 || !strings.Contains(string(r.Body), "finished without calling response.send") {
		t.Fatalf("got %v %d %s", r.Kind, r.Status, r.Body)
	}
	waiting := compile(t, e, "waiting", `function onRequest(req, res) { setInterval(function () {}, 10); }`)
	warm(t, waiting)
	start := time.Now()
	r = call(t, waiting, get())
	if r.Kind != fncall.TimedOut || time.Since(start) < 100*time.Millisecond {
		t.Fatalf("got %v after %s", r.Kind, time.Since(start))
	}
}

func TestCallbacksRunAfterTheTurnInNodeOrder(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, time.Second)
	f := compile(t, e, "order", `function onRequest(req, res, modules) {
		var order = [];
		modules.oEcho.later("cb", function (v) { order.push(v); res.send(order); });
		Promise.resolve().then(function () { order.push("promise"); });
		process.nextTick(function () { order.push("tick"); });
		setImmediate(function () { order.push("immediate"); });
		order.push("sync");
	}`)
	r := call(t, f, get())
	if string(r.Body) != `["sync","tick","promise","immediate","cb"]` {
		t.Fatalf("order %s", r.Body)
	}
}

func TestOnRequestAsExportAndModuleState(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, time.Second)
	e.opts.PoolSize = 1 // one VM: the second call must reuse it
	f := compile(t, e, "exported", `var calls = 0;
	exports.exported = function (req, res) { calls++; res.send({calls: calls}); };`)
	call(t, f, get())
	r := call(t, f, get())
	if string(r.Body) != `{"calls":2}` { // module state persists per VM, as a Node module does
		t.Fatalf("got %s", r.Body)
	}
	none := compile(t, e, "none", `var x = 1;`)
	r = call(t, none, get())
	if r.Status != 500 || r.Kind != fncall.Unavailable || !strings.Contains(string(r.Body), "defines no function onRequest") {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
}

func TestCompileErrorIsReported(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, time.Second)
	_, err := e.Compile("bad", "bad.js", []byte("function onRequest(req, res) { res.send( }"))
	if err == nil || !strings.Contains(err.Error(), "SyntaxError") || !strings.Contains(err.Error(), "bad.js") {
		t.Fatalf("err = %v", err)
	}
}

func TestRequestObject(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, time.Second)
	f := compile(t, e, "req", `function onRequest(request, response, modules) {
		response.send({m: request.method, q: request.query, b: request.body, h: request.headers["x-token"],
			g: request.get("X-Token"), t: modules.oHttptype, ip: request.ip, p: request.params});
	}`)
	h := http.Header{}
	h.Set("X-Token", "abc")
	req := &fncall.Request{Method: "POST", URL: "/s/req?a=1&a=2&b=x", Path: "/s/req", Header: h, IP: "10.0.0.1",
		Query:  []fncall.Pair{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}, {Key: "b", Value: "x"}},
		Body:   fncall.Body{Kind: fncall.BodyJSON, Raw: []byte(`{"z":1,"a":{"n":[1,2]}}`)},
		Params: map[string]string{"functions": "req"}}
	r := call(t, f, req)
	want := `{"m":"POST","q":{"a":["1","2"],"b":"x"},"b":{"z":1,"a":{"n":[1,2]}},"h":"abc","g":"abc","t":"post","ip":"10.0.0.1","p":{"functions":"req"}}`
	if string(r.Body) != want {
		t.Fatalf("got  %s\nwant %s", r.Body, want)
	}
}

func TestUnavailableModuleAndRequire(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, time.Second)
	f := compile(t, e, "unavail", `function onRequest(req, res, modules) {
		var relation = modules.oRelation; // destructuring or reading is fine
		var out = {};
		try { relation.add({}); } catch (e) { out.bmob = e.message; }
		try { require("left-pad"); } catch (e) { out.req = e.message; out.code = e.code; }
		res.send(out);
	}`)
	r := call(t, f, get())
	body := string(r.Body)
	if !strings.Contains(body, "modules.oRelation is not available in bmobemu") || !strings.Contains(body, `Cannot find module 'left-pad'`) || !strings.Contains(body, "npm install --prefix") || !strings.Contains(body, "MODULE_NOT_FOUND") {
		t.Fatalf("got %s", body)
	}
}

func TestFidelityNoteOncePerCallSite(t *testing.T) {
	e, log := newEngine(t, modules.Compat, time.Second)
	f := compile(t, e, "notes", "function onRequest(req, res, modules) {\n  modules.oEcho.note();\n  modules.oEcho.note();\n  res.end('x');\n}")
	call(t, f, get())
	call(t, f, get())
	text := log.text()
	if strings.Count(text, "fidelity note at notes.js:2") != 1 || strings.Count(text, "fidelity note at notes.js:3") != 1 {
		t.Fatalf("notes not once per call site:\n%s", text)
	}
}

func TestDatesAreBeijingTime(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, time.Second)
	f := compile(t, e, "date", `function onRequest(req, res) { var d = new Date(Date.UTC(2024, 2, 5, 1, 2, 3)); res.send({h: d.getHours(), off: d.getTimezoneOffset()}); }`)
	if r := call(t, f, get()); string(r.Body) != `{"h":9,"off":-480}` {
		t.Fatalf("got %s", r.Body)
	}
}

func TestPoolQueuesUnderDeadline(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 2*time.Second)
	f := compile(t, e, "slow", `function onRequest(req, res) { setTimeout(function () { res.send("ok"); }, 30); }`)
	var wg sync.WaitGroup
	errs := make(chan string, 20)
	for i := 0; i < 20; i++ { // pool size is 4: the rest wait their turn
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := f.Invoke(context.Background(), get())
			if err != nil || string(r.Body) != "ok" {
				errs <- fmt.Sprint(err, r)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func TestNoSpuriousLogAfterAResponse(t *testing.T) {
	e, log := newEngine(t, modules.Compat, time.Second)
	f := compile(t, e, "quiet", `function onRequest(req, res) { res.send({code: 200}); }`)
	for i := 0; i < 3; i++ {
		call(t, f, get())
	}
	// The VM finishes its loop after the answer, and could log then: wait until
	// every call is settled (the script sets no timers, so a settled call has
	// nothing left to run); a 20 ms sleep could end before a loaded machine
	// got there, and miss a late line.
	deadline := time.Now().Add(30 * time.Second)
	for !f.Settled() {
		if time.Now().After(deadline) {
			t.Fatal("the calls never settled")
		}
		time.Sleep(time.Millisecond)
	}
	if text := log.text(); text != "" {
		t.Fatalf("a call that answered logged:\n%s", text)
	}
}

func TestGoPanicInAModuleFailsTheCallNotTheProcess(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, time.Second)
	e.opts.Registry.AddBmob("oBroken", func(vu modules.VU) (goja.Value, error) {
		o := vu.Runtime().NewObject()
		_ = o.Set("crash", func(goja.FunctionCall) goja.Value {
			var m map[string]int
			m["x"] = 1 // a nil-map write: a Go runtime panic, not a JS exception
			return goja.Undefined()
		})
		return o, nil
	})
	f := compile(t, e, "crash", `function onRequest(req, res, modules) { modules.oBroken.crash(); res.end("unreachable"); }`)
	r := call(t, f, get())
	if r.Status != 500 || !strings.Contains(string(r.Body), "there is an error") {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
	ok := compile(t, e, "fine", `function onRequest(req, res) { res.end("ok") }`)
	if r := call(t, ok, get()); string(r.Body) != "ok" {
		t.Fatalf("engine unusable after a panic: %s", r.Body)
	}
}
