package runtime

import (
	"fmt"
	"strings"

	"github.com/dop251/goja"
)

// modulesObject builds the `modules` argument, fresh for each call so that state
// such as oData.setHeader lasts for one request only. Each module is constructed on
// first use, by a getter on a prototype built once per VM.
func (v *vu) modulesObject(inv *invocation) *goja.Object {
	if v.modsProto == nil {
		v.modsProto = v.modulesPrototype()
	}
	o := v.vm.NewObject()
	_ = o.SetPrototype(v.modsProto)
	inv.modsObj = o
	return o
}

func (v *vu) modulesPrototype() *goja.Object {
	vm := v.vm
	reg := v.fn.engine.opts.Registry
	proto := vm.NewObject()
	for _, name := range reg.AllBmobNames() {
		name := name
		getter := func(c goja.FunctionCall) goja.Value {
			this, ok := c.This.(*goja.Object)
			if !ok || v.inv == nil {
				return goja.Undefined()
			}
			if this != v.inv.modsObj {
				v.Log("warn", fmt.Sprintf("modules.%s at %s: the modules object of an earlier call was used", name, v.callSite()))
			}
			var val goja.Value
			if ctor, ok := reg.Bmob(name); ok {
				built, err := ctor(v)
				if err != nil {
					panic(vm.NewGoError(fmt.Errorf("loading modules.%s: %w", name, err)))
				}
				val = built
			} else {
				val = v.unavailableModule(name)
			}
			_ = this.DefineDataProperty(name, val, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			return val
		}
		_ = proto.DefineAccessorProperty(name, vm.ToValue(getter), nil, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
	// oHttptype is the lower-cased method of the call ("get"/"post").
	httpType := vm.ToValue(func(c goja.FunctionCall) goja.Value {
		if v.inv == nil || v.inv.req == nil {
			return vm.ToValue("")
		}
		return vm.ToValue(strings.ToLower(v.inv.req.Method))
	})
	_ = proto.DefineAccessorProperty("oHttptype", httpType, nil, goja.FLAG_TRUE, goja.FLAG_TRUE)
	return proto
}

// unavailableModule stands in for a Bmob module bmobemu does not provide: any
// method called on it throws an error that says so.
func (v *vu) unavailableModule(name string) goja.Value {
	vm := v.vm
	msg := v.fn.engine.opts.Registry.NotAvailableError("bmob", name).Error()
	thrower := func(method string) goja.Value {
		return vm.ToValue(func(goja.FunctionCall) goja.Value {
			panic(vm.NewGoError(fmt.Errorf("%s (called modules.%s.%s)", msg, name, method)))
		})
	}
	target := vm.NewObject()
	proxy := vm.NewProxy(target, &goja.ProxyTrapConfig{
		Get: func(_ *goja.Object, property string, _ goja.Value) goja.Value {
			if property == "then" || property == "toJSON" || strings.HasPrefix(property, "Symbol(") {
				return goja.Undefined()
			}
			return thrower(property)
		},
	})
	return vm.ToValue(proxy)
}
