package emulator

import (
	"net/http"
	"testing"
)

// Recursion through native calls used to end in Go's fatal "stack overflow";
// plain recursion burned the whole timeout. Every one must end in Node's
// RangeError, fast.
func TestHostileRecursionEndsInRangeError(t *testing.T) {
	cases := map[string]string{
		"plain":    `function f(n) { return f(n + 1) + 1 } f(0);`,
		"toString": `var o = {}; o.toString = function () { return String(o); }; String(o);`,
		"valueOf":  `var o = {valueOf: function () { return o + 1 }}; o + 1;`,
		"getter":   `var o = {get x() { return o.x }}; o.x;`,
		"toJSON":   `var o = {toJSON: function () { return JSON.stringify(o) }}; JSON.stringify(o);`,
		"proxy":    `var p = new Proxy({}, {get: function (t, k) { return p[k] }}); p.x;`,
		"sort":     `function cmp(a, b) { return [2, 1].sort(cmp)[0] } [2, 1].sort(cmp);`,
		"replacer": `function r(k, v) { return JSON.stringify({a: 1}, r) } JSON.stringify({a: 1}, r);`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			runHostile(t, hostileCase{
				Script:     `function onRequest(request, response) { ` + body + ` response.send('survived') }`,
				WantStatus: http.StatusInternalServerError,
				WantBody:   "RangeError: Maximum call stack size exceeded",
			})
		})
	}
}

// require('buffer') recursed forever inside the runtime's require (a Go fatal
// stack overflow).
func TestHostileRequireBufferDoesNotRecurse(t *testing.T) {
	runHostile(t, hostileCase{
		Script:     `function onRequest(request, response) { var b = require('buffer'); response.send(typeof b.Buffer) }`,
		WantStatus: http.StatusOK,
		WantBody:   "function",
	})
}
