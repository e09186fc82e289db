// Package hydrogen runs the real Bmob JavaScript SDK (hydrogen-js-sdk from npm,
// Node mode) against a bmobemu started on 127.0.0.1: testdata/run.js saves,
// queries with conditions, updates, deletes, runs statistics, uploads and
// destroys files, signs up, logs in and runs cloud functions (one using the
// npm package async from node_modules beside the functions) with the keys
// bmobemu makes, then calls the services bmobemu emulates offline (SMS codes,
// mobile, third-party and weapp logins, password reset by SMS, the WeChat
// mini-program helpers, refunds), each step checked end to end.
package hydrogen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/store"
)

const hello = `function onRequest(request, response, modules) {
	var b = request.body;
	response.send({hello: b.name, n: b.n, nType: typeof b.n, flags: b.flags, e: b._e});
}`

// asyncFlow uses the npm package async as Bmob's docs do, loaded from the
// node_modules folder beside the functions (testdata's, pinned by its lock file).
const asyncFlow = `var async = require("async");
function onRequest(request, response, modules) {
	var order = [];
	async.series([
		function (cb) { setTimeout(function () { order.push("a"); cb(null, 1); }, 5); },
		function (cb) { order.push("b"); cb(null, 2); }
	], function (err, series) {
		async.waterfall([
			function (cb) { cb(null, 3); },
			function (n, cb) { cb(null, n * 2); }
		], function (err, waterfall) {
			async.parallel({
				x: function (cb) { setTimeout(function () { cb(null, "x"); }, 1); },
				y: function (cb) { cb(null, "y"); }
			}, function (err, parallel) {
				response.send({series: series, waterfall: waterfall, parallel: parallel, order: order, oAsync: modules.oAsync === async});
			});
		});
	});
}`

// sdkReady finds node and npm and installs the pinned SDK if it is missing.
func sdkReady(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the hydrogen-js-sdk interop test needs Node and npm")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm is not installed: the hydrogen-js-sdk interop test needs Node and npm")
	}
	if _, err := os.Stat(filepath.Join("testdata", "node_modules", "hydrogen-js-sdk", "package.json")); err != nil {
		t.Log("installing hydrogen-js-sdk with npm ci in interop/hydrogen/testdata")
		cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = "testdata"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}
	return node
}

func TestHydrogenSDK(t *testing.T) {
	node := sdkReady(t)
	dir := t.TempDir()
	fnDir := filepath.Join(dir, "functions")
	if err := os.Mkdir(fnDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fnDir, "interopHello.js"), []byte(hello), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fnDir, "interopAsync.js"), []byte(asyncFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	modulesDir, err := filepath.Abs(filepath.Join("testdata", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(modulesDir, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.Open(emulator.Config{FunctionsDirs: []string{fnDir}, DBPath: filepath.Join(dir, "interop.db"), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = emu.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	env := append(os.Environ(), "BMOB_URL="+base, "BMOB_SECRET_KEY="+emu.Keys.SecretKey, "BMOB_SECURITY_CODE="+emu.Keys.SecurityCode,
		"BMOB_APP_ID="+emu.Keys.AppID, "BMOB_MASTER_KEY="+emu.Keys.MasterKey)
	required := []string{"save", "query with conditions", "update", "delete", "cloud function", "sign up", "log in", "log in with a wrong password",
		"statistics", "file upload", "file destroy", "file destroy many", "require async",
		"requestSmsCode", "verifySmsCode", "signOrLoginByMobilePhone", "resetPasswordBySmsCode", "linkWith", "weapp login",
		"generateCode", "getAccessToken", "checkMsg", "notifyMsg", "refund"}
	runCtx, stop := context.WithTimeout(context.Background(), 60*time.Second)
	defer stop()
	cmd := exec.CommandContext(runCtx, node, "run.js")
	cmd.Dir = "testdata"
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	steps := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var s struct {
			Step string `json:"step"`
			OK   bool   `json:"ok"`
		}
		if json.Unmarshal(sc.Bytes(), &s) == nil && s.Step != "" {
			steps[s.Step] = s.OK
			if !s.OK {
				t.Errorf("step failed: %s", sc.Text())
			}
		}
	}
	if runErr != nil {
		t.Fatalf("node run.js: %v\nstdout:\n%s\nstderr:\n%s", runErr, out, stderr.String())
	}
	for _, want := range required {
		if !steps[want] {
			t.Errorf("step %q did not run or failed; output:\n%s", want, out)
		}
	}
	// The store holds what the SDK left: the cup, not the deleted pen.
	res, err := emu.Store.Find(context.Background(), "InteropItem", store.Query{Limit: -1})
	if err != nil || len(res.Results) != 1 || res.Results[0]["name"] != "cup" {
		t.Fatalf("stored rows: %v %v", res.Results, err)
	}
}

// hasUserRoutes asks whether the REST API signs users up (an empty signup gets
// a Bmob error, not a 404 "no route").
