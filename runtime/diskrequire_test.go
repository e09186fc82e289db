package runtime

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func compileFile(t *testing.T, e *Engine, path string) *Function {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.Compile(strings.TrimSuffix(filepath.Base(path), ".js"), path, src)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestRequireFromDisk: relative .js/.json files resolve from the requiring
// file's folder, packages from node_modules above it (package.json main, a
// package requiring its own files and another package), as in Node.
func TestRequireFromDisk(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"functions/calc.js": `var util = require("./lib/util");
var same = require("./lib/util.js");
var pad = require("leftpad");
function onRequest(request, response, modules) {
	response.send({sum: util.sum(2, 3), name: util.config.name, same: util === same, padded: pad("7", 3), kind: pad.kind});
}`,
		"functions/lib/util.js":              `exports.sum = function (a, b) { return a + b; }; exports.config = require("../config.json");`,
		"functions/config.json":              `{"name": "ada"}`,
		"node_modules/leftpad/package.json":  `{"name": "leftpad", "main": "src/main.js"}`,
		"node_modules/leftpad/src/main.js":   `var repeat = require("./repeat"); module.exports = function (s, n) { return repeat("0", n - s.length) + s; }; module.exports.kind = require("kinds").kind;`,
		"node_modules/leftpad/src/repeat.js": `module.exports = function (c, n) { var out = ""; while (n-- > 0) out += c; return out; };`,
		"node_modules/kinds/index.js":        `exports.kind = "from node_modules";`,
	})
	e, _ := newEngine(t, modules.Compat, 5*time.Second)
	f := compileFile(t, e, filepath.Join(root, "functions", "calc.js"))
	r := call(t, f, get())
	if want := `{"sum":5,"name":"ada","same":true,"padded":"007","kind":"from node_modules"}`; r.Status != http.StatusOK || string(r.Body) != want {
		t.Fatalf("got %d %s, want %s", r.Status, r.Body, want)
	}
}

// TestRequireMissingPackageNamesTheCommand: a package that is neither built in
// nor installed fails with MODULE_NOT_FOUND and the npm command that installs
// it beside the functions; a missing relative file says where it looked.
func TestRequireMissingPackageNamesTheCommand(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"functions/needsAsync.js": `function onRequest(request, response, modules) {
	try { require("async"); } catch (e) { response.send({code: e.code, message: e.message}); return; }
	response.send("loaded");
}`,
		"functions/needsFile.js": `function onRequest(request, response, modules) {
	try { require("./nothere"); } catch (e) { response.send({code: e.code, message: e.message}); return; }
	response.send("loaded");
}`,
	})
	e, _ := newEngine(t, modules.Compat, 5*time.Second)
	dir := filepath.Join(root, "functions")
	r := call(t, compileFile(t, e, filepath.Join(dir, "needsAsync.js")), get())
	body := string(r.Body)
	if !strings.Contains(body, `"code":"MODULE_NOT_FOUND"`) || !strings.Contains(body, "Cannot find module 'async'") ||
		!strings.Contains(body, "npm install --prefix "+dir+" async") {
		t.Errorf("missing package: %s", body)
	}
	r = call(t, compileFile(t, e, filepath.Join(dir, "needsFile.js")), get())
	if body := string(r.Body); !strings.Contains(body, `"code":"MODULE_NOT_FOUND"`) || !strings.Contains(body, "Cannot find module './nothere' (looked in "+dir+")") {
		t.Errorf("missing file: %s", body)
	}
}

// TestLocalDebuggerTrailer: a script ending with bmobcloud-local's trailer
// loads and serves, with AppConfig.json absent, in both profiles; the trailer's
// calls only log fidelity notes.
func TestLocalDebuggerTrailer(t *testing.T) {
	for _, profile := range []modules.Profile{modules.Compat, modules.Bmob} {
		t.Run(string(profile), func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, map[string]string{"cloud/hello.js": `function onRequest(request, response, modules) {
	response.end("hello " + (request.body && request.body.name));
}
exports.hello = onRequest;
var tool = require("bmobcloud-local");
var options = require("../AppConfig.json");
tool.initialize(options.app_key, options.rest_key);
tool.test(onRequest, {"name": "Bmob"});
`})
			e, log := newEngine(t, profile, 5*time.Second)
			f := compileFile(t, e, filepath.Join(root, "cloud", "hello.js"))
			r := call(t, f, &fncall.Request{Method: http.MethodPost, URL: "/s/hello", Path: "/s/hello", Header: http.Header{}, Body: fncall.Body{Kind: fncall.BodyJSON, Raw: []byte(`{"name":"ada"}`)}})
			if r.Status != 200 || string(r.Body) != "hello ada" {
				t.Fatalf("got %d %s", r.Status, r.Body)
			}
			lines := log.text()
			for _, want := range []string{"hello.js:6:", "AppConfig.json, which does not exist, gives {}", "hello.js:7:", "tool.initialize does nothing here", "hello.js:8:", "tool.test does nothing here"} {
				if !strings.Contains(lines, want) {
					t.Errorf("log lacks %q:\n%s", want, lines)
				}
			}
		})
	}
}
