package runtime

import (
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

// responseState is the script's `response`: Express 4.13's res on top of Node's
// ServerResponse (docs/fidelity.md#the-response-object). The body is buffered; the first end/send/json
// completes the call and later ones are logged and ignored.
type responseState struct {
	v           *vu
	inv         *invocation
	status      int
	badStatus   string // the status the script set, when Node would refuse it (see setStatus)
	header      http.Header
	headersSent bool // writeHead or write was called
	written     []byte
	finished    bool
	obj         *goja.Object
}

func newResponseState(v *vu, inv *invocation) *responseState {
	return &responseState{v: v, inv: inv, status: http.StatusOK, header: http.Header{}}
}

// object makes this call's `response`: a plain object whose methods live on a
// prototype built once per VM (building ~30 native functions per call was the
// largest cost of a trivial call).
func (s *responseState) object() *goja.Object {
	v := s.v
	if v.resProto == nil {
		v.resProto = v.responsePrototype()
	}
	o := v.vm.NewObject()
	_ = o.SetPrototype(v.resProto)
	s.obj = o
	return o
}

// responseFor finds the state of the response object a method was called on. A
// response kept from an earlier call has none: its methods log and do nothing.
func (v *vu) responseFor(this goja.Value, method string) *responseState {
	if obj, ok := this.(*goja.Object); ok && v.inv != nil && v.inv.res != nil {
		if obj == v.inv.res.obj { // objects are compared by identity: a kept one is stale
			return v.inv.res
		}
	}
	if v.inv != nil {
		v.Log("warn", fmt.Sprintf("response.%s at %s ignored: called on the response of another call", method, v.callSite()))
	}
	return nil
}

func (v *vu) responsePrototype() *goja.Object {
	vm := v.vm
	proto := vm.NewObject()
	method := func(name string, fn func(s *responseState, c goja.FunctionCall) goja.Value) {
		_ = proto.Set(name, func(c goja.FunctionCall) goja.Value {
			s := v.responseFor(c.This, name)
			if s == nil {
				return c.This
			}
			return fn(s, c)
		})
	}
	method("send", (*responseState).send)
	method("json", (*responseState).json)
	method("jsonp", (*responseState).json)
	method("end", (*responseState).end)
	method("write", (*responseState).write)
	method("writeHead", (*responseState).writeHead)
	method("set", (*responseState).set)
	method("header", (*responseState).set)
	method("type", (*responseState).typeMethod)
	method("contentType", (*responseState).typeMethod)
	method("status", func(s *responseState, c goja.FunctionCall) goja.Value {
		if s.guard("status") {
			s.setStatus(c.Argument(0))
		}
		return s.obj
	})
	method("sendStatus", func(s *responseState, c goja.FunctionCall) goja.Value {
		// Checked first: after the answer, nothing may touch what the server
		// is sending (the header map was written here while it was read).
		if !s.guard("sendStatus") {
			return s.obj
		}
		s.setStatus(c.Argument(0))
		s.setType("txt")
		text := http.StatusText(s.status)
		if text == "" {
			text = strconv.Itoa(s.status)
		}
		return s.sendValue("sendStatus", vm.ToValue(text))
	})
	method("append", func(s *responseState, c goja.FunctionCall) goja.Value {
		if s.guard("append") {
			name, vals := c.Argument(0).String(), headerValues(c.Argument(1))
			s.checkHeader(name, vals)
			for _, val := range vals {
				s.header.Add(name, val)
			}
		}
		return s.obj
	})
	get := func(s *responseState, c goja.FunctionCall) goja.Value { return s.getHeader(c.Argument(0).String()) }
	method("get", get)
	method("getHeader", get)
	method("hasHeader", func(s *responseState, c goja.FunctionCall) goja.Value {
		return vm.ToValue(len(s.header.Values(c.Argument(0).String())) > 0)
	})
	method("getHeaders", func(s *responseState, _ goja.FunctionCall) goja.Value {
		out := vm.NewObject()
		for k, vals := range s.header {
			_ = out.Set(strings.ToLower(k), strings.Join(vals, ", "))
		}
		return out
	})
	method("setHeader", func(s *responseState, c goja.FunctionCall) goja.Value {
		if s.headersSent && !s.finished {
			panic(s.headersSentError())
		}
		if s.guard("setHeader") {
			name, vals := c.Argument(0).String(), headerValues(c.Argument(1))
			s.checkHeader(name, vals)
			s.header.Del(name)
			for _, val := range vals {
				s.header.Add(name, val)
			}
		}
		return s.obj
	})
	method("removeHeader", func(s *responseState, c goja.FunctionCall) goja.Value {
		if s.guard("removeHeader") {
			s.header.Del(c.Argument(0).String())
		}
		return goja.Undefined()
	})
	method("location", func(s *responseState, c goja.FunctionCall) goja.Value {
		if s.guard("location") {
			s.header.Set("Location", encodeURL(c.Argument(0).String()))
		}
		return s.obj
	})
	method("redirect", func(s *responseState, c goja.FunctionCall) goja.Value {
		if !s.guard("redirect") {
			return s.obj
		}
		url, status := c.Argument(0), vm.ToValue(http.StatusFound)
		if len(c.Arguments) > 1 {
			if isNumber(c.Argument(0)) {
				status, url = c.Argument(0), c.Argument(1)
			} else {
				status = c.Argument(1)
			}
		}
		// Encoded as Express's res.location does: a CR/LF from the caller
		// cannot split the response.
		address := encodeURL(url.String())
		s.header.Set("Location", address)
		s.setStatus(status)
		s.setType("txt")
		return s.sendValue("redirect", vm.ToValue(http.StatusText(s.status)+". Redirecting to "+address))
	})
	accessor := func(name string, get func(s *responseState) goja.Value, set func(s *responseState, v goja.Value)) {
		getter := vm.ToValue(func(c goja.FunctionCall) goja.Value {
			if s := v.responseFor(c.This, name); s != nil {
				return get(s)
			}
			return goja.Undefined()
		})
		var setter goja.Value
		if set != nil {
			setter = vm.ToValue(func(c goja.FunctionCall) goja.Value {
				if s := v.responseFor(c.This, name); s != nil {
					set(s, c.Argument(0))
				}
				return goja.Undefined()
			})
		}
		_ = proto.DefineAccessorProperty(name, getter, setter, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	accessor("statusCode", func(s *responseState) goja.Value { return vm.ToValue(s.status) },
		func(s *responseState, val goja.Value) {
			if s.guard("statusCode") {
				s.setStatus(val)
			}
		})
	accessor("headersSent", func(s *responseState) goja.Value { return vm.ToValue(s.headersSent || s.finished) }, nil)
	accessor("finished", func(s *responseState) goja.Value { return vm.ToValue(s.finished) }, nil)
	// res.locals is made on first use (Bmob scripts rarely touch it).
	accessor("locals", func(s *responseState) goja.Value {
		locals := vm.NewObject()
		_ = s.obj.DefineDataProperty("locals", locals, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		return locals
	}, nil)
	return proto
}

// guard reports whether the response may still change; after it is complete a
// change is logged with the call site and ignored (the first response wins).
func (s *responseState) guard(method string) bool {
	if !s.finished {
		return true
	}
	s.v.Log("warn", fmt.Sprintf("response.%s at %s ignored: the response was already sent (the first response wins)", method, s.v.callSite()))
	return false
}

func (s *responseState) headersSentError() *goja.Object {
	err := s.v.vm.NewGoError(fmt.Errorf("Cannot set headers after they are sent to the client"))
	_ = err.Set("code", "ERR_HTTP_HEADERS_SENT")
	return err
}

func (s *responseState) getHeader(name string) goja.Value {
	vals := s.header.Values(name)
	switch len(vals) {
	case 0:
		return goja.Undefined()
	case 1:
		return s.v.vm.ToValue(vals[0])
	}
	return s.v.vm.ToValue(vals)
}

// headerValues is a header value as Express's res.set takes it: an array
// element by element, each through JavaScript's String() (an object gives
// "[object Object]", null "null"), anything else String(value).
func headerValues(v goja.Value) []string {
	if obj, ok := v.(*goja.Object); ok && obj.ClassName() == "Array" {
		n := obj.Get("length").ToInteger()
		out := make([]string, 0, n)
		for i := range n {
			out = append(out, obj.Get(strconv.FormatInt(i, 10)).String())
		}
		return out
	}
	return []string{v.String()}
}

// set is Express's res.set: an object sets several; Content-Type gets a charset
// for text types, as the mime module's charsets.lookup gives.
func (s *responseState) set(c goja.FunctionCall) goja.Value {
	if !s.guard("set") {
		return s.obj
	}
	if obj, ok := c.Argument(0).(*goja.Object); ok && len(c.Arguments) == 1 {
		for _, k := range obj.Keys() {
			s.setOne(k, obj.Get(k))
		}
		return s.obj
	}
	s.setOne(c.Argument(0).String(), c.Argument(1))
	return s.obj
}

func (s *responseState) setOne(field string, value goja.Value) {
	vals := headerValues(value)
	if strings.EqualFold(field, "Content-Type") && len(vals) == 1 {
		vals[0] = withCharset(vals[0])
	}
	s.checkHeader(field, vals)
	s.header.Del(field)
	for _, val := range vals {
		s.header.Add(field, val)
	}
}

func withCharset(ct string) string {
	if ct == "application/json" { // what response.send(object) sets
		return "application/json; charset=utf-8"
	}
	if strings.Contains(strings.ToLower(ct), "charset") {
		return ct
	}
	base := strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	if strings.HasPrefix(base, "text/") || base == "application/json" || base == "application/javascript" {
		return ct + "; charset=utf-8"
	}
	return ct
}

var shortTypes = map[string]string{
	"html": "text/html", "txt": "text/plain", "text": "text/plain", "json": "application/json",
	"bin": "application/octet-stream", "xml": "application/xml", "js": "application/javascript",
	"css": "text/css", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
	"form": "application/x-www-form-urlencoded", "urlencoded": "application/x-www-form-urlencoded",
}

func (s *responseState) setType(t string) {
	if !strings.Contains(t, "/") {
		if full, ok := shortTypes[strings.TrimPrefix(strings.ToLower(t), ".")]; ok {
			t = full
		} else {
			t = "application/octet-stream"
		}
	}
	t = withCharset(t)
	s.checkHeader("Content-Type", []string{t})
	s.header.Set("Content-Type", t)
}

func (s *responseState) typeMethod(c goja.FunctionCall) goja.Value {
	if s.guard("type") {
		s.setType(c.Argument(0).String())
	}
	return s.obj
}

// isNumber reports whether v is a primitive number, without exporting objects.
func isNumber(v goja.Value) bool {
	if _, isObj := v.(*goja.Object); isObj || v == nil {
		return false
	}
	switch v.ExportType() {
	case reflectInt64, reflectFloat64:
		return true
	}
	return false
}

var (
	reflectInt64   = reflect.TypeOf(int64(0))
	reflectFloat64 = reflect.TypeOf(float64(0))
	reflectBytes   = reflect.TypeOf([]byte(nil))
	reflectBuffer  = reflect.TypeOf(goja.ArrayBuffer{})
)

// send is Express 4.13's res.send with every argument form.
func (s *responseState) send(c goja.FunctionCall) goja.Value {
	if !s.guard("send") {
		return s.obj
	}
	chunk := c.Argument(0)
	if len(c.Arguments) >= 2 {
		if !isNumber(c.Argument(0)) && isNumber(c.Argument(1)) {
			s.setStatus(c.Argument(1)) // send(body, status)
		} else {
			s.setStatus(c.Argument(0)) // send(status, body)
			chunk = c.Argument(1)
		}
	}
	if isNumber(chunk) && len(c.Arguments) == 1 { // send(status): the status text, as text/plain
		if s.header.Get("Content-Type") == "" {
			s.setType("txt")
		}
		s.setStatus(chunk)
		if text := http.StatusText(s.status); text != "" {
			chunk = s.v.vm.ToValue(text)
		} else {
			chunk = goja.Undefined()
		}
	}
	return s.sendValue("send", chunk)
}

func (s *responseState) sendValue(method string, chunk goja.Value) goja.Value {
	if !s.guard(method) {
		return s.obj
	}
	var body []byte
	isText := false
	switch {
	case chunk == nil || goja.IsUndefined(chunk):
	case goja.IsNull(chunk):
		body = []byte{}
	default:
		if text, ok := s.compatText(method, chunk); ok {
			body, isText = []byte(text), true
			if s.header.Get("Content-Type") == "" {
				s.setType("html")
			}
			break
		}
		if _, isObj := chunk.(*goja.Object); !isObj {
			if str, ok := chunk.Export().(string); ok {
				body, isText = []byte(str), true
				if s.header.Get("Content-Type") == "" {
					s.setType("html")
				}
				break
			}
		}
		if b, ok := bufferBytes(chunk); ok {
			body = b
			if s.header.Get("Content-Type") == "" {
				s.setType("bin")
			}
			break
		}
		return s.jsonValue(chunk)
	}
	if isText {
		if ct := s.header.Get("Content-Type"); ct != "" {
			s.header.Set("Content-Type", withCharset(ct))
		}
	}
	if s.status == http.StatusNoContent || s.status == http.StatusNotModified {
		for _, h := range []string{"Content-Type", "Content-Length", "Transfer-Encoding"} {
			s.header.Del(h)
		}
		body = nil
	}
	s.complete(body)
	return s.obj
}

// compatText reports whether chunk is a String object that compat sends as its text
// (oData's JSON text is a String object there, bmob-api extension 1). Bmob sends a
// String object as JSON, a quoted string.
func (s *responseState) compatText(method string, chunk goja.Value) (string, bool) {
	obj, ok := chunk.(*goja.Object)
	if !ok || obj.ClassName() != "String" || s.v.Env().Profile != modules.Compat {
		return "", false
	}
	s.v.Note("response."+method+" of a String object (compat JSON text) sent as its text",
		"send JSON.stringify of it, a quoted string, or throw in response.end")
	return obj.String(), true
}

func (s *responseState) json(c goja.FunctionCall) goja.Value {
	if !s.guard("json") {
		return s.obj
	}
	val := c.Argument(0)
	if len(c.Arguments) >= 2 {
		if isNumber(c.Argument(1)) {
			s.setStatus(c.Argument(1))
		} else {
			s.setStatus(c.Argument(0))
			val = c.Argument(1)
		}
	}
	return s.jsonValue(val)
}

func (s *responseState) jsonValue(val goja.Value) goja.Value {
	text, err := s.v.jsonStringify(goja.Undefined(), val)
	if err != nil {
		panic(err)
	}
	if s.header.Get("Content-Type") == "" {
		s.header.Set("Content-Type", "application/json")
	}
	return s.sendValue("json", text)
}

// end is Node's ServerResponse.end: raw bytes, no Content-Type added.
func (s *responseState) end(c goja.FunctionCall) goja.Value {
	if !s.guard("end") {
		return s.obj
	}
	data := c.Argument(0)
	if _, isFn := goja.AssertFunction(data); isFn {
		data = goja.Undefined()
	}
	var body []byte
	if !goja.IsUndefined(data) && !goja.IsNull(data) {
		body = s.chunkBytes("end", data)
	}
	s.complete(append(s.written, body...))
	return s.obj
}

func (s *responseState) write(c goja.FunctionCall) goja.Value {
	if !s.guard("write") {
		return s.v.vm.ToValue(false)
	}
	b := s.chunkBytes("write", c.Argument(0))
	s.headersSent = true
	s.written = append(s.written, b...)
	return s.v.vm.ToValue(true)
}

// chunkBytes is the body bytes of end/write; anything but a string or bytes throws
// Node's ERR_INVALID_ARG_TYPE.
func (s *responseState) chunkBytes(method string, data goja.Value) []byte {
	if text, ok := s.compatText(method, data); ok {
		return []byte(text)
	}
	if _, isObj := data.(*goja.Object); !isObj {
		if str, ok := data.Export().(string); ok {
			return []byte(str)
		}
	}
	if b, ok := bufferBytes(data); ok {
		return b
	}
	if obj, isObj := data.(*goja.Object); isObj && method == "end" && s.inv.req.EndTakesObjects {
		stringify, _ := goja.AssertFunction(s.v.vm.Get("JSON").ToObject(s.v.vm).Get("stringify"))
		text, err := stringify(goja.Undefined(), obj)
		if ex, threw := err.(*goja.Exception); threw {
			panic(ex.Value()) // a cycle: JSON.stringify's own TypeError
		}
		return []byte(text.String())
	}
	panic(nodeTypeError(s.v.vm, "ERR_INVALID_ARG_TYPE",
		`The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. Received `+describe(data)))
}

func (s *responseState) writeHead(c goja.FunctionCall) goja.Value {
	if !s.guard("writeHead") {
		return s.obj
	}
	s.setStatus(c.Argument(0))
	s.checkStatus() // Node's writeHead throws at once
	headers := c.Argument(1)
	if _, isObj := headers.(*goja.Object); !isObj && !goja.IsUndefined(headers) { // writeHead(status, statusMessage, headers)
		headers = c.Argument(2)
	}
	if obj, ok := headers.(*goja.Object); ok {
		for _, k := range obj.Keys() {
			vals := headerValues(obj.Get(k))
			s.checkHeader(k, vals)
			s.header.Del(k)
			for _, val := range vals {
				s.header.Add(k, val)
			}
		}
	}
	s.headersSent = true
	return s.obj
}

func (s *responseState) complete(body []byte) {
	s.checkStatus()
	s.finished = true
	// The header map is handed over, not copied: from here on every method
	// that changes headers is refused by guard, so whatever the script does
	// afterwards (it runs on while the answer is written), it only reads it.
	s.inv.finish(&fncall.Response{Status: s.status, Header: s.header, Body: body, Kind: fncall.Sent})
}

// bufferBytes returns the bytes of a Buffer, Uint8Array or ArrayBuffer.
func bufferBytes(v goja.Value) ([]byte, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	if t := obj.ExportType(); t != reflectBytes && t != reflectBuffer { // no export of plain objects
		return nil, false
	}
	switch x := obj.Export().(type) {
	case []byte:
		return append([]byte(nil), x...), true
	case goja.ArrayBuffer:
		return append([]byte(nil), x.Bytes()...), true
	}
	return nil, false
}
