package emulator

import (
	"fmt"
	"net/http"
	"os"
	rgoruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/runtime"
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
				Script: `function onRequest(request, response) { ` + body + ` response.send('survived') }`,
				// Unwinding a recursion through native calls takes seconds on a
				// loaded machine; the case is about the RangeError, not speed.
				Timeout:    30 * time.Second,
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

// After the answer nothing a script does may touch what the server is sending:
// sendStatus wrote the header map before its already-answered guard while the
// server read it (Go's fatal "concurrent map iteration and map write").
func TestHostileHeaderWritesAfterTheAnswer(t *testing.T) {
	runHostile(t, hostileCase{
		Script: `function onRequest(request, response) {
			for (var i = 0; i < 20000; i++) response.set('h' + i, 'v');
			setTimeout(function () {
				var t = Date.now();
				while (Date.now() - t < 1000) {
					response.sendStatus(201); response.status(202); response.statusCode = 203;
					response.set('late', 'x'); response.type('json'); response.redirect('/x');
				}
			}, 1);
			response.send('x');
		}`,
		WantStatus: http.StatusOK,
		WantBody:   "x",
		Check: func(t *testing.T, h *hostileServer) {
			for range 5 {
				a := hostileGet(h.URL("hostile"), time.Minute)
				if a.Err != nil || a.Status != http.StatusOK || a.Body != "x" || a.Header.Get("Late") != "" {
					t.Fatalf("answer changed after it was sent: %d %q %v", a.Status, a.Body, a.Err)
				}
			}
		},
	})
}

// A caller's redirect target cannot split the response (issue 10, item 8).
func TestHostileRedirectCannotSplitTheResponse(t *testing.T) {
	runHostile(t, hostileCase{
		Script: `function onRequest(request, response) { response.redirect(request.query.next) }`,
		Query:  "?next=/home%0d%0aSet-Cookie:%20sid=attacker%0d%0aContent-Length:%200%0d%0a%0d%0aHTTP/1.1%20200%20OK",
		// The client does not follow: a 302 with the encoded Location.
		WantStatus: http.StatusFound,
		Check: func(t *testing.T, h *hostileServer) {
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Get(h.URL("hostile") + "?next=/home%0d%0aSet-Cookie:%20sid=attacker")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.Header.Get("Set-Cookie") != "" || resp.Header.Get("Location") != "/home%0D%0ASet-Cookie:%20sid=attacker" {
				t.Fatalf("split: %v", resp.Header)
			}
		},
	})
}

// No script code runs outside a deadline: describing a thrown value calls its
// toString and reads its stack (and goja's errors.Is reads it too), which ran
// after the call's interrupt was lifted and never returned.
func TestHostileThrownValuesAreDescribedUnderABound(t *testing.T) {
	cases := map[string]string{
		"toString":     `throw { toString: function () { for (;;) {} } }`,
		"stack getter": `var e = new Error('x'); Object.defineProperty(e, 'stack', {get: function () { for (;;) {} }}); throw e`,
		"proxy": `var h = function () { for (;;) {} };
			throw new Proxy({}, {get: h, getPrototypeOf: h, has: h, ownKeys: h, getOwnPropertyDescriptor: h})`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			runHostile(t, hostileCase{
				Script:     `function onRequest(request, response) { ` + body + ` }`,
				WantStatus: http.StatusInternalServerError,
				WantBody:   "there is an error:",
			})
		})
	}
}

// The same throw at a script's top level hung serve at startup (the function's
// first VM is made at load) and froze hot reload; a getter for onRequest ran
// after the top level's deadline.
func TestHostileTopLevelCodeIsBounded(t *testing.T) {
	cases := map[string]string{
		"throw":  `throw { toString: function () { for (;;) {} } };`,
		"getter": `Object.defineProperty(this, 'onRequest', {get: function () { for (;;) {} }});`,
		"loop":   `for (;;) {}`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			runHostile(t, hostileCase{
				Script:     src,
				Timeout:    2 * time.Second,
				WantStatus: http.StatusInternalServerError,
				WantBody:   "there is an error:",
			})
		})
	}
}

// Saving such a file while serving must not freeze hot reload: the next good
// version is picked up.
func TestHostileHotReloadSurvivesABadTopLevel(t *testing.T) {
	runHostile(t, hostileCase{
		Script:     `function onRequest(request, response) { response.send('v1') }`,
		Timeout:    2 * time.Second,
		Config:     func(c *Config) { c.Watch = true },
		WantStatus: http.StatusOK,
		WantBody:   "v1",
		Check: func(t *testing.T, h *hostileServer) {
			dir := h.Emu.Config.FunctionsDirs[0]
			write(t, dir, "hostile.js", `throw { toString: function () { for (;;) {} } };`)
			time.Sleep(500 * time.Millisecond)
			write(t, dir, "hostile.js", `function onRequest(request, response) { response.send('v3') }`)
			deadline := time.Now().Add(30 * time.Second)
			for {
				a := hostileGet(h.URL("hostile"), 20*time.Second)
				if a.Status == http.StatusOK && a.Body == "v3" {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("hot reload froze: still %d %q %v\n%s", a.Status, a.Body, a.Err, tail(h.Logs.String(), 3000))
				}
				time.Sleep(100 * time.Millisecond)
			}
		},
	})
}

// A backtracking regexp (regexp2: lookarounds, backreferences) is beyond the
// VM's interrupt; each match is bounded by the call timeout, as serve sets it.
func TestHostileBacktrackingRegexpIsBounded(t *testing.T) {
	runHostile(t, hostileCase{
		Script: `function onRequest(request, response) {
			var s = new Array(41).join('a') + '!';
			response.send(String(/^(a+)+$(?=)/.test(s)));
		}`,
		Timeout:     2 * time.Second,
		BeforeServe: func() { runtime.LimitRegexpMatches(2 * time.Second) },
		WantStatus:  http.StatusGatewayTimeout,
	})
}

// Several runaway allocators at once: the server stays alive with its RSS
// bounded near the budget, every caller gets an error naming the limit (long
// before the timeout), and the memory is returned afterwards.
func TestHostileMemoryBudget(t *testing.T) {
	const budget = 256 << 20
	runHostile(t, hostileCase{
		Script:     `function onRequest(request, response) { var a = []; while (true) a.push(new Array(1e6).fill(1)) }`,
		Calls:      4,
		Timeout:    60 * time.Second,
		Config:     func(c *Config) { c.MemoryLimit = budget },
		WantStatus: http.StatusServiceUnavailable,
		WantBody:   "more memory than the limit of 256 MB (--memory-limit)",
		Check: func(t *testing.T, h *hostileServer) {
			peak, _ := procStatusKB("VmHWM")
			// Returned: the heap is back under a fraction of the budget soon after.
			deadline := time.Now().Add(10 * time.Second)
			for {
				rgoruntime.GC()
				var ms rgoruntime.MemStats
				rgoruntime.ReadMemStats(&ms)
				rss, _ := procStatusKB("VmRSS")
				if ms.HeapAlloc < budget/4 {
					t.Logf("measured: peak RSS %d MB, heap after %d MB, RSS after %d MB (budget %d MB, 4 runaway calls)",
						peak>>10, ms.HeapAlloc>>20, rss>>10, budget>>20)
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("memory not returned: heap %d MB", ms.HeapAlloc>>20)
				}
				time.Sleep(200 * time.Millisecond)
			}
			// Generous: the heap limit plus what the calls allocate between two
			// samples, the GC's headroom and the process itself.
			if peak > 3*budget>>10 {
				t.Fatalf("peak RSS %d MB, budget %d MB", peak>>10, budget>>20)
			}
		},
	})
}

// procStatusKB reads a kB field of /proc/self/status (Linux).
func procStatusKB(field string) (int64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb, true
		}
	}
	return 0, false
}
