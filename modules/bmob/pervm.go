package bmob

import (
	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
)

// vmState is what this package builds once per VM and reuses on every call:
// oData's methods and the getters of compat's JSON text. It hangs off the VM's
// global object under a symbol no script can name, so it lives and dies with
// the VM.
type vmState struct {
	data    map[*restapi.API]*dataVM
	getters map[string]goja.Value // JSONText's field getters, by field name
}

// stateSymbol keys vmState on a VM's global object.
var stateSymbol = goja.NewSymbol("bmobemu.bmob.state")

// stateOf is vu's vmState, made on first use.
func stateOf(vu modules.VU) *vmState {
	vm := vu.Runtime()
	global := vm.GlobalObject()
	if v := global.GetSymbol(stateSymbol); v != nil {
		if s, ok := v.Export().(*vmState); ok {
			return s
		}
	}
	s := &vmState{data: map[*restapi.API]*dataVM{}, getters: map[string]goja.Value{}}
	_ = global.DefineDataPropertySymbol(stateSymbol, vm.ToValue(s), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	return s
}
