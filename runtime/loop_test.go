package runtime

import (
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

// A long queueMicrotask chain finishes, as in Node (issue 11, item 2): the
// callbacks run flat from the job queue. The old wrapper nested a job-queue drain
// in every callback, so the Go stack grew with the chain (2.4 GB for a million
// links); with the stack capped at 64 MB, 200,000 links would die of it here.
func TestQueueMicrotaskChainFinishes(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	e, _ := newEngine(t, modules.Compat, 60*time.Second)
	f := compile(t, e, "chain", microtaskChainSrc)
	r := call(t, f, get(fncall.Pair{Key: "n", Value: "200000"}))
	if r.Status != 200 || string(r.Body) != "done 200000" {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
}

const microtaskChainSrc = `function onRequest(request, response) {
	var n = Number(request.query.n);
	function next(i) { if (i < n) queueMicrotask(function () { next(i + 1); }); else response.send('done ' + i); }
	next(0);
}`

func TestQueueMicrotaskNodeSemantics(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 2*time.Second)
	order := compile(t, e, "mtorder", `function onRequest(req, res) {
		var order = [];
		queueMicrotask(function () { order.push("m1"); });
		Promise.resolve().then(function () { order.push("p"); });
		process.nextTick(function () { order.push("tick"); });
		queueMicrotask(function () { order.push("m2"); queueMicrotask(function () { order.push("m3"); }); });
		setImmediate(function () { res.send(order); });
		order.push("sync");
	}`)
	if r := call(t, order, get()); string(r.Body) != `["sync","tick","m1","p","m2","m3"]` {
		t.Fatalf("order %s", r.Body)
	}
	// Node: an exception in a microtask is uncaught; here it ends the call with a 500.
	throws := compile(t, e, "mtthrow", `function onRequest(req, res) {
		queueMicrotask(function () { throw new Error("boom in a microtask"); });
		setTimeout(function () { res.send("not reached"); }, 50);
	}`)
	if r := call(t, throws, get()); r.Status != 500 || r.Kind != fncall.Threw || !strings.Contains(string(r.Body), "boom in a microtask") {
		t.Fatalf("throwing microtask: %d %v %s", r.Status, r.Kind, r.Body)
	}
	bad := compile(t, e, "mtbad", `function onRequest(req, res) {
		try { queueMicrotask(5); } catch (e) { res.send(e.name + " " + e.code + ": " + e.message); }
	}`)
	if r := call(t, bad, get()); string(r.Body) != `TypeError ERR_INVALID_ARG_TYPE: The "callback" argument must be of type function. Received type number (5)` {
		t.Fatalf("invalid callback: %s", r.Body)
	}
	// An endless chain is stopped at the deadline like any endless loop.
	short, _ := newEngine(t, modules.Compat, 200*time.Millisecond)
	endless := compile(t, short, "mtendless", `function onRequest(req, res) { (function f() { queueMicrotask(f); })(); }`)
	warm(t, endless)
	if r := call(t, endless, get()); r.Kind != fncall.TimedOut {
		t.Fatalf("endless chain: %v %d %s", r.Kind, r.Status, r.Body)
	}
}

// Clearing timers is not a scan of every timer (issue 11, item 10): here the
// 100,000 timers must all be cleared and none run; speed is measured by
// BenchmarkClearTimeouts, never here. The clock is frozen and steps to the
// last timer, so the call is only its CPU work; the deadline is generous, as
// that work took 23 s of the former 30 s deadline at load 16 on two cores.
func TestClearTimeoutOfManyTimers(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 5*time.Minute, func(o *Options) {
		o.Clock = clock.NewFake(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	})
	f := compile(t, e, "clears", clearTimersSrc)
	r := call(t, f, get(fncall.Pair{Key: "n", Value: "100000"}))
	if string(r.Body) != "cleared 100000, ran 0" {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
}

const clearTimersSrc = `function onRequest(request, response) {
	var n = Number(request.query.n), ids = [], ran = 0;
	for (var i = 0; i < n; i++) ids.push(setTimeout(function () { ran++; }, 1000 + i % 500));
	for (var j = n - 1; j >= 0; j--) clearTimeout(ids[j]);
	setTimeout(function () { response.send("cleared " + n + ", ran " + ran); }, 1600);
}`

func TestTimersRunInDueOrderAndClearsHold(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 5*time.Second)
	f := compile(t, e, "timerorder", `function onRequest(req, res) {
		var order = [], ticks = 0;
		setTimeout(function () { order.push("b30"); }, 30);
		setTimeout(function () { order.push("a10"); clearTimeout(c10); }, 10);
		var c10 = setTimeout(function () { order.push("c10 (cleared while due)"); }, 10);
		setTimeout(function () { order.push("d10"); }, 10);
		var iv = setInterval(function () { order.push("iv" + (++ticks)); if (ticks === 3) clearInterval(iv); }, 5);
		setTimeout(function () { res.send(order.filter(function (x) { return x.charAt(0) !== "i"; }).concat(["ticks " + ticks])); }, 80);
	}`)
	if r := call(t, f, get()); string(r.Body) != `["a10","d10","b30","ticks 3"]` {
		t.Fatalf("got %s", r.Body)
	}
}
