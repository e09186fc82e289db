package emulator

import (
	"net/http"
	"testing"
	"time"
)

// goja's natives run to their end deaf to the call's timeout: includes over
// the 2^32 - 1 holes a `new Array` makes for free looped for minutes, fill
// over them also ate gigabytes, and "x".repeat(2 ** 30) allocated a gigabyte
// at once. Each now ends by the deadline, or at once with Node's RangeError.
func TestHostileNativesAreBounded(t *testing.T) {
	for name, c := range map[string]struct {
		body   string
		status int
		want   string
	}{
		"includes over holes": {`var holes = new Array(Math.pow(2, 32) - 1); for (;;) { try { holes.includes(1); } catch (e) {} }`,
			http.StatusGatewayTimeout, "timed out"},
		"fill over holes": {`new Array(Math.pow(2, 31)).fill(0); response.send("filled")`,
			http.StatusGatewayTimeout, "timed out"},
		"repeat a gigabyte": {`response.send("x".repeat(Math.pow(2, 30)).length)`,
			http.StatusInternalServerError, "RangeError: Invalid string length"},
		"reverse holes": {`response.send(new Array(Math.pow(2, 32) - 1).reverse().length)`,
			http.StatusInternalServerError, "RangeError: Array.prototype.reverse on an array of 4294967295 elements"},
	} {
		t.Run(name, func(t *testing.T) {
			runHostile(t, hostileCase{
				Script:     `function onRequest(request, response) { ` + c.body + ` }`,
				Timeout:    2 * time.Second,
				WantStatus: c.status,
				WantBody:   c.want,
			})
		})
	}
}
