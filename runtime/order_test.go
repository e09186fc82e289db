package runtime

import (
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/modules"
)

// A tick queued by a promise job runs before the next macrotask, as in Node
// (process.nextTick and promise jobs drain each other before setImmediate).
func TestTicksQueuedByPromiseJobsRunBeforeTheNextMacrotask(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 10*time.Second)
	f := compile(t, e, "order", `function onRequest(req, res) {
  var order = [];
  setImmediate(function () { order.push('immediate'); res.send(order.join(',')); });
  Promise.resolve().then(function () {
    order.push('promise');
    process.nextTick(function () { order.push('tick from promise'); Promise.resolve().then(function () { order.push('promise from that tick'); }); });
  });
}`)
	if got := string(call(t, f, get()).Body); got != "promise,tick from promise,promise from that tick,immediate" {
		t.Fatalf("order %q", got)
	}
}

// Timers return Timeout objects with Node's methods; clearTimeout takes them.
func TestTimersReturnTimeoutObjects(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 10*time.Second)
	f := compile(t, e, "timeout", `function onRequest(req, res) {
  var t = setTimeout(function () { res.send('cleared timer ran'); }, 5);
  clearTimeout(t);
  var u = setTimeout(function () { res.send([typeof t, typeof t.unref, t.unref() === t, t.hasRef(), +t > 0].join(',')); }, 10);
}`)
	if got := string(call(t, f, get()).Body); got != "object,function,true,false,true" {
		t.Fatalf("got %q", got)
	}
}
