package modulestest

import "testing"

func TestOrderOfTurnsTicksPromisesAndTimers(t *testing.T) {
	vu := New(t, nil)
	vu.MustRun(t, `
		var order = [];
		setTimeout(function () { order.push("timeout"); }, 0);
		setImmediate(function () { order.push("immediate"); });
		Promise.resolve().then(function () { order.push("promise"); });
		process.nextTick(function () { order.push("tick"); });
		order.push("script");
	`)
	got := vu.JSON(vu.Global("order"))
	// Node prints script, tick, promise, then immediate and timeout; their
	// order between themselves depends on timing in Node too (a 0 ms timer is
	// due after 1 ms), so either is right.
	if got != `["script","tick","promise","immediate","timeout"]` && got != `["script","tick","promise","timeout","immediate"]` {
		t.Fatalf("order = %s", got)
	}
}

func TestClearTimeoutAndThrowInCallback(t *testing.T) {
	vu := New(t, nil)
	vu.MustRun(t, `var fired = false; var id = setTimeout(function () { fired = true; }, 5); clearTimeout(id);`)
	if vu.Global("fired").ToBoolean() {
		t.Fatal("cleared timer fired")
	}
	if _, err := vu.Run(`setTimeout(function () { throw new Error("boom"); }, 1)`); err == nil {
		t.Fatal("a throw in a timer callback must end the run with an error")
	}
}
