package bmob

import (
	"context"
	"net/http"
	"net/url"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
)

// Argument error texts of Bmob's server module (docs/fidelity.md#wrapper-callbacks-and-argument-errors).
const (
	errNoTable    = "have not input table name!"
	errNoObjectID = "objectId is empty,so...error!"
	errNoData     = "the data of options attribute have not!"
	errBadData    = "input data error"
	errNoMethod   = "not match http method"
	errNoFileURL  = "input group or url error"
)

// Argument error codes of Bmob's server module (docs/fidelity.md#wrapper-callbacks-and-argument-errors).
const (
	codeMissing   = 60001
	codeBadData   = 60004
	codeNoMethod  = 60006
	codeNoFileURL = 60007
)

// client makes one module object's REST requests in-process and answers their
// callbacks as Bmob's module does over HTTP: (null, JSON text), even for REST
// errors. headers is what setHeader added; it may be shared with other module
// objects (the wrappers of one call share theirs, as Bmob's do).
type client struct {
	vu      modules.VU
	api     *restapi.API
	headers http.Header
	// pool runs the Go side of calls (nil: a goroutine each).
	pool *workers
}

// opts reads the options object and the callback of a call (opts, cb).
func opts(c goja.FunctionCall) (*goja.Object, goja.Callable) {
	cb, _ := goja.AssertFunction(c.Argument(1))
	obj, _ := c.Argument(0).(*goja.Object)
	return obj, cb
}

// has is Bmob's module's hasOwnProperty check: a key present with the value
// undefined passes (the URL then says "undefined", as on Bmob).
func has(o *goja.Object, key string) bool {
	return o != nil && o.Get(key) != nil
}

// text is String(value): what Bmob's module puts in a URL.
func text(v goja.Value) string {
	if v == nil {
		return "undefined"
	}
	return v.String()
}

// fail calls cb with an argument error and null data, synchronously, as Bmob's
// module does before making any request.
func (cl *client) fail(cb goja.Callable, code int, msg string) goja.Value {
	if cb != nil {
		if _, err := cb(goja.Undefined(), argError(cl.vu.Runtime(), code, msg), goja.Null()); err != nil {
			panic(err)
		}
	}
	return goja.Undefined()
}

// stringify is JSON.stringify(v); ok is false when that gives undefined (a
// function, undefined itself).
func (cl *client) stringify(v goja.Value) (string, bool) {
	vm := cl.vu.Runtime()
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	out, err := stringify(goja.Undefined(), v)
	if err != nil {
		panic(err)
	}
	if goja.IsUndefined(out) {
		return "", false
	}
	return out.String(), true
}

// call runs a REST request off the JS thread and hands the JSON text to cb.
// The headers are copied now, so a later setHeader does not reach it.
func (cl *client) call(cb goja.Callable, req restapi.Request) {
	req.Header = cl.headers.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if req.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	cl.async(cb, func(ctx context.Context) []byte { return cl.api.Serve(ctx, req).Body })
}

// async runs work off the JS thread, then calls cb(null, text) on it, as Bmob's
// module calls back after its HTTP request: text is the answer's JSON text, or
// null data when work returns nil.
func (cl *client) async(cb goja.Callable, work func(ctx context.Context) []byte) {
	done := cl.vu.RegisterCallback()
	ctx := cl.vu.Context()
	vu := cl.vu
	job := func() {
		text := work(ctx)
		done(func() error {
			if cb == nil {
				return nil
			}
			var arg goja.Value = goja.Null()
			if text != nil {
				arg = JSONText(vu, string(text))
			}
			_, err := cb(goja.Undefined(), goja.Null(), arg)
			return err
		})
	}
	if cl.pool != nil {
		cl.pool.run(job)
		return
	}
	go job()
}

// typed runs op off the JS thread as the caller the headers name, then hands
// its JSON text (a REST error's text when it fails) to cb. The headers are
// copied now, so a later setHeader does not reach it.
func (cl *client) typed(cb goja.Callable, h http.Header, op func(ctx context.Context, c *restapi.Caller) ([]byte, error)) {
	h = h.Clone()
	api := cl.api
	cl.async(cb, func(ctx context.Context) []byte {
		c, err := api.CallerFrom(ctx, h)
		if err != nil {
			return restapi.ErrorJSON(err)
		}
		text, err := op(ctx, c)
		if err != nil {
			return restapi.ErrorJSON(err)
		}
		return text
	})
}

// withBody checks o.data as Bmob's common post/put does (60004 when it is
// missing or has no JSON form) and runs op on its JSON text.
func (cl *client) withBody(h http.Header, o *goja.Object, cb goja.Callable, op func(ctx context.Context, c *restapi.Caller, body restapi.Body) ([]byte, error)) goja.Value {
	if !has(o, "data") {
		return cl.fail(cb, codeBadData, errBadData)
	}
	text, ok := cl.stringify(o.Get("data"))
	if !ok {
		return cl.fail(cb, codeBadData, errBadData)
	}
	cl.typed(cb, h, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
		return op(ctx, c, restapi.ParseBody([]byte(text)))
	})
	return goja.Undefined()
}

// withData sends o.data as the JSON body of method path: 60004 when data is
// missing or has no JSON form (Bmob's common post/put check).
func (cl *client) withData(o *goja.Object, cb goja.Callable, method, path string) goja.Value {
	if !has(o, "data") {
		return cl.fail(cb, codeBadData, errBadData)
	}
	body, ok := cl.stringify(o.Get("data"))
	if !ok {
		return cl.fail(cb, codeBadData, errBadData)
	}
	cl.call(cb, restapi.Request{Method: method, Path: path, Body: []byte(body)})
	return goja.Undefined()
}

// query sends GET path with every option as a query parameter, as Bmob's
// common query does: where as its JSON text, any other value as String(value);
// the REST side ignores the parameters it does not know (table, …).
func (cl *client) query(o *goja.Object, cb goja.Callable, path string) goja.Value {
	cl.call(cb, restapi.Request{Method: http.MethodGet, Path: path, Query: cl.params(o)})
	return goja.Undefined()
}

// params are the query parameters of Bmob's common query: where as its JSON
// text, any other option as String(value).
func (cl *client) params(o *goja.Object) url.Values {
	q := url.Values{}
	if o != nil {
		for _, k := range o.Keys() {
			v := o.Get(k)
			if k == "where" {
				if s, ok := cl.stringify(v); ok {
					q.Set(k, s)
				} else {
					q.Set(k, "undefined")
				}
				continue
			}
			q.Set(k, text(v))
		}
	}
	return q
}

// setHeader merges obj's keys into the headers later calls send.
func (cl *client) setHeader(c goja.FunctionCall) goja.Value {
	if o, ok := c.Argument(0).(*goja.Object); ok {
		for _, k := range o.Keys() {
			cl.headers.Set(k, text(o.Get(k)))
		}
	}
	return goja.Undefined()
}

// getHeader returns the header named by obj's first key, undefined when unset.
func (cl *client) getHeader(c goja.FunctionCall) goja.Value {
	o, ok := c.Argument(0).(*goja.Object)
	if !ok {
		return goja.Undefined()
	}
	keys := o.Keys()
	if len(keys) == 0 {
		return goja.Undefined()
	}
	v := cl.headers.Get(keys[0])
	if v == "" {
		return goja.Undefined()
	}
	return cl.vu.Runtime().ToValue(v)
}

// object builds a module object from its methods, plus setHeader and getHeader.
func (cl *client) object(methods map[string]func(goja.FunctionCall) goja.Value) *goja.Object {
	o := cl.vu.Runtime().NewObject()
	for name, fn := range methods {
		_ = o.Set(name, fn)
	}
	_ = o.Set("setHeader", cl.setHeader)
	_ = o.Set("getHeader", cl.getHeader)
	return o
}

func classPath(table string, id ...string) string {
	p := "/1/classes/" + url.PathEscape(table)
	for _, part := range id {
		p += "/" + url.PathEscape(part)
	}
	return p
}
