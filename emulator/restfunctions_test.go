package emulator

import (
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/modules"
)

// A script's oBatch reaches /1/functions like any route, and a function that
// calls itself that way is stopped by the run depth, as oFunctions.run is,
// instead of hanging the server.
func TestBatchElementRunsAFunction(t *testing.T) {
	emu := openWith(t, modules.Bmob, map[string]string{
		"hello.js": `function onRequest(request, response) { response.send("hello " + request.body.who) }`,
		"viaBatch.js": `function onRequest(request, response, modules) {
			modules.oBatch.exec({data: {requests: [{method: "POST", path: "/1/functions/hello", body: {who: "batch"}}]}},
				function (err, data) { response.end(data); });
		}`,
		"loop.js": `function onRequest(request, response, modules) {
			modules.oBatch.exec({data: {requests: [{method: "POST", path: "/1/functions/loop", body: {}}]}},
				function (err, data) { response.end(data); });
		}`,
	})
	if _, body := call(t, emu, "viaBatch"); body != `[{"success":{"result":"hello batch"}}]` {
		t.Fatalf("viaBatch: %s", body)
	}
	start := time.Now()
	_, body := call(t, emu, "loop")
	// The innermost answer, escaped once per level: Bmob's 310 naming the run depth.
	if !strings.Contains(body, `310,`) || !strings.Contains(body, "functions deep, the limit set by --run-depth") {
		t.Fatalf("loop: %s", body)
	}
	t.Logf("the loop ended in %v", time.Since(start))
}
