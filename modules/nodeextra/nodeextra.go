// Package nodeextra provides the Node core modules Bmob scripts require beyond
// those in nodecore: path, assert, string_decoder, os (a harmless subset),
// timers, timers/promises, stream, http and https (clients over the outbound
// router). What is not provided fails with a clear "not available in bmobemu"
// error. Each constructor builds a fresh module value for one VM.
package nodeextra

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/noderequest"
)

var (
	//go:embed path.js
	pathSource string
	//go:embed assert.js
	assertSource string
	//go:embed string_decoder.js
	stringDecoderSource string
	//go:embed os.js
	osSource string
	//go:embed stream.js
	streamSource string
	//go:embed http.js
	httpSource string

	pathProgram          = goja.MustCompile("node:path", pathSource, true)
	assertProgram        = goja.MustCompile("node:assert", assertSource, true)
	stringDecoderProgram = goja.MustCompile("node:string_decoder", stringDecoderSource, true)
	osProgram            = goja.MustCompile("node:os", osSource, true)
	streamProgram        = goja.MustCompile("node:stream", streamSource, true)
	httpProgram          = goja.MustCompile("node:http", httpSource, true)
)

// Register adds the modules to a registry under their Node names.
func Register(r *modules.Registry) {
	r.AddRequire("buffer", BufferModule)
	r.AddRequire("path", Path)
	r.AddRequire("assert", Assert)
	r.AddRequire("assert/strict", AssertStrict)
	r.AddRequire("string_decoder", StringDecoder)
	r.AddRequire("os", OS)
	r.AddRequire("timers", Timers)
	r.AddRequire("timers/promises", TimersPromises)
	r.AddRequire("stream", Stream)
	r.AddRequire("http", HTTP)
	r.AddRequire("https", HTTPS)
	r.AddRequire("process", func(vu modules.VU) (goja.Value, error) { return vu.Runtime().Get("process"), nil })
	for _, name := range unavailable {
		r.AddUnavailable(name, notAvailable(name))
	}
}

// unavailable are Node core modules a script may name that bmobemu does not
// provide: requiring one throws an error saying so (code MODULE_NOT_FOUND is
// kept for scripts that probe with try/require).
var unavailable = []string{"fs", "fs/promises", "child_process", "cluster", "dgram", "dns", "net", "tls", "worker_threads",
	"vm", "v8", "readline", "repl", "tty", "http2", "inspector", "perf_hooks", "async_hooks", "module", "punycode", "constants", "domain", "trace_events", "wasi"}

func notAvailable(name string) modules.Constructor {
	return func(vu modules.VU) (goja.Value, error) {
		vm := vu.Runtime()
		ctor, _ := goja.AssertConstructor(vm.Get("Error"))
		err, cerr := ctor(nil, vm.ToValue(fmt.Sprintf("Cannot find module '%s': it is a Node core module that is not available in bmobemu (a Bmob function has no file system, processes or sockets of its own)", name)))
		if cerr != nil {
			return nil, cerr
		}
		_ = err.Set("code", "MODULE_NOT_FOUND")
		panic(err)
	}
}

func load(vm *goja.Runtime, prog *goja.Program, args ...goja.Value) (goja.Value, error) {
	v, err := vm.RunProgram(prog)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(v)
	if !ok {
		return nil, fmt.Errorf("module program does not evaluate to a function")
	}
	return fn(goja.Undefined(), args...)
}

func requireValue(vu modules.VU, name string) (goja.Value, error) {
	vm := vu.Runtime()
	req, ok := goja.AssertFunction(vm.Get("require"))
	if !ok {
		return nil, fmt.Errorf("require is not defined")
	}
	return req(goja.Undefined(), vm.ToValue(name))
}

// BufferModule is require('buffer'): the VM's Buffer (modules/nodebuffer) with the
// module's constants, atob and btoa.
func BufferModule(vu modules.VU) (goja.Value, error) {
	vm := vu.Runtime()
	o := vm.NewObject()
	buf := vm.Get("Buffer")
	for _, kv := range []struct {
		name  string
		value any
	}{
		{"Buffer", buf}, {"SlowBuffer", buf}, {"kMaxLength", 4294967296}, {"kStringMaxLength", 536870888},
		{"INSPECT_MAX_BYTES", 50}, {"atob", vm.Get("atob")}, {"btoa", vm.Get("btoa")},
		{"constants", map[string]any{"MAX_LENGTH": 4294967296, "MAX_STRING_LENGTH": 536870888}},
	} {
		if err := o.Set(kv.name, kv.value); err != nil {
			return nil, fmt.Errorf("buffer: %w", err)
		}
	}
	return o, nil
}

// Path is require('path'): POSIX paths, the working directory "/".
func Path(vu modules.VU) (goja.Value, error) { return load(vu.Runtime(), pathProgram) }

// Assert is require('assert').
func Assert(vu modules.VU) (goja.Value, error) {
	util, err := requireValue(vu, "util")
	if err != nil {
		return nil, fmt.Errorf("assert: %w", err)
	}
	return load(vu.Runtime(), assertProgram, util.ToObject(vu.Runtime()).Get("inspect"))
}

// AssertStrict is require('assert/strict'), assert.strict.
func AssertStrict(vu modules.VU) (goja.Value, error) {
	a, err := requireValue(vu, "assert")
	if err != nil {
		return nil, err
	}
	return a.ToObject(vu.Runtime()).Get("strict"), nil
}

// StringDecoder is require('string_decoder').
func StringDecoder(vu modules.VU) (goja.Value, error) {
	return load(vu.Runtime(), stringDecoderProgram, vu.Runtime().Get("Buffer"))
}

// OS is require('os'): fixed, harmless answers (see os.js).
func OS(vu modules.VU) (goja.Value, error) { return load(vu.Runtime(), osProgram) }

// Timers is require('timers'): the global timer functions.
func Timers(vu modules.VU) (goja.Value, error) {
	vm := vu.Runtime()
	o := vm.NewObject()
	for _, name := range []string{"setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "clearImmediate"} {
		if err := o.Set(name, vm.Get(name)); err != nil {
			return nil, err
		}
	}
	p, err := TimersPromises(vu)
	if err != nil {
		return nil, err
	}
	return o, o.Set("promises", p)
}

// TimersPromises is require('timers/promises'): setTimeout and setImmediate
// returning promises of their value.
func TimersPromises(vu modules.VU) (goja.Value, error) {
	v, err := vu.Runtime().RunString(`(function () {
  return {
    setTimeout: function (ms, value) { return new Promise(function (resolve) { setTimeout(resolve, ms, value); }); },
    setImmediate: function (value) { return new Promise(function (resolve) { setImmediate(resolve, value); }); },
  };
})()`)
	if err != nil {
		return nil, fmt.Errorf("timers/promises: %w", err)
	}
	return v, nil
}

// Stream is require('stream').
func Stream(vu modules.VU) (goja.Value, error) {
	events, err := requireValue(vu, "events")
	if err != nil {
		return nil, fmt.Errorf("stream: %w", err)
	}
	return load(vu.Runtime(), streamProgram, events, vu.Runtime().Get("Buffer"))
}

// HTTP is require('http'): a client over the outbound router.
func HTTP(vu modules.VU) (goja.Value, error) { return httpModule(vu, "http:") }

// HTTPS is require('https'): the same client for https: URLs.
func HTTPS(vu modules.VU) (goja.Value, error) { return httpModule(vu, "https:") }

func httpModule(vu modules.VU, protocol string) (goja.Value, error) {
	vm := vu.Runtime()
	events, err := requireValue(vu, "events")
	if err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	stream, err := requireValue(vu, "stream")
	if err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	native := vm.NewObject()
	codes := vm.NewObject()
	for code := 100; code < 600; code++ {
		if text := http.StatusText(code); text != "" {
			_ = codes.Set(fmt.Sprint(code), nodeStatusText(code, text))
		}
	}
	_ = native.Set("statusCodes", codes)
	_ = native.Set("send", func(call goja.FunctionCall) goja.Value {
		return send(vu, call)
	})
	return load(vm, httpProgram, events, stream, vm.Get("Buffer"), native, vm.ToValue(protocol), vm.Get("URL"))
}

// nodeStatusText is Node's reason phrase where it differs from Go's.
func nodeStatusText(code int, goText string) string {
	switch code {
	case 418:
		return "I'm a Teapot"
	case 413:
		return "Payload Too Large"
	case 414:
		return "URI Too Long"
	case 416:
		return "Range Not Satisfiable"
	}
	return goText
}

// send makes one request on a goroutine and calls back on the JS thread with
// (err, status, statusText, [[name, value]…], body). It returns a cancel function.
func send(vu modules.VU, call goja.FunctionCall) goja.Value {
	vm := vu.Runtime()
	method := call.Argument(0).String()
	target := call.Argument(1).String()
	var pairs [][]string
	if err := vm.ExportTo(call.Argument(2), &pairs); err != nil {
		panic(vm.NewTypeError("http: bad headers: " + err.Error()))
	}
	var body []byte
	if b, ok := call.Argument(3).Export().([]byte); ok {
		body = b
	} else if obj, ok := call.Argument(3).(*goja.Object); ok {
		if ab, ok := obj.Get("buffer").Export().(goja.ArrayBuffer); ok {
			off := obj.Get("byteOffset").ToInteger()
			n := obj.Get("byteLength").ToInteger()
			body = append([]byte(nil), ab.Bytes()[off:off+n]...)
		}
	}
	cb, ok := goja.AssertFunction(call.Argument(4))
	if !ok {
		panic(vm.NewTypeError("http: callback must be a function"))
	}
	ctx, cancel := contextWithCancel(vu)
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		cancel()
		panic(vm.NewTypeError("Invalid URL: " + target))
	}
	if len(body) == 0 {
		req.Body = http.NoBody
	}
	for _, p := range pairs {
		if len(p) == 2 {
			if strings.EqualFold(p[0], "host") {
				req.Host = p[1]
				continue
			}
			req.Header.Add(p[0], p[1])
		}
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header["User-Agent"] = nil // Node sends none; Go would add its own
	}
	client := *vu.Env().HTTP
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse } // Node's http does not follow redirects
	done := vu.RegisterCallback()
	go func() {
		resp, err := client.Do(req)
		var respBody []byte
		if err == nil {
			respBody, err = io.ReadAll(resp.Body)
			_ = resp.Body.Close()
		}
		done(func() error {
			defer cancel()
			if ctx.Err() != nil && err != nil {
				return nil // aborted by the script: no callback
			}
			if err != nil {
				_, cbErr := cb(goja.Undefined(), noderequest.NodeError(vm, err))
				return cbErr
			}
			var headers []any
			keys := make([]string, 0, len(resp.Header))
			for k := range resp.Header {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				for _, v := range resp.Header[k] {
					headers = append(headers, []any{k, v})
				}
			}
			text := http.StatusText(resp.StatusCode)
			_, cbErr := cb(goja.Undefined(), goja.Null(), vm.ToValue(resp.StatusCode), vm.ToValue(nodeStatusText(resp.StatusCode, text)),
				vm.ToValue(headers), vm.ToValue(vm.NewArrayBuffer(respBody)))
			return cbErr
		})
	}()
	return vm.ToValue(func() { cancel() })
}

// contextWithCancel is the call's context with a cancel for abort().
func contextWithCancel(vu modules.VU) (context.Context, context.CancelFunc) {
	return context.WithCancel(vu.Context())
}
