package emulator

import (
	"net/http"
	"testing"
	"time"
)

// goja's own JSON.stringify runs to its end in Go, deaf to the call's timeout:
// 100,000 nested arrays took 20 s (its cycle check walks the nesting for every
// level), a shared deep value in a long array minutes. Now nesting past
// Node's limit throws Node's RangeError at once, and a stringify that is
// merely long stops at the call's deadline.
func TestHostileJSONStringifyIsBounded(t *testing.T) {
	const nest = `function nest(n) { var a = []; for (var i = 0; i < n; i++) a = [a]; return a; }`
	t.Run("deeper than Node allows", func(t *testing.T) {
		runHostile(t, hostileCase{
			Script: nest + `
				function onRequest(request, response) { response.send(JSON.stringify(nest(100000)).length) }`,
			WantStatus: http.StatusInternalServerError,
			WantBody:   "RangeError: Maximum call stack size exceeded",
		})
	})
	t.Run("long, and the script swallows every error", func(t *testing.T) {
		runHostile(t, hostileCase{
			// 10,000 references to one value 3,999 arrays deep: 40 million
			// values to write, and for goja's search, 8 million comparisons each.
			Script: nest + `
				function onRequest(request, response) {
					var deep = nest(3999), table = [];
					for (var i = 0; i < 10000; i++) table.push(deep);
					for (;;) { try { JSON.stringify(table); } catch (e) {} }
				}`,
			Timeout:    time.Second,
			WantStatus: http.StatusGatewayTimeout,
			WantBody:   "timed out",
		})
	})
}
