package modules

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// The factory gets the arguments in order, and its object comes back in both modes.
func TestCallFactoryPassesArgumentsAndReturnsTheObject(t *testing.T) {
	prog := goja.MustCompile("f.js", `(function (a, b) { return {sum: a + b}; })`, true)
	for _, want := range []FactoryResult{WantObject, AnyResult} {
		vm := goja.New()
		obj, err := CallFactory(vm, prog, want, vm.ToValue(2), vm.ToValue(40))
		if err != nil {
			t.Fatalf("mode %d: %v", want, err)
		}
		if obj == nil || obj.Get("sum").ToInteger() != 42 {
			t.Errorf("mode %d: got %v, want {sum: 42}", want, obj)
		}
	}
}

// A factory run for its side effects may return nothing under AnyResult; under
// WantObject that is an error naming what came back.
func TestCallFactoryNonObjectResult(t *testing.T) {
	prog := goja.MustCompile("f.js", `(function (g) { g.installed = true; return 7; })`, true)

	vm := goja.New()
	obj, err := CallFactory(vm, prog, AnyResult, vm.GlobalObject())
	if err != nil || obj != nil {
		t.Errorf("AnyResult: got %v, %v; want nil object, no error", obj, err)
	}
	if !vm.Get("installed").ToBoolean() {
		t.Error("AnyResult: the factory did not run")
	}

	vm = goja.New()
	obj, err = CallFactory(vm, prog, WantObject, vm.GlobalObject())
	if err == nil || !strings.Contains(err.Error(), "factory returned 7, not an object") {
		t.Errorf("WantObject: got %v, %v; want a not-an-object error", obj, err)
	}
}

// A throwing factory and a program that is not a function are errors in both modes.
func TestCallFactoryErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"throws", `(function () { throw new TypeError("no luck"); })`, "building module: TypeError: no luck"},
		{"not a function", `({})`, "loading: program does not evaluate to a function"},
		{"program throws", `(function () {})(); null.x`, "loading: TypeError"},
	}
	for _, c := range cases {
		prog := goja.MustCompile("f.js", c.src, true)
		for _, want := range []FactoryResult{WantObject, AnyResult} {
			obj, err := CallFactory(goja.New(), prog, want)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s, mode %d: got %v, %v; want an error containing %q", c.name, want, obj, err, c.want)
			}
		}
	}
}
