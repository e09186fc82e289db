// Package nodecore provides the Node core modules Bmob scripts reach for and goja_nodejs
// lacks or only half provides: querystring, url (legacy API plus WHATWG URL), util and
// events. Each constructor builds a fresh module value for one VM.
package nodecore

import (
	"fmt"

	"github.com/dop251/goja"
)

// callFactory runs a compiled program that evaluates to a function and calls that
// function with args; the modules written in JavaScript are such factories, so that
// one compiled program serves every VM.
func callFactory(vm *goja.Runtime, prog *goja.Program, args ...goja.Value) (*goja.Object, error) {
	v, err := vm.RunProgram(prog)
	if err != nil {
		return nil, fmt.Errorf("loading: %w", err)
	}
	fn, ok := goja.AssertFunction(v)
	if !ok {
		return nil, fmt.Errorf("loading: program does not evaluate to a function")
	}
	res, err := fn(goja.Undefined(), args...)
	if err != nil {
		return nil, fmt.Errorf("building module: %w", err)
	}
	obj, ok := res.(*goja.Object)
	if !ok {
		return nil, fmt.Errorf("building module: factory returned %s, not an object", res)
	}
	return obj, nil
}
