package nodecore

import (
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules/modulestest"
)

func TestEventEmitter(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"on and emit with args, return value", `var e = new events(); e.on('a', function (x, y) { out.push(x, y, this === e) }); out.push(e.emit('a', 1, 2), e.emit('none'))`, `[1,2,true,true,false]`},
		{"addListener alias and order", `var e = new events.EventEmitter(); e.addListener('a', function () { out.push(1) }); e.on('a', function () { out.push(2) }); e.prependListener('a', function () { out.push(0) }); e.emit('a')`, `[0,1,2]`},
		{"once", `var e = new events(); e.once('a', function (x) { out.push(x) }); e.emit('a', 1); e.emit('a', 2); out.push(e.listenerCount('a'))`, `[1,0]`},
		{"prependOnceListener", `var e = new events(); e.on('a', function () { out.push('on') }); e.prependOnceListener('a', function () { out.push('first') }); e.emit('a'); e.emit('a')`, `["first","on","on"]`},
		{"off removes the last added match", `var e = new events(); function f(x) { out.push('f' + x) } e.on('a', f); e.on('a', function () { out.push('g') }); e.on('a', f); e.off('a', f); e.emit('a', 1)`, `["f1","g"]`},
		{"removeListener of a once listener", `var e = new events(); function f() { out.push('f') } e.once('a', f); e.removeListener('a', f); out.push(e.emit('a'))`, `[false]`},
		{"removeAllListeners one and all", `var e = new events(); e.on('a', function () {}); e.on('b', function () {}); e.removeAllListeners('a'); out.push(e.eventNames()); e.removeAllListeners(); out.push(e.eventNames())`, `[["b"],[]]`},
		{"listeners unwraps once", `var e = new events(); function f() {} e.once('a', f); out.push(e.listeners('a')[0] === f, e.rawListeners('a')[0] === f, e.rawListeners('a')[0].listener === f)`, `[true,false,true]`},
		{"listenerCount", `var e = new events(); e.on('a', function () {}); e.on('a', function () {}); out.push(e.listenerCount('a'), e.listenerCount('b'), events.listenerCount(e, 'a'))`, `[2,0,2]`},
		{"newListener and removeListener events", `var e = new events(); e.on('newListener', function (n) { out.push('new ' + n) }); e.on('removeListener', function (n) { out.push('rm ' + n) }); function f() {} e.on('x', f); e.off('x', f)`, `["new removeListener","new x","rm x"]`},
		{"listener removed during emit still runs this time", `var e = new events(); function g() { out.push('g') } e.on('a', function () { out.push('f'); e.off('a', g) }); e.on('a', g); e.emit('a'); e.emit('a')`, `["f","g","f"]`},
		{"error with listener", `var e = new events(); e.on('error', function (err) { out.push(err.message) }); e.emit('error', new Error('handled'))`, `["handled"]`},
		{"error without listener throws the error", `var e = new events(); try { e.emit('error', new Error('boom')) } catch (err) { out.push(err.message) }`, `["boom"]`},
		{"error without listener, not an Error", `var e = new events(); try { e.emit('error', 'boom') } catch (err) { out.push(err.message, err.code, err.context) }`, `["Unhandled error. ('boom')","ERR_UNHANDLED_ERROR","boom"]`},
		{"max listeners", `var e = new events(); out.push(e.getMaxListeners()); e.setMaxListeners(1); out.push(e.getMaxListeners()); try { e.setMaxListeners(-1) } catch (err) { out.push(err.code) }`, `[10,1,"ERR_OUT_OF_RANGE"]`},
		{"bad listener", `var e = new events(); try { e.on('a', 5) } catch (err) { out.push(err.name, err.code, err.message) }`, `["TypeError","ERR_INVALID_ARG_TYPE","The \"listener\" argument must be of type function. Received type number (5)"]`},
		{"inherit without calling the constructor", `function S() {} S.prototype = Object.create(events.prototype); var a = new S(), b = new S(); a.on('x', function () { out.push('a') }); b.emit('x'); a.emit('x')`, `["a"]`},
		{"class extends", `class S extends events { constructor() { super(); this.n = 1 } } var s = new S(); s.on('x', function (v) { out.push(v + this.n) }); s.emit('x', 1)`, `[2]`},
		{"static once resolves with args", `var e = new events(); events.once(e, 'ready').then(function (args) { out.push(args) }); e.emit('ready', 1, 2)`, `[[1,2]]`},
		{"static once rejects on error", `var e = new events(); events.once(e, 'ready').catch(function (err) { out.push(err.message, e.listenerCount('ready')) }); e.emit('error', new Error('no'))`, `["no",0]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vu := modulestest.New(t, nil)
			vu.Load(t, "events", Events)
			vu.MustRun(t, "var out = [];\n"+tc.src)
			if got := vu.JSON(vu.Global("out")); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestEventEmitterMaxListenersWarning(t *testing.T) {
	vu := modulestest.New(t, nil)
	vu.Load(t, "events", Events)
	vu.MustRun(t, `var e = new events(); e.setMaxListeners(2); for (var i = 0; i < 4; i++) e.on('tick', function () {})`)
	if len(vu.Logs) != 1 || !strings.Contains(vu.Logs[0], "MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 3 tick listeners added to [EventEmitter]. MaxListeners is 2. Use emitter.setMaxListeners() to increase limit") {
		t.Errorf("logs = %q, want one MaxListenersExceededWarning", vu.Logs)
	}
}
