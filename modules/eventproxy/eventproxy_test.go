package eventproxy

import (
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules/modulestest"
)

// run loads oEvent (an instance) and EventProxy (the constructor), runs src and
// returns JSON.stringify(out), the global the script fills in.
func run(t *testing.T, src string) string {
	t.Helper()
	vu := modulestest.New(t, nil)
	vu.Load(t, "oEvent", New)
	vu.Load(t, "EventProxy", Constructor)
	vu.MustRun(t, "var out = [];\n"+src)
	return vu.JSON(vu.Global("out"))
}

func TestEventProxy(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"on emit with several args", `oEvent.on('a', function (x, y) { out.push(x, y) }); oEvent.emit('a', 1, 2); oEvent.emit('a', 3)`, `[1,2,3,null]`},
		{"aliases bind trigger fire", `oEvent.bind('a', function (x) { out.push(x) }); oEvent.addListener('a', function (x) { out.push(-x) }); oEvent.trigger('a', 1); oEvent.fire('a', 2)`, `[1,-1,2,-2]`},
		{"this is the proxy", `oEvent.on('a', function () { out.push(this === oEvent) }); oEvent.emit('a')`, `[true]`},
		{"removeListener one", `function f(x) { out.push('f' + x) } function g(x) { out.push('g' + x) }
			oEvent.on('a', f); oEvent.on('a', g); oEvent.emit('a', 1); oEvent.removeListener('a', f); oEvent.emit('a', 2)`, `["f1","g1","g2"]`},
		{"unbind event", `oEvent.on('a', function () { out.push('a') }); oEvent.on('b', function () { out.push('b') }); oEvent.unbind('a'); oEvent.emit('a'); oEvent.emit('b')`, `["b"]`},
		{"removeAllListeners", `oEvent.on('a', function () { out.push('a') }); oEvent.on('b', function () { out.push('b') }); oEvent.removeAllListeners(); oEvent.emit('a'); oEvent.emit('b'); out.push('end')`, `["end"]`},
		{"once", `oEvent.once('a', function (x) { out.push(x) }); oEvent.emit('a', 1); oEvent.emit('a', 2)`, `[1]`},
		{"immediate", `oEvent.immediate('a', function (x) { out.push(x) }, 'now'); oEvent.emit('a', 'again')`, `["now","again"]`},
		{"all in any emit order", `oEvent.all('a', 'b', function (a, b) { out.push(a, b) }); oEvent.emit('b', 2); oEvent.emit('a', 1); oEvent.emit('a', 3)`, `[1,2]`},
		{"all array form takes the first data", `oEvent.all(['a', 'b'], function (a, b) { out.push(a + b) }); oEvent.emit('a', 1); oEvent.emit('a', 10); oEvent.emit('b', 2)`, `[3]`},
		{"assign alias", `oEvent.assign('a', function (a) { out.push(a) }); oEvent.emit('a', 'x')`, `["x"]`},
		{"tail fires every time after all", `oEvent.tail('a', 'b', function (a, b) { out.push(a + b) }); oEvent.emit('a', 1); oEvent.emit('b', 2); oEvent.emit('a', 10); oEvent.emit('b', 20)`, `[3,12,30]`},
		{"assignAll and assignAlways aliases", `oEvent.assignAll('a', function (a) { out.push(a) }); oEvent.assignAlways('b', function (b) { out.push(b) }); oEvent.emit('a', 1); oEvent.emit('a', 2); oEvent.emit('b', 3)`, `[1,2,3]`},
		{"after collects in emit order", `oEvent.after('got', 3, function (list) { out.push(list) }); oEvent.emit('got', 'c'); oEvent.emit('got', 'a'); oEvent.emit('got', 'b'); oEvent.emit('got', 'late')`, `[["c","a","b"]]`},
		{"after zero calls at once", `oEvent.after('x', 0, function (list) { out.push(list) }); out.push('after')`, `[[],"after"]`},
		{"after with async emits", `oEvent.after('t', 2, function (list) { out.push(list) }); setTimeout(function () { oEvent.emit('t', 'slow') }, 20); setTimeout(function () { oEvent.emit('t', 'fast') }, 1)`, `[["fast","slow"]]`},
		{"group keeps call order", `oEvent.after('r', 3, function (list) { out.push(list) });
			var a = oEvent.group('r'), b = oEvent.group('r'), c = oEvent.group('r', function (x, y) { return x + y });
			c(null, 'c', '!'); a(null, 'a'); b(null, 'b')`, `[["a","b","c!"]]`},
		{"group error goes to fail", `oEvent.fail(function (err) { out.push('fail:' + err.message) }); oEvent.after('r', 2, function (list) { out.push(list) });
			var a = oEvent.group('r'), b = oEvent.group('r'); a(new Error('boom')); b(null, 'b')`, `["fail:boom"]`},
		{"group without after throws", `try { oEvent.group('nope') } catch (e) { out.push(e.message) }`, `["group(\"nope\") needs after(\"nope\", times, callback) first"]`},
		{"any", `oEvent.any('a', 'b', function (r) { out.push(r) }); oEvent.emit('b', 2); oEvent.emit('a', 1)`, `[{"data":2,"eventName":"b"}]`},
		{"not", `oEvent.not('a', function (d) { out.push(d) }); oEvent.emit('a', 1); oEvent.emit('b', 2)`, `[2]`},
		{"emitLater runs after the turn", `oEvent.on('a', function (x) { out.push(x) }); oEvent.emitLater('a', 'later'); out.push('now')`, `["now","later"]`},
		{"done with event name", `oEvent.on('d', function (x, y) { out.push(x, y) }); oEvent.done('d')(null, 1, 2)`, `[1,2]`},
		{"done with transform", `oEvent.on('d', function (x) { out.push(x) }); oEvent.done('d', function (v) { return v * 2 })(null, 21)`, `[42]`},
		{"done with function", `oEvent.done(function (x) { out.push(x) })(null, 'fn')`, `["fn"]`},
		{"done error emits error", `oEvent.on('error', function (e) { out.push(e) }); oEvent.done('d')('bad')`, `["bad"]`},
		{"doneLater", `oEvent.on('d', function (x) { out.push(x) }); oEvent.doneLater('d')(null, 'x'); out.push('first')`, `["first","x"]`},
		{"fail unbinds everything", `oEvent.on('a', function () { out.push('a') }); oEvent.fail(function (e) { out.push(e) }); oEvent.emit('error', 'e1'); oEvent.emit('a'); oEvent.emit('error', 'e2')`, `["e1"]`},
		{"throw", `oEvent.fail(function (e) { out.push(e) }); oEvent.throw('oops')`, `["oops"]`},
		{"create gives a fresh proxy", `var p = oEvent.create(); p.on('a', function () { out.push('p') }); oEvent.on('a', function () { out.push('o') }); p.emit('a'); out.push(p !== oEvent, p instanceof oEvent.constructor)`, `["p",true,true]`},
		{"static create with all and fail", `var p = EventProxy.create('a', 'b', function (a, b) { out.push(a + b) }, function (e) { out.push('err ' + e) }); p.emit('a', 1); p.emit('b', 2);
			var q = EventProxy.create('a', function () {}, function (e) { out.push('err ' + e) }); q.emit('error', 'x')`, `[3,"err x"]`},
		{"constructor callable without new", `var p = EventProxy(); p.on('a', function (x) { out.push(x) }); p.emit('a', 5); out.push(EventProxy.EventProxy === EventProxy)`, `[5,true]`},
		{"listener removed while emitting", `function f() { out.push('f'); oEvent.unbind('a', f) } oEvent.on('a', f); oEvent.on('a', function () { out.push('g') }); oEvent.emit('a'); oEvent.emit('a')`, `["f","g","g"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, tc.src); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestInstancesAreIndependent(t *testing.T) {
	vu := modulestest.New(t, nil)
	vu.Load(t, "a", New)
	vu.Load(t, "b", New)
	vu.MustRun(t, `var out = []; a.on('x', function () { out.push('a') }); b.emit('x'); a.emit('x')`)
	if got := vu.JSON(vu.Global("out")); got != `["a"]` {
		t.Errorf("got %s", got)
	}
}

func TestUncaughtListenerErrorPropagates(t *testing.T) {
	vu := modulestest.New(t, nil)
	vu.Load(t, "oEvent", New)
	_, err := vu.Run(`oEvent.after('x', 1, function () { throw new Error('in callback') }); oEvent.emit('x')`)
	if err == nil || !strings.Contains(err.Error(), "in callback") {
		t.Fatalf("want the callback's error, got %v", err)
	}
}
