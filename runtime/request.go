package runtime

import (
	"encoding/json"
	"strings"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
)

// requestObject builds the script's `request`: the parts of Express 4's req that
// Bmob scripts use (docs/fidelity.md#the-request-object). method, query, body and headers are own
// properties; the rarer ones (url, path, ip, params…) are getters on a prototype
// built once per VM, which keeps a call's allocations down.
func (v *vu) requestObject(r *fncall.Request) goja.Value {
	vm := v.vm
	if v.reqProto == nil {
		v.reqProto = v.requestPrototype()
	}
	o := vm.NewObject()
	_ = o.SetPrototype(v.reqProto)
	v.inv.reqObj = o
	_ = o.Set("method", r.Method)
	_ = o.Set("query", v.pairsObject(r.Query))
	headers := vm.NewObject()
	for k, vals := range r.Header {
		name := strings.ToLower(k)
		var val goja.Value = vm.ToValue(strings.Join(vals, ", "))
		if name == "set-cookie" {
			val = vm.ToValue(vals)
		}
		_ = headers.DefineDataProperty(name, val, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE) // a __proto__ header stays a field
	}
	_ = o.Set("headers", headers)
	_ = o.Set("body", v.bodyValue(r.Body))
	return o
}

// requestPrototype holds request.get/header and the getters of the rarer fields,
// built once per VM. A getter reads the Request of the call its object belongs to.
func (v *vu) requestPrototype() *goja.Object {
	vm := v.vm
	proto := vm.NewObject()
	get := func(c goja.FunctionCall) goja.Value {
		this, ok := c.This.(*goja.Object)
		if !ok {
			return goja.Undefined()
		}
		headers, ok := this.Get("headers").(*goja.Object)
		if !ok {
			return goja.Undefined()
		}
		name := strings.ToLower(c.Argument(0).String())
		if name == "referrer" {
			name = "referer"
		}
		return headers.Get(name)
	}
	_ = proto.Set("get", get)
	_ = proto.Set("header", get)
	field := func(name string, value func(r *fncall.Request) any) {
		getter := vm.ToValue(func(c goja.FunctionCall) goja.Value {
			this, ok := c.This.(*goja.Object)
			if !ok || v.inv == nil || v.inv.req == nil {
				return goja.Undefined()
			}
			if this != v.inv.reqObj {
				return goja.Undefined() // a request kept from an earlier call
			}
			val := vm.ToValue(value(v.inv.req))
			_ = this.DefineDataProperty(name, val, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			return val
		})
		setter := vm.ToValue(func(c goja.FunctionCall) goja.Value {
			if this, ok := c.This.(*goja.Object); ok {
				_ = this.DefineDataProperty(name, c.Argument(0), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			}
			return goja.Undefined()
		})
		_ = proto.DefineAccessorProperty(name, getter, setter, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
	field("url", func(r *fncall.Request) any { return r.URL })
	field("originalUrl", func(r *fncall.Request) any { return r.URL })
	field("path", func(r *fncall.Request) any { return r.Path })
	field("ip", func(r *fncall.Request) any { return r.IP })
	field("ips", func(r *fncall.Request) any { return vm.NewArray() })
	field("hostname", func(r *fncall.Request) any { return r.Hostname })
	field("protocol", func(r *fncall.Request) any { return r.Protocol })
	field("secure", func(r *fncall.Request) any { return r.Protocol == "https" })
	field("xhr", func(r *fncall.Request) any {
		return strings.EqualFold(r.Header.Get("X-Requested-With"), "XMLHttpRequest")
	})
	field("params", func(r *fncall.Request) any {
		params := vm.NewObject()
		for k, val := range r.Params {
			_ = params.Set(k, val)
		}
		return params
	})
	return proto
}

// pairsObject turns ordered pairs into an object as Node's querystring.parse does:
// strings, and an array of strings for a repeated key.
func (v *vu) pairsObject(pairs []fncall.Pair) *goja.Object {
	if len(pairs) == 0 {
		return v.vm.NewObject()
	}
	var order []string
	values := map[string][]any{}
	for _, p := range pairs {
		if _, seen := values[p.Key]; !seen {
			order = append(order, p.Key)
		}
		values[p.Key] = append(values[p.Key], p.Value)
	}
	o := v.vm.NewObject()
	for _, k := range order {
		var val goja.Value
		if vals := values[k]; len(vals) == 1 {
			val = v.vm.ToValue(vals[0])
		} else {
			val = v.vm.NewArray(vals...)
		}
		// Defined, not assigned: a key named __proto__ stays a plain field
		// instead of replacing the object's prototype.
		_ = o.DefineDataProperty(k, val, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
	return o
}

func (v *vu) bodyValue(b fncall.Body) goja.Value {
	vm := v.vm
	switch b.Kind {
	case fncall.BodyJSON:
		// JSON.parse in the VM keeps the key order of the text, so a script's
		// JSON.stringify(request.body) gives back the same bytes (WeChat notifies).
		val, err := v.jsonParse(goja.Undefined(), vm.ToValue(string(b.Raw)))
		if err == nil {
			return val
		}
	case fncall.BodyForm:
		return v.pairsObject(b.Form)
	case fncall.BodyXML:
		if b.Raw != nil {
			if val, err := v.jsonParse(goja.Undefined(), vm.ToValue(string(b.Raw))); err == nil {
				return val
			}
		}
		if text, err := json.Marshal(b.Value); err == nil {
			if val, err := v.jsonParse(goja.Undefined(), vm.ToValue(string(text))); err == nil {
				return val
			}
		}
	}
	return vm.NewObject()
}
