package runtime

import (
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

// TestEndTakesObjectsOnlyInHookCalls: Bmob's data hooks answer with
// response.end({"msg":"ok"}); a hook call (Request.EndTakesObjects) sends the
// object as JSON, any other call throws as Node does.
func TestEndTakesObjectsOnlyInHookCalls(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, time.Second)
	f := compile(t, e, "hookend", `function onRequest(req, res) { res.end({msg: "禁止操作", n: [1]}) }`)
	hookReq := get()
	hookReq.EndTakesObjects = true
	if r := call(t, f, hookReq); r.Status != 200 || r.Kind != fncall.Sent || string(r.Body) != `{"msg":"禁止操作","n":[1]}` {
		t.Fatalf("hook call: %d %v %s", r.Status, r.Kind, r.Body)
	}
	if r := call(t, f, get()); r.Status != 500 || !strings.Contains(string(r.Body), `The "chunk" argument must be of type string`) {
		t.Fatalf("plain call: %d %s", r.Status, r.Body)
	}
	cyclic := compile(t, e, "hookcycle", `function onRequest(req, res) { var o = {}; o.o = o; res.end(o) }`)
	if r := call(t, cyclic, hookReq); r.Status != 500 || !strings.Contains(string(r.Body), "TypeError") {
		t.Fatalf("cyclic object: %d %s", r.Status, r.Body)
	}
}
