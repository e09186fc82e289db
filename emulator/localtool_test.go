package emulator

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/modules"
)

// TestLocalDebuggerScriptServes: a function laid out as Bmob's old local
// debugger wanted it (cloud/<name>.js exporting onRequest, ending with the
// bmobcloud-local trailer, no AppConfig.json anywhere) loads and serves over
// HTTP unchanged, and its modules.oAsync names the npm command when async is
// not installed.
func TestLocalDebuggerScriptServes(t *testing.T) {
	for _, profile := range []modules.Profile{modules.Compat, modules.Bmob} {
		t.Run(string(profile), func(t *testing.T) {
			root := t.TempDir()
			cloud := filepath.Join(root, "cloud")
			if err := os.Mkdir(cloud, 0o755); err != nil {
				t.Fatal(err)
			}
			write(t, cloud, "first.js", `function onRequest(request, response, modules) {
	var async;
	try { async = modules.oAsync; } catch (e) { async = e.message; }
	response.end("hello " + request.query.name + " | " + async);
}
exports.first = onRequest;

var tool = require("bmobcloud-local");
var options = require("../AppConfig.json");
tool.initialize(options.app_key, options.rest_key);
tool.test(onRequest, {"name": "Bmob后端云"});
`)
			emu, base := serveOnLoopback(t, Config{FunctionsDirs: []string{cloud}, DBPath: filepath.Join(t.TempDir(), "d.db"),
				Profile: profile, Timeout: 5 * time.Second})
			if errs := emu.Functions.Errors(); len(errs) > 0 {
				t.Fatalf("did not load: %v", errs)
			}
			resp, err := http.Get(base + "/" + emu.Secret + "/first?name=ada")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "hello ada | ") ||
				!strings.Contains(string(body), "Cannot find module 'async'") || !strings.Contains(string(body), "npm install --prefix "+cloud+" async") {
				t.Fatalf("got %d %s", resp.StatusCode, body)
			}
		})
	}
}
