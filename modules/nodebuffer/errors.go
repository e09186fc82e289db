package nodebuffer

import (
	"fmt"
	"reflect"

	"github.com/dop251/goja"
	nodeerrors "github.com/dop251/goja_nodejs/errors"
)

// ErrorKind is the JavaScript constructor of a Node error.
type ErrorKind int

// The constructors Node's errors use.
const (
	KindError ErrorKind = iota
	KindTypeError
	KindRangeError
)

// Error is a Node error with a `code` property (empty Code: no property), as a Go
// error so Go helpers can return it; Throw turns it into the JavaScript error.
type Error struct {
	Kind    ErrorKind
	Code    string
	Message string
}

func (e *Error) Error() string {
	if e.Code == "" {
		return e.Message
	}
	return e.Code + ": " + e.Message
}

// NewError makes an Error of kind with Node's code and a formatted message.
func NewError(kind ErrorKind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// ToJS converts err to a JavaScript error object: an *Error keeps its constructor,
// message and code; anything else becomes a plain Error with err's text.
func ToJS(vm *goja.Runtime, err error) *goja.Object {
	e, ok := err.(*Error)
	if !ok {
		e = &Error{Message: err.Error()}
	}
	ctorName := map[ErrorKind]string{KindError: "Error", KindTypeError: "TypeError", KindRangeError: "RangeError"}[e.Kind]
	ctor, _ := vm.Get(ctorName).(*goja.Object)
	if e.Code != "" {
		return nodeerrors.NewError(vm, ctor, e.Code, "%s", e.Message)
	}
	obj, nerr := vm.New(ctor, vm.ToValue(e.Message))
	if nerr != nil {
		panic(nerr)
	}
	return obj
}

// Throw raises err in JavaScript (see ToJS). It never returns; use it only from a
// function the script called.
func Throw(vm *goja.Runtime, err error) {
	panic(ToJS(vm, err))
}

// InvalidArgType is Node's ERR_INVALID_ARG_TYPE: `The "name" argument must be
// <expected>. Received …`.
func InvalidArgType(name, expected string, got goja.Value) *Error {
	return NewError(KindTypeError, "ERR_INVALID_ARG_TYPE", "The %q argument must be %s. Received %s", name, expected, Describe(got))
}

// Describe renders a received value as Node's error messages do.
func Describe(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if o, ok := v.(*goja.Object); ok {
		if _, isFn := goja.AssertFunction(o); isFn {
			if name := o.Get("name"); name != nil && name.String() != "" {
				return "function " + name.String()
			}
			return "function "
		}
		if c, ok := o.Get("constructor").(*goja.Object); ok {
			if name := c.Get("name"); name != nil && name.String() != "" {
				return "an instance of " + name.String()
			}
		}
		return "[object Object]"
	}
	switch {
	case goja.IsString(v):
		s := v.String()
		if r := []rune(s); len(r) > 25 {
			s = string(r[:25]) + "..."
		}
		return "type string ('" + s + "')"
	case goja.IsNumber(v):
		return "type number (" + v.String() + ")"
	case v.ExportType() != nil && v.ExportType().Kind() == reflect.Bool:
		return "type boolean (" + v.String() + ")"
	}
	if goja.IsBigInt(v) {
		return "type bigint (" + v.String() + "n)"
	}
	return "type " + typeName(v) + " (" + v.String() + ")"
}

func typeName(v goja.Value) string {
	if _, ok := v.(*goja.Symbol); ok {
		return "symbol"
	}
	return v.ExportType().String()
}
