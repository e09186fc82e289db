package runtime

import (
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

// The texts of the common errors are Node 16's wherever a script can read them:
// in a catch block, in a promise rejection handler, and in the 500 answer of an
// uncaught throw.
func TestErrorTextsAreNodes(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 10*time.Second)
	f := compile(t, e, "errs", `function onRequest(req, res) {
  var out = [];
  try { var a; a.x; } catch (e) { out.push(e.message); }
  try { var n = null; n.y; } catch (e) { out.push(e.message); }
  try { var o = {}; o.method(); } catch (e) { out.push(e.message); }
  try { var fn; fn(); } catch (e) { out.push(e.message); }
  try { var list = [{}]; list[0].go(); } catch (e) { out.push(e.message); }
  try { var b; b.z = 1; } catch (e) { out.push(e.message); }
  try { JSON.parse(undefined); } catch (e) { out.push(e.message); }
  try { JSON.parse('{"a":1 "b":2}'); } catch (e) { out.push(e.message); }
  try { missing; } catch (e) { out.push(e.message); }
  new Promise(function (r) { r(); }).then(function () { var u; return u.q; }).catch(function (e) {
    out.push(e.message);
    res.send(out.join('\n'));
  });
}`)
	resp := call(t, f, get())
	want := []string{
		"Cannot read properties of undefined (reading 'x')",
		"Cannot read properties of undefined (reading 'y')",
		"o.method is not a function",
		"fn is not a function",
		"list[0].go is not a function",
		"Cannot set properties of undefined (setting 'z')",
		"Unexpected token u in JSON at position 0",
		"Unexpected string in JSON at position 7",
		"missing is not defined",
		"Cannot read properties of undefined (reading 'q')",
	}
	if got := string(resp.Body); got != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

func TestUncaughtErrorTextAndStackHideTheEmulator(t *testing.T) {
	e, log := newEngine(t, modules.Compat, 10*time.Second)
	f := compile(t, e, "boom", "function onRequest(req, res) {\n  var user;\n  res.send(user.name);\n}")
	resp := call(t, f, get())
	if resp.Status != 500 || string(resp.Body) != "there is an error:TypeError: Cannot read properties of undefined (reading 'name') (boom.js:3:17)" {
		t.Fatalf("got %d %q", resp.Status, resp.Body)
	}
	text := log.text()
	if !strings.Contains(text, "    at onRequest (boom.js:3:17)") {
		t.Fatalf("the log's stack lacks the script frame in V8's layout:\n%s", text)
	}
	for _, internal := range []string{"internal/eventloop", "eventloop-trampoline", "(native)"} {
		if strings.Contains(text, internal) {
			t.Fatalf("the log's stack shows the emulator's frame %q:\n%s", internal, text)
		}
	}
}

func TestStackSeenByTheScriptHidesTheEmulator(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 10*time.Second)
	f := compile(t, e, "stack", "function onRequest(req, res) {\n  try { null.x } catch (e) { res.send(e.stack) }\n}")
	got := string(call(t, f, get()).Body)
	want := "TypeError: Cannot read properties of undefined (reading 'x')\n    at onRequest (stack.js:2:"
	if !strings.HasPrefix(got, want) || strings.Contains(got, "eventloop") || strings.Contains(got, "native") {
		t.Fatalf("stack %q, want it to start with %q and show no emulator frame", got, want)
	}
}

func TestRunawayLoopIsReportedAtTheLoop(t *testing.T) {
	e, log := newEngine(t, modules.Compat, 300*time.Millisecond)
	for name, src := range map[string]string{
		"spin":  "var started = true;\nfunction onRequest(req, res) {\n  var x = 1;\n  while (true) {}\n}",
		"spin2": "var started = true;\nfunction onRequest(req, res) {\n  var x = 1;\n  for (;;);\n}",
	} {
		f := compile(t, e, name, src)
		warm(t, f)
		if resp := call(t, f, get()); resp.Kind != fncall.TimedOut {
			t.Fatalf("%s: kind %v, want a timeout", name, resp.Kind)
		}
		if text := log.text(); !strings.Contains(text, "at onRequest ("+name+".js:4:") {
			t.Fatalf("%s: the timeout is not reported at the loop (line 4):\n%s", name, text)
		}
	}
}

func TestInstrumentAfterNonASCIIText(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 10*time.Second)
	f := compile(t, e, "zh", "var 提示 = '中文😀';\nfunction onRequest(req, res) {\n  try { var u; u.名字; } catch (错误) { res.send(提示 + ' ' + 错误.message) }\n}")
	if got := string(call(t, f, get()).Body); got != "中文😀 Cannot read properties of undefined (reading '名字')" {
		t.Fatalf("got %q", got)
	}
}

func TestInstrumentKeepsLinesAndSkipsScriptsWithoutCatchOrEmptyLoops(t *testing.T) {
	plain := "function onRequest(req, res) { while (busy()) { step() } res.send('x') }"
	plainTree, err := parseForTest(plain)
	if err != nil {
		t.Fatal(err)
	}
	if got := instrument(plainTree, plain); got != "" {
		t.Fatalf("a script without catch or empty loop was rewritten: %q", got)
	}
	src := "try {\n  f()\n} catch (err) {\n  g(err)\n}\nwhile (x) {}\n"
	tree, err := parseForTest(src)
	if err != nil {
		t.Fatal(err)
	}
	got := instrument(tree, src)
	want := "try {\n  f()\n} catch (err) {err=" + nodeErrorFunc + "(err);\n  g(err)\n}\nwhile (x) {undefined;}\n"
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func parseForTest(src string) (*ast.Program, error) {
	return goja.Parse("t.js", src, parser.WithDisableSourceMaps)
}
