package noderequest

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
)

// singleValued lists the response headers Node keeps only the first of.
var singleValued = map[string]bool{
	"age": true, "authorization": true, "content-length": true, "content-type": true, "etag": true,
	"expires": true, "from": true, "host": true, "if-modified-since": true, "if-unmodified-since": true,
	"last-modified": true, "location": true, "max-forwards": true, "proxy-authorization": true,
	"referer": true, "retry-after": true, "server": true, "user-agent": true,
}

// responseObject builds what request passes as `response`: the fields of Node's
// IncomingMessage scripts read, plus body, request and toJSON.
func (m *module) responseObject(reqObj *goja.Object, resp *http.Response, body goja.Value) *goja.Object {
	vm := m.vu.Runtime()
	res := vm.NewObject()
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	headers := vm.NewObject()
	var raw []any
	for _, k := range keys {
		vals := resp.Header[k]
		lower := strings.ToLower(k)
		for _, v := range vals {
			raw = append(raw, k, v)
		}
		switch {
		case lower == "set-cookie":
			items := make([]any, len(vals))
			for i, v := range vals {
				items[i] = v
			}
			_ = headers.Set(lower, vm.NewArray(items...))
		case singleValued[lower]:
			_ = headers.Set(lower, vals[0])
		default:
			_ = headers.Set(lower, strings.Join(vals, ", "))
		}
	}
	_ = res.Set("statusCode", resp.StatusCode)
	_ = res.Set("statusMessage", strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)+" "))
	_ = res.Set("httpVersion", strconv.Itoa(resp.ProtoMajor)+"."+strconv.Itoa(resp.ProtoMinor))
	_ = res.Set("httpVersionMajor", resp.ProtoMajor)
	_ = res.Set("httpVersionMinor", resp.ProtoMinor)
	_ = res.Set("headers", headers)
	_ = res.Set("rawHeaders", vm.NewArray(raw...))
	_ = res.Set("trailers", vm.NewObject())
	_ = res.Set("body", body)
	_ = res.Set("request", reqObj)
	_ = res.Set("toJSON", func(call goja.FunctionCall) goja.Value {
		this := call.This.ToObject(vm)
		out := vm.NewObject()
		_ = out.Set("statusCode", this.Get("statusCode"))
		_ = out.Set("body", this.Get("body"))
		_ = out.Set("headers", this.Get("headers"))
		_ = out.Set("request", requestJSON(vm, this.Get("request")))
		return out
	})
	return res
}

// requestJSON is request's Request.prototype.toJSON: uri, method, headers.
func requestJSON(vm *goja.Runtime, v goja.Value) goja.Value {
	obj, ok := v.(*goja.Object)
	if !ok {
		return v
	}
	out := vm.NewObject()
	for _, k := range []string{"uri", "method", "headers"} {
		_ = out.Set(k, obj.Get(k))
	}
	return out
}

// bodyValue turns the bytes into the value request gives: a string (utf8 unless
// another encoding was asked for), a Buffer with encoding:null, parsed JSON with
// json; empty bodies are ” (or an empty Buffer), and undefined in json mode.
func (m *module) bodyValue(s *spec, data []byte) goja.Value {
	vm := m.vu.Runtime()
	if len(data) == 0 {
		switch {
		case s.json:
			return goja.Undefined()
		case s.rawBuffer:
			return buffer.WrapBytes(vm, []byte{})
		}
		return vm.ToValue("")
	}
	var v goja.Value
	switch {
	case s.rawBuffer:
		v = buffer.WrapBytes(vm, data)
	case s.encoding == "":
		v = vm.ToValue(nodeUTF8(data))
	case s.encoding == "utf8":
		v = vm.ToValue(strings.TrimPrefix(nodeUTF8(data), "\uFEFF"))
	default:
		buf := buffer.WrapBytes(vm, data)
		toString, _ := goja.AssertFunction(buf.Get("toString"))
		str, err := toString(buf, vm.ToValue(s.encoding))
		if err != nil {
			str = vm.ToValue(nodeUTF8(data))
		}
		v = str
	}
	if s.json {
		parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
		args := []goja.Value{v}
		if s.jsonReviver != nil {
			args = append(args, s.jsonReviver)
		}
		if parsed, err := parse(goja.Undefined(), args...); err == nil {
			v = parsed
		}
	}
	return v
}

// nodeUTF8 decodes like Buffer.toString('utf8'): each invalid byte becomes U+FFFD.
func nodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	return sb.String()
}
