// Package bmob provides Bmob's own modules: oData (objects and users on the store
// through the same REST semantics clients use), the wrappers oRelation, oArray,
// oAtom, oLocation, oBatch, oBql, oPush and oFile (the REST calls of Bmob's module,
// made in-process), and oFunctions (calling other cloud functions). Their
// callbacks get Bmob's JSON text, built by JSONText.
package bmob

import (
	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
)

// JSONText is the `data` a Bmob callback receives: the REST answer's JSON text.
// In the bmob profile it is a primitive string, as on Bmob. In compat it is a
// String object (so JSON.parse(data), data + ” and response.send(data) still see
// the text) whose parsed top-level fields are also readable as non-enumerable
// properties, so tutorial code such as `data.status` works; each such read logs a
// fidelity note (docs/compat.md, extension 1).
func JSONText(vu modules.VU, text string) goja.Value {
	vm := vu.Runtime()
	if vu.Env().Profile != modules.Compat {
		return vm.ToValue(text)
	}
	strObj, err := vm.New(vm.Get("String"), vm.ToValue(text))
	if err != nil {
		return vm.ToValue(text)
	}
	parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	parsed, err := parse(goja.Undefined(), vm.ToValue(text))
	if err != nil {
		return strObj
	}
	fields, ok := parsed.(*goja.Object)
	if !ok || fields.ClassName() == "Array" {
		return strObj
	}
	for _, key := range fields.Keys() {
		if strObj.Get(key) != nil { // length, and String.prototype's own names, stay as they are
			continue
		}
		key := key
		getter := vm.ToValue(func(goja.FunctionCall) goja.Value {
			vu.Note("read data."+key+" on Bmob's JSON text (compat)", "give undefined: data is a string, so JSON.parse(data) first")
			return fields.Get(key)
		})
		_ = strObj.DefineAccessorProperty(key, getter, nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	return strObj
}

// argError is the err a Bmob module passes for bad arguments (docs/fidelity.md#wrapper-callbacks-and-argument-errors):
// {error: Error(msg), code}. response.send(err) shows it as {"error":{},"code":N}.
func argError(vm *goja.Runtime, code int, msg string) goja.Value {
	o := vm.NewObject()
	errObj, _ := vm.New(vm.Get("Error"), vm.ToValue(msg))
	_ = o.Set("error", errObj)
	_ = o.Set("code", code)
	return o
}
