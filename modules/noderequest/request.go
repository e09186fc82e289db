// Package noderequest is modules.oHttp: npm request 2.88 on Go's HTTP client,
// going out through the emulator's outbound router (Env.HTTP).
//
// It emulates the call forms `request(uri|options, [options], callback)`, the
// helpers get/head/options/post/put/patch/del/delete, defaults, jar, cookie and
// forever, and the options uri/url/baseUrl/method/qs/headers/body/form/json/
// timeout/encoding/gzip/followRedirect/followAllRedirects/maxRedirects/auth/jar,
// with request's callback contract. Streams, piping, multipart, oauth and proxies
// are not emulated; the returned object only has abort() and the request's
// uri/method/headers.
package noderequest

import (
	"context"
	"net/http"
	"net/http/cookiejar"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
)

// module is one constructed `request` and the state its functions share.
type module struct {
	vu         modules.VU
	jarKey     *goja.Symbol
	defaultJar *cookiejar.Jar
}

// New is the modules.Constructor of `request` (modules.oHttp, require("request")).
func New(vu modules.VU) (goja.Value, error) {
	m := &module{vu: vu, jarKey: goja.NewSymbol("request.jar")}
	return m.requester(nil, ""), nil
}

// verbs maps request's helper names to the method they force.
var verbs = []struct{ name, method string }{
	{"get", "GET"}, {"head", "HEAD"}, {"options", "OPTIONS"}, {"post", "POST"},
	{"put", "PUT"}, {"patch", "PATCH"}, {"del", "DELETE"}, {"delete", "DELETE"},
}

// requester makes a request function: layers are defaults() options, deep-merged
// under the call's own, oldest first; method, when set, is forced.
func (m *module) requester(layers []*goja.Object, method string) *goja.Object {
	vm := m.vu.Runtime()
	fn := vm.ToValue(func(call goja.FunctionCall) goja.Value {
		uri := call.Argument(0)
		if len(layers) == 0 && method == "" && goja.IsUndefined(uri) {
			panic(plainError("undefined is not a valid uri or options object.").toJS(vm))
		}
		params := m.initParams(uri, call.Argument(1), call.Argument(2))
		if len(layers) > 0 {
			target := vm.NewObject()
			for _, l := range layers {
				m.deepExtend(target, l)
			}
			m.deepExtend(target, params)
			params = target
		}
		if method != "" {
			_ = params.Set("method", method)
		}
		return m.start(params)
	}).ToObject(vm)
	if method != "" {
		return fn
	}
	for _, v := range verbs {
		_ = fn.Set(v.name, m.requester(layers, v.method))
	}
	_ = fn.Set("defaults", func(call goja.FunctionCall) goja.Value {
		opts := call.Argument(0)
		layer := vm.NewObject()
		if o, ok := opts.(*goja.Object); ok {
			m.deepExtend(layer, o)
		}
		return m.requester(append(append([]*goja.Object(nil), layers...), layer), "")
	})
	_ = fn.Set("forever", func(call goja.FunctionCall) goja.Value {
		agentOptions, optionsArg := call.Argument(0), call.Argument(1)
		layer := vm.NewObject()
		if o, ok := optionsArg.(*goja.Object); ok {
			for _, k := range o.Keys() {
				_ = layer.Set(k, o.Get(k))
			}
		}
		if agentOptions.ToBoolean() {
			_ = layer.Set("agentOptions", agentOptions)
		}
		_ = layer.Set("forever", true)
		return m.requester(append(append([]*goja.Object(nil), layers...), layer), "")
	})
	_ = fn.Set("jar", func() goja.Value { return m.jarObject() })
	_ = fn.Set("cookie", func(call goja.FunctionCall) goja.Value { return m.cookie(call.Argument(0)) })
	return fn
}

// initParams is request's initParams: (uri, options, callback) into one object.
func (m *module) initParams(uri, options, callback goja.Value) *goja.Object {
	vm := m.vu.Runtime()
	params := vm.NewObject()
	if _, isFn := goja.AssertFunction(options); isFn {
		callback = options
	}
	copyKeys := func(src *goja.Object) {
		for _, k := range src.Keys() {
			_ = params.Set(k, src.Get(k))
		}
	}
	if o, ok := options.(*goja.Object); ok && !isFunction(options) {
		copyKeys(o)
		_ = params.Set("uri", uri)
	} else if _, isStr := uri.Export().(string); isStr {
		_ = params.Set("uri", uri)
	} else if o, ok := uri.(*goja.Object); ok {
		copyKeys(o)
	}
	if isFunction(callback) {
		_ = params.Set("callback", callback)
	}
	return params
}

func isFunction(v goja.Value) bool {
	_, ok := goja.AssertFunction(v)
	return ok
}

// deepExtend is extend(true, target, src): plain objects and arrays are merged
// into copies, everything else (Buffers, functions, dates) is assigned.
func (m *module) deepExtend(target, src *goja.Object) {
	vm := m.vu.Runtime()
	for _, k := range src.Keys() {
		v := src.Get(k)
		if v == nil || goja.IsUndefined(v) {
			continue
		}
		obj, ok := v.(*goja.Object)
		if !ok || obj.SameAs(target) || !(obj.ClassName() == "Array" || m.isPlainObject(obj)) {
			_ = target.Set(k, v)
			continue
		}
		existing, _ := target.Get(k).(*goja.Object)
		var clone *goja.Object
		switch {
		case obj.ClassName() == "Array" && existing != nil && existing.ClassName() == "Array":
			clone = existing
		case obj.ClassName() == "Array":
			clone = vm.NewArray()
		case existing != nil && m.isPlainObject(existing):
			clone = existing
		default:
			clone = vm.NewObject()
		}
		m.deepExtend(clone, obj)
		_ = target.Set(k, clone)
	}
}

func (m *module) isPlainObject(o *goja.Object) bool {
	if o.ClassName() != "Object" || isFunction(o) {
		return false
	}
	proto := o.Prototype()
	if proto == nil {
		return true
	}
	objectProto := m.vu.Runtime().Get("Object").ToObject(m.vu.Runtime()).Get("prototype").ToObject(m.vu.Runtime())
	return proto.SameAs(objectProto)
}

// start validates the options, then sends off the JS thread. Option errors reach
// the callback synchronously, as request emits them from its constructor; with no
// callback they are thrown.
func (m *module) start(params *goja.Object) goja.Value {
	vm := m.vu.Runtime()
	reqObj := vm.NewObject()
	s, nerr := m.buildSpec(params)
	if nerr != nil {
		errObj := nerr.toJS(vm)
		if !s.callbackProvided {
			panic(errObj)
		}
		if _, err := s.callback(reqObj, errObj); err != nil {
			panic(err)
		}
		return reqObj
	}
	c := &call{s: s, client: m.client(s.jar), method: s.method, headers: s.headers.clone(), body: s.body,
		decompressLimit: m.vu.Env().DecompressCap()}
	c.uri, _ = parseURI(s.uri)
	c.autoHost = !readHeaders(params.Get("headers")).has("host")
	_ = reqObj.Set("uri", uriObject(vm, c.uri))
	_ = reqObj.Set("method", s.method)
	_ = reqObj.Set("headers", s.headers.toJS(vm))

	ctx, cancel := context.WithCancelCause(m.vu.Context())
	aborted := false
	_ = reqObj.Set("abort", func() { aborted = true; cancel(errAborted) })
	_ = reqObj.Set("toJSON", func() goja.Value { return requestJSON(vm, reqObj) })
	done := m.vu.RegisterCallback()
	go func() {
		out := c.run(ctx)
		cancel(nil)
		done(func() error {
			if aborted {
				return nil
			}
			return m.deliver(reqObj, s, out)
		})
	}()
	return reqObj
}

// client is the router's client without its redirect handling (request follows
// redirects itself, with its own rules) and with the call's cookie jar.
func (m *module) client(jar http.CookieJar) *http.Client {
	c := &http.Client{}
	if base := m.vu.Env().HTTP; base != nil {
		*c = *base
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Jar = jar
	return c
}

// deliver runs on the JS thread: it calls back with (error) or (null, response, body).
func (m *module) deliver(reqObj *goja.Object, s *spec, out outcome) error {
	vm := m.vu.Runtime()
	if out.err != nil {
		errObj := out.err.toJS(vm)
		if !s.callbackProvided {
			m.vu.Log("error", "oHttp: unhandled request error (Node would crash on it): "+out.err.message)
			return nil
		}
		_, err := s.callback(reqObj, errObj)
		return err
	}
	_ = reqObj.Set("uri", uriObject(vm, out.uri))
	_ = reqObj.Set("method", out.method)
	_ = reqObj.Set("headers", out.headers.toJS(vm))
	body := m.bodyValue(s, out.body)
	res := m.responseObject(reqObj, out.resp, body)
	if !s.callbackProvided {
		return nil
	}
	_, err := s.callback(reqObj, goja.Null(), res, body)
	return err
}
