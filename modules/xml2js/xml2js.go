// Package xml2js backs `modules.oXml2js` and `require('xml2js')`: xml2js 0.4's
// parseString / Parser / parseStringPromise and Builder.buildObject, plus ParseBody,
// the parser Bmob's runtime applies to text/xml request bodies.
package xml2js

import (
	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"

	"github.com/bmobemu/bmobemu/modules"
)

// New is the constructor of the xml2js module object.
func New(vu modules.VU) (goja.Value, error) {
	vm := vu.Runtime()
	m := vm.NewObject()
	parserCtor := func(call goja.ConstructorCall) *goja.Object {
		opts := call.Argument(0)
		_ = call.This.Set("options", opts)
		_ = call.This.Set("parseString", func(c goja.FunctionCall) goja.Value {
			return parseWithCallback(vm, c.Argument(0), opts, c.Argument(1))
		})
		_ = call.This.Set("parseStringPromise", func(c goja.FunctionCall) goja.Value {
			return parsePromise(vm, c.Argument(0), opts)
		})
		return nil
	}

	builderCtor := func(call goja.ConstructorCall) *goja.Object {
		opts := buildOptions(vm, call.Argument(0))
		_ = call.This.Set("options", call.Argument(0))
		_ = call.This.Set("buildObject", func(c goja.FunctionCall) goja.Value {
			b := &builder{vm: vm, opts: opts}
			return vm.ToValue(b.build(c.Argument(0)))
		})
		return nil
	}
	for name, v := range map[string]any{
		"Parser":  parserCtor,
		"Builder": builderCtor,
		"parseString": func(c goja.FunctionCall) goja.Value {
			opts, cb := c.Argument(1), c.Argument(2)
			if _, isFn := goja.AssertFunction(opts); isFn {
				opts, cb = goja.Undefined(), opts
			}
			return parseWithCallback(vm, c.Argument(0), opts, cb)
		},
		"parseStringPromise": func(c goja.FunctionCall) goja.Value {
			return parsePromise(vm, c.Argument(0), c.Argument(1))
		},
	} {
		if err := m.Set(name, v); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// parseJS parses a string or Buffer with JS options and returns the JS result.
func parseJS(vm *goja.Runtime, input, opts goja.Value) (goja.Value, error) {
	var data []byte
	if obj, ok := input.(*goja.Object); ok && obj.ExportType() != nil && obj.ExportType().String() == "[]uint8" {
		data = buffer.Bytes(vm, obj)
	} else {
		data = []byte(input.String())
	}
	v, err := Parse(data, parseOptions(vm, opts))
	if err != nil {
		return nil, err
	}
	return toJS(vm, v), nil
}

// parseWithCallback calls cb(err) or cb(null, result) before returning, as
// xml2js 0.4 does for a synchronous parse.
func parseWithCallback(vm *goja.Runtime, input, opts, cbArg goja.Value) goja.Value {
	cb, ok := goja.AssertFunction(cbArg)
	if !ok {
		panic(vm.NewTypeError("xml2js: parseString needs a callback function"))
	}
	res, err := parseJS(vm, input, opts)
	var cerr error
	if err != nil {
		_, cerr = cb(goja.Undefined(), newError(vm, err.Error()))
	} else {
		_, cerr = cb(goja.Undefined(), goja.Null(), res)
	}
	if cerr != nil {
		panic(cerr)
	}
	return goja.Undefined()
}

func parsePromise(vm *goja.Runtime, input, opts goja.Value) goja.Value {
	promise, resolve, reject := vm.NewPromise()
	res, err := parseJS(vm, input, opts)
	if err != nil {
		_ = reject(newError(vm, err.Error()))
	} else {
		_ = resolve(res)
	}
	return vm.ToValue(promise)
}

func newError(vm *goja.Runtime, msg string) goja.Value {
	obj, err := vm.New(vm.Get("Error"), vm.ToValue(msg))
	if err != nil {
		return vm.NewGoError(err)
	}
	return obj
}

// parseOptions reads xml2js parser options from a JS object.
func parseOptions(vm *goja.Runtime, v goja.Value) ParseOptions {
	o := DefaultParseOptions()
	obj, ok := v.(*goja.Object)
	if !ok {
		return o
	}
	flag := func(name string, dst *bool) {
		if x := obj.Get(name); x != nil && !goja.IsUndefined(x) {
			*dst = x.ToBoolean()
		}
	}
	flag("explicitArray", &o.ExplicitArray)
	flag("explicitRoot", &o.ExplicitRoot)
	flag("explicitCharkey", &o.ExplicitCharkey)
	flag("trim", &o.Trim)
	flag("normalize", &o.Normalize)
	flag("normalizeTags", &o.NormalizeTags)
	flag("mergeAttrs", &o.MergeAttrs)
	flag("ignoreAttrs", &o.IgnoreAttrs)
	if x := obj.Get("attrkey"); x != nil && !goja.IsUndefined(x) {
		o.AttrKey = x.String()
	}
	if x := obj.Get("charkey"); x != nil && !goja.IsUndefined(x) {
		o.CharKey = x.String()
	}
	if x := obj.Get("emptyTag"); x != nil && !goja.IsUndefined(x) {
		if s, isStr := x.Export().(string); !isStr || s != "" {
			o.EmptyTag, o.EmptyTagSet = x.Export(), true
		}
	}
	return o
}

// buildOptions reads xml2js Builder options from a JS object.
func buildOptions(vm *goja.Runtime, v goja.Value) BuildOptions {
	o := DefaultBuildOptions()
	obj, ok := v.(*goja.Object)
	if !ok {
		return o
	}
	str := func(src *goja.Object, name string, dst *string) {
		if x := src.Get(name); x != nil && !goja.IsUndefined(x) {
			*dst = x.String()
		}
	}
	str(obj, "rootName", &o.RootName)
	str(obj, "attrkey", &o.AttrKey)
	str(obj, "charkey", &o.CharKey)
	if x := obj.Get("headless"); x != nil {
		o.Headless = x.ToBoolean()
	}
	if x := obj.Get("cdata"); x != nil {
		o.CData = x.ToBoolean()
	}
	if r, ok := obj.Get("renderOpts").(*goja.Object); ok {
		if x := r.Get("pretty"); x != nil && !goja.IsUndefined(x) {
			o.Pretty = x.ToBoolean()
		}
		str(r, "indent", &o.Indent)
		str(r, "newline", &o.Newline)
	}
	if d, ok := obj.Get("xmldec").(*goja.Object); ok {
		o.XMLDec = nil
		for _, k := range []string{"version", "encoding"} {
			if x := d.Get(k); x != nil && !goja.IsUndefined(x) {
				o.XMLDec = append(o.XMLDec, [2]string{k, x.String()})
			}
		}
		if x := d.Get("standalone"); x != nil && !goja.IsUndefined(x) {
			val := "no"
			if x.ToBoolean() {
				val = "yes"
			}
			o.XMLDec = append(o.XMLDec, [2]string{"standalone", val})
		}
	}
	return o
}
