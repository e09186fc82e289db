package runtime

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

func postJSON(body string) *fncall.Request {
	return &fncall.Request{Method: http.MethodPost, URL: "/s/f", Path: "/s/f", Header: http.Header{"User-Agent": {"AlipayClient/10.1"}},
		IP: "127.0.0.9", Body: fncall.Body{Kind: fncall.BodyJSON, Raw: []byte(body)}}
}

func TestStyleDetection(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 5*time.Second)
	cases := []struct {
		name, src string
		want      style
	}{
		{"global onRequest", `function onRequest(req, res) { res.send('x') }`, bmobStyle{}},
		{"exported onRequest", `exports.onRequest = function (req, res) { res.send('x') }`, bmobStyle{}},
		{"module.exports of two params", `module.exports = function (request, response, modules) { response.send('x') }`, bmobStyle{}},
		{"async ctx", `module.exports = async (ctx) => 1`, ctxStyle{}},
		{"async function ctx", `module.exports = async function (ctx) { return 1 }`, ctxStyle{}},
		{"no params", `module.exports = () => 1`, ctxStyle{}},
		{"onRequest wins over a ctx export", `function onRequest(req, res) { res.send('x') }; module.exports = async (ctx) => 1`, bmobStyle{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := compile(t, e, "f", c.src)
			v, err := f.newVU()
			if err != nil {
				t.Fatal(err)
			}
			defer v.stop()
			if v.style != c.want {
				t.Fatalf("style %T, want %T", v.style, c.want)
			}
		})
	}
}

func TestCtxStyleAnswers(t *testing.T) {
	e, log := newEngine(t, modules.Compat, 5*time.Second)
	cases := []struct {
		name, src string
		req       *fncall.Request
		status    int
		ctype     string
		body      string
	}{
		{"args from the JSON body", `module.exports = async (ctx) => ({sum: ctx.args.a + ctx.args.b, keys: Object.keys(ctx.args)})`,
			postJSON(`{"b":2,"a":1}`), 200, "application/json", `{"sum":3,"keys":["b","a"]}`},
		{"args from the query on GET", `module.exports = async (ctx) => ctx.args`,
			get(fncall.Pair{Key: "x", Value: "1"}, fncall.Pair{Key: "y", Value: "a"}, fncall.Pair{Key: "y", Value: "b"}), 200, "application/json", `{"x":"1","y":["a","b"]}`},
		{"a plain (not async) value", `module.exports = function (ctx) { return [1, 'two', null] }`,
			get(), 200, "application/json", `[1,"two",null]`},
		{"a string is sent as it is", `module.exports = async (ctx) => 'success'`, get(), 200, "text/plain", `success`},
		{"a number", `module.exports = async (ctx) => 42`, get(), 200, "application/json", `42`},
		{"nothing", `module.exports = async (ctx) => {}`, get(), 200, "", ``},
		{"awaits timers and callbacks", `module.exports = async (ctx) => {
			await new Promise(r => setTimeout(r, 5));
			const v = await new Promise(r => later(7, r));
			return {v};
		}; function later(x, cb) { setTimeout(() => cb(x), 1) }`, get(), 200, "application/json", `{"v":7}`},
		{"env", `module.exports = async (ctx) => [ctx.env.MP_SPACE_ID, ctx.env.MP_SOURCE, ctx.env.MP_USER_AGENT, ctx.env.MP_CLIENT_IP]`,
			postJSON(`{}`), 200, "application/json", `["bmobemu","http","AlipayClient/10.1","127.0.0.9"]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := compile(t, e, "f", c.src)
			defer f.Close()
			r := call(t, f, c.req)
			if r.Status != c.status || string(r.Body) != c.body || !strings.HasPrefix(r.Header.Get("Content-Type"), c.ctype) || r.Kind != fncall.Sent {
				t.Fatalf("got %d %q %q kind %v, want %d %q %q\nlog:\n%s", r.Status, r.Header.Get("Content-Type"), r.Body, r.Kind, c.status, c.ctype, c.body, log.text())
			}
		})
	}
}

func TestCtxStyleErrors(t *testing.T) {
	e, log := newEngine(t, modules.Compat, 5*time.Second)
	cases := []struct {
		name, src        string
		errType, message string
		frame            string // a stackTrace line must contain it
		kind             fncall.ResponseKind
		status           int
		logged           string
	}{
		{"a rejection", "module.exports = async (ctx) => {\n  throw new TypeError('bad subject');\n}", "TypeError", "bad subject", "f.js:2", fncall.Threw, 500, "rejected promise"},
		{"a synchronous throw", "module.exports = function (ctx) {\n\n  throw new RangeError('too big');\n}", "RangeError", "too big", "f.js:3", fncall.Threw, 500, "uncaught exception"},
		{"a thrown string", "module.exports = async (ctx) => { throw 'plain' }", "Error", "plain", "", fncall.Threw, 500, "plain"},
		{"an unavailable ctx member", "module.exports = async (ctx) => ctx.httpclient.request('http://x')", "Error",
			"ctx.httpclient.request is not available in bmobemu; ctx provides: args, env, logger", "", fncall.Threw, 500, "httpclient"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := compile(t, e, "f", c.src)
			defer f.Close()
			r := call(t, f, get())
			var body struct {
				ErrorMessage string   `json:"errorMessage"`
				ErrorType    string   `json:"errorType"`
				StackTrace   []string `json:"stackTrace"`
			}
			if err := json.Unmarshal(r.Body, &body); err != nil {
				t.Fatalf("%d %s: %v", r.Status, r.Body, err)
			}
			if r.Status != c.status || r.Kind != c.kind || body.ErrorType != c.errType || body.ErrorMessage != c.message ||
				r.Header.Get("X-Fc-Error-Type") != "UnhandledInvocationError" {
				t.Fatalf("got %d %v %s", r.Status, r.Kind, r.Body)
			}
			if c.frame != "" && !strings.Contains(strings.Join(body.StackTrace, "\n"), c.frame) {
				t.Fatalf("stackTrace %q lacks %s", body.StackTrace, c.frame)
			}
			if !strings.Contains(log.text(), c.logged) {
				t.Fatalf("log lacks %q:\n%s", c.logged, log.text())
			}
		})
	}
}

func TestCtxStyleNeverSettles(t *testing.T) {
	e, log := newEngine(t, modules.Compat, 5*time.Second)
	f := compile(t, e, "hang", `module.exports = async (ctx) => { await new Promise(() => {}); return 1 }`)
	defer f.Close()
	r := call(t, f, get())
	if r.Status != 500 || r.Kind != fncall.NoResponse || !strings.Contains(string(r.Body), "function hang returned a promise that never settled") {
		t.Fatalf("got %d %v %s", r.Status, r.Kind, r.Body)
	}
	if !strings.Contains(log.text(), "never settled") {
		t.Fatal(log.text())
	}
}

func TestCtxStyleTimeoutAndLogger(t *testing.T) {
	e, log := newEngine(t, modules.Compat, 300*time.Millisecond)
	f := compile(t, e, "spin", `module.exports = async (ctx) => { ctx.logger.info('args', ctx.args.a); for (;;) {} }`)
	defer f.Close()
	warm(t, f)
	r := call(t, f, postJSON(`{"a":1}`))
	if r.Status != http.StatusGatewayTimeout || r.Kind != fncall.TimedOut {
		t.Fatalf("got %d %v %s", r.Status, r.Kind, r.Body)
	}
	if !strings.Contains(log.text(), `spin info: args 1`) {
		t.Fatalf("logger line missing:\n%s", log.text())
	}
}

func TestCtxStyleRegistryMembers(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 5*time.Second)
	built := 0
	e.opts.Registry.AddCtx("cloud", func(vu modules.VU) (goja.Value, error) {
		built++
		o := vu.Runtime().NewObject()
		_ = o.Set("caller", func(goja.FunctionCall) goja.Value {
			c, ok := vu.(modules.CallerVU).Caller()
			return vu.Runtime().ToValue([]any{ok, c.Header.Get(modules.AlipayUserHeader), c.IP})
		})
		return o, nil
	})
	f := compile(t, e, "f", `module.exports = async (ctx) => [ctx.cloud === ctx.cloud, ctx.cloud.caller()]`)
	defer f.Close()
	req := postJSON(`{}`)
	req.Header.Set(modules.AlipayUserHeader, "2088000000000001")
	r := call(t, f, req)
	if string(r.Body) != `[true,[true,"2088000000000001","127.0.0.9"]]` || built != 1 {
		t.Fatalf("got %s, built %d times", r.Body, built)
	}
}
