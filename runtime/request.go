package runtime

import (
	"encoding/json"
	"strings"

	"github.com/dop251/goja"
)

// requestObject builds the script's `request`: the parts of Express 4's req that
// Bmob scripts use (bmob-api.md §2).
func (v *vu) requestObject(r *Request) goja.Value {
	vm := v.vm
	o := vm.NewObject()
	_ = o.Set("method", r.Method)
	_ = o.Set("url", r.URL)
	_ = o.Set("originalUrl", r.URL)
	_ = o.Set("path", r.Path)
	_ = o.Set("ip", r.IP)
	_ = o.Set("ips", vm.NewArray())
	_ = o.Set("hostname", r.Hostname)
	_ = o.Set("protocol", r.Protocol)
	_ = o.Set("secure", r.Protocol == "https")
	_ = o.Set("query", v.pairsObject(r.Query))
	params := vm.NewObject()
	for k, val := range r.Params {
		_ = params.Set(k, val)
	}
	_ = o.Set("params", params)

	headers := vm.NewObject()
	for k, vals := range r.Header {
		name := strings.ToLower(k)
		if name == "set-cookie" {
			_ = headers.Set(name, vals)
			continue
		}
		_ = headers.Set(name, strings.Join(vals, ", "))
	}
	_ = o.Set("headers", headers)
	if v.reqProto == nil {
		v.reqProto = v.requestPrototype()
	}
	_ = o.SetPrototype(v.reqProto)
	_ = o.Set("xhr", strings.EqualFold(r.Header.Get("X-Requested-With"), "XMLHttpRequest"))
	_ = o.Set("body", v.bodyValue(r.Body))
	return o
}

// requestPrototype holds request.get/header, built once per VM.
func (v *vu) requestPrototype() *goja.Object {
	proto := v.vm.NewObject()
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
	return proto
}

// pairsObject turns ordered pairs into an object as Node's querystring.parse does:
// strings, and an array of strings for a repeated key.
func (v *vu) pairsObject(pairs []Pair) *goja.Object {
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
		if vals := values[k]; len(vals) == 1 {
			_ = o.Set(k, vals[0])
		} else {
			_ = o.Set(k, v.vm.NewArray(vals...))
		}
	}
	return o
}

func (v *vu) bodyValue(b Body) goja.Value {
	vm := v.vm
	switch b.Kind {
	case BodyJSON:
		// JSON.parse in the VM keeps the key order of the text, so a script's
		// JSON.stringify(request.body) gives back the same bytes (WeChat notifies).
		parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
		val, err := parse(goja.Undefined(), vm.ToValue(string(b.Raw)))
		if err == nil {
			return val
		}
	case BodyForm:
		return v.pairsObject(b.Form)
	case BodyXML:
		if text, err := json.Marshal(b.Value); err == nil {
			parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
			if val, err := parse(goja.Undefined(), vm.ToValue(string(text))); err == nil {
				return val
			}
		}
	}
	return vm.NewObject()
}
