// Package eventproxy provides EventProxy 0.3.x, which Bmob exposes as modules.oEvent
// (an instance) and scripts may also require('eventproxy') (the constructor).
package eventproxy

import (
	_ "embed"
	"fmt"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
)

//go:embed eventproxy.js
var source string

// program is compiled once; each VM runs it to get its own constructor.
var program = goja.MustCompile("eventproxy.js", source, true)

// Constructor returns the EventProxy constructor, for require('eventproxy').
func Constructor(vu modules.VU) (goja.Value, error) {
	ctor, err := modules.CallFactory(vu.Runtime(), program, modules.WantObject)
	if err != nil {
		return nil, fmt.Errorf("eventproxy: %w", err)
	}
	return ctor, nil
}

// New returns a fresh EventProxy instance, for modules.oEvent. Its create() returns
// another fresh instance, as Bmob's local debugger did.
func New(vu modules.VU) (goja.Value, error) {
	ctor, err := Constructor(vu)
	if err != nil {
		return nil, err
	}
	obj, err := vu.Runtime().New(ctor)
	if err != nil {
		return nil, fmt.Errorf("eventproxy: new EventProxy(): %w", err)
	}
	return obj, nil
}
