package modules

import (
	"fmt"

	"github.com/dop251/goja"
)

// FactoryResult says what CallFactory accepts from the factory it calls.
type FactoryResult int

const (
	// WantObject makes a factory that returns anything but an object an error:
	// the caller uses the result as a module's exports.
	WantObject FactoryResult = iota
	// AnyResult accepts whatever the factory returns; a result that is not an
	// object comes back as a nil *goja.Object. Factories that install globals
	// as a side effect return nothing.
	AnyResult
)

// CallFactory runs a compiled program that evaluates to a function and calls that
// function with args. Modules and globals written in JavaScript are such factories,
// so that one compiled program serves every VM while each VM gets its own values.
func CallFactory(vm *goja.Runtime, prog *goja.Program, want FactoryResult, args ...goja.Value) (*goja.Object, error) {
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
	if !ok && want == WantObject {
		return nil, fmt.Errorf("building module: factory returned %s, not an object", res)
	}
	return obj, nil
}
