package nodecore

import (
	_ "embed"
	"fmt"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
)

//go:embed events.js
var eventsSource string

var eventsProgram = goja.MustCompile("events.js", eventsSource, true)

// Events is the constructor of Node's events module: the EventEmitter constructor,
// which also carries .EventEmitter, .once and .listenerCount.
func Events(vu modules.VU) (goja.Value, error) {
	vm := vu.Runtime()
	core, err := loadInspect(vm)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	warn := vm.ToValue(func(msg string) { vu.Log("warn", msg) })
	ee, err := modules.CallFactory(vm, eventsProgram, modules.WantObject, core.Get("inspect"), warn)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	return ee, nil
}
