// Package jsjson is JSON.stringify for the scripts' VMs, written against
// goja's public API so that it can stop. goja's own JSON.stringify runs in Go
// from start to end: a VM interrupt (the call's timeout, the memory limit)
// waits until it returns, and a script can make it run for minutes (a cycle
// check that walks the whole nesting for each object: quadratic in the depth)
// or build a string of gigabytes (the same large array referenced a thousand
// times). This one gives the same text, and on top of it:
//
//   - nesting deeper than MaxDepth throws RangeError "Maximum call stack size
//     exceeded", as Node does (Node 20 stops at 4,172 nested arrays);
//   - a result longer than MaxLength UTF-16 units throws RangeError "Invalid
//     string length", V8's limit;
//   - Stop is asked every few hundred values, and when it says stop the
//     stringify throws at once, so the VM's pending interrupt takes over.
package jsjson

import (
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// MaxDepth is how deep values may nest: Node 20 on its default stack throws at
// 4,172 nested arrays or objects.
const MaxDepth = 4000

// MaxLength is V8's longest string, in UTF-16 units (2^29 - 24): Node throws
// RangeError "Invalid string length" beyond it.
const MaxLength = 1<<29 - 24

// checkEvery is how many values pass between two calls of Stop.
const checkEvery = 256

// Limits bound one VM's stringify.
type Limits struct {
	// Stop reports whether the VM is being interrupted (timeout, memory). nil:
	// never.
	Stop func() bool
	// MaxLength bounds the result in UTF-16 units; 0 means MaxLength.
	MaxLength int
}

// Install replaces vm's JSON.stringify with Stringify under limits.
func Install(vm *goja.Runtime, limits Limits) error {
	s, err := New(vm, limits)
	if err != nil {
		return err
	}
	jsonObject := vm.Get("JSON").ToObject(vm)
	fn := vm.ToValue(s.Call).(*goja.Object)
	// Like the builtin: JSON.stringify.length is 3 and its name "stringify".
	if err := fn.DefineDataProperty("length", vm.ToValue(3), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return err
	}
	if err := fn.DefineDataProperty("name", vm.ToValue("stringify"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return err
	}
	return jsonObject.DefineDataProperty("stringify", fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// Stringifier is one VM's JSON.stringify.
type Stringifier struct {
	vm         *goja.Runtime
	limits     Limits
	rangeError *goja.Object // the VM's RangeError constructor
}

// New makes vm's stringifier.
func New(vm *goja.Runtime, limits Limits) (*Stringifier, error) {
	if limits.MaxLength <= 0 {
		limits.MaxLength = MaxLength
	}
	ctor, ok := vm.Get("RangeError").(*goja.Object)
	if !ok {
		return nil, errNoRangeError
	}
	return &Stringifier{vm: vm, limits: limits, rangeError: ctor}, nil
}

type constError string

func (e constError) Error() string { return string(e) }

const errNoRangeError = constError("jsjson: the VM has no RangeError constructor")

// Call is JSON.stringify(value, replacer, space) as a goja function.
func (s *Stringifier) Call(call goja.FunctionCall) goja.Value {
	return s.Stringify(call.Argument(0), call.Argument(1), call.Argument(2))
}

// Stringify is JSON.stringify(value, replacer, space): a string, or undefined
// when value has no JSON form. It panics with the JavaScript exception it
// throws, as goja's natives do.
func (s *Stringifier) Stringify(value, replacer, space goja.Value) goja.Value {
	w := writer{s: s, vm: s.vm, maxLength: s.limits.MaxLength, stop: s.limits.Stop}
	if r, ok := replacer.(*goja.Object); ok {
		if w.isArray(r) {
			w.properties = w.propertyList(r)
			w.hasPropertyList = true
		} else if f, ok := goja.AssertFunction(r); ok {
			w.replacer = f
		}
	}
	w.gap = w.gapOf(space)
	var holder *goja.Object
	if w.replacer != nil {
		// The replacer sees {"": value} as the holder of the top value.
		holder = s.vm.NewObject()
		_ = holder.Set("", value)
	}
	if !w.value("", value, holder) {
		return goja.Undefined()
	}
	return s.vm.ToValue(string(w.buf))
}

// writer is one stringify's state.
type writer struct {
	s               *Stringifier
	vm              *goja.Runtime
	buf             []byte
	units           int // the result's length so far in UTF-16 units
	maxLength       int
	stop            func() bool
	sinceCheck      int
	replacer        goja.Callable
	properties      []string // the replacer array's names
	hasPropertyList bool
	gap, indent     string
	stack           []*goja.Object            // the objects being written, outermost first
	onStack         map[*goja.Object]struct{} // the same, once the stack is deep
}

var (
	typeBigInt     = reflect.TypeOf((*big.Int)(nil))
	typeMap        = reflect.TypeOf(map[string]any(nil))
	typeSlice      = reflect.TypeOf([]any(nil))
	typeProxy      = reflect.TypeOf(goja.Proxy{})
	typeMarshaler  = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	typeEncodable  = reflect.TypeOf((*goja.JsonEncodable)(nil)).Elem()
	typeBool       = reflect.TypeOf(true)
	typeString     = reflect.TypeOf("")
	typeInt64      = reflect.TypeOf(int64(0))
	typeFloat64    = reflect.TypeOf(float64(0))
	errDepthText   = "Maximum call stack size exceeded"
	errCycleText   = "Converting circular structure to JSON"
	errLengthText  = "Invalid string length"
	errStoppedText = "JSON.stringify stopped: the call is being interrupted"
)

// keyValue is key as a JavaScript value, for toJSON and the replacer.
func (w *writer) keyValue(key string) goja.Value { return w.vm.ToValue(key) }

func (w *writer) throwRange(msg string) {
	obj, err := w.vm.New(w.s.rangeError, w.vm.ToValue(msg))
	if err != nil {
		panic(err)
	}
	panic(w.vm.ToValue(obj)) // goja turns a panicking Value into a throw
}

func (w *writer) throwType(msg string) { panic(w.vm.NewTypeError(msg)) }

// tick asks Stop every checkEvery values.
func (w *writer) tick() {
	w.sinceCheck++
	if w.sinceCheck < checkEvery {
		return
	}
	w.sinceCheck = 0
	if w.stop != nil && w.stop() {
		panic(w.vm.NewGoError(constError(errStoppedText)))
	}
}

// write appends ASCII text.
func (w *writer) write(text string) {
	w.units += len(text)
	if w.units > w.maxLength {
		w.throwRange(errLengthText)
	}
	w.buf = append(w.buf, text...)
}

func (w *writer) writeByte(b byte) {
	w.units++
	if w.units > w.maxLength {
		w.throwRange(errLengthText)
	}
	w.buf = append(w.buf, b)
}

// writeText appends text that may hold non-ASCII characters (the gap).
func (w *writer) writeText(text string) {
	w.units += UTF16Len(text)
	if w.units > w.maxLength {
		w.throwRange(errLengthText)
	}
	w.buf = append(w.buf, text...)
}

// truncate drops what was written after the mark (an omitted property).
func (w *writer) truncate(mark, units int) {
	w.buf = w.buf[:mark]
	w.units = units
}

// gapOf is the indent unit of space, as the specification says: a number
// gives that many spaces (at most 10), a string its first 10 characters.
func (w *writer) gapOf(space goja.Value) string {
	if space == nil || goja.IsUndefined(space) {
		return ""
	}
	if o, ok := space.(*goja.Object); ok {
		switch o.ClassName() {
		case "Number":
			space = o.ToNumber()
		case "String":
			space = o.ToString()
		}
	}
	switch space.ExportType() {
	case typeInt64, typeFloat64:
		f := space.ToFloat()
		if math.IsNaN(f) || f < 1 {
			return ""
		}
		return strings.Repeat(" ", int(math.Min(10, f)))
	}
	if str, ok := space.(goja.String); ok {
		if str.Length() > 10 {
			str = str.Substring(0, 10)
		}
		return str.String()
	}
	return ""
}

// propertyList is the names a replacer array keeps, in order, once each.
func (w *writer) propertyList(list *goja.Object) []string {
	n := toLength(list.Get("length"))
	seen := map[string]bool{}
	names := make([]string, 0, n)
	for i := int64(0); i < n; i++ {
		v := list.Get(strconv.FormatInt(i, 10))
		var name string
		switch x := v.(type) {
		case goja.String:
			name = x.String()
		case *goja.Object:
			switch x.ClassName() {
			case "Number", "String":
				name = x.String()
			default:
				continue
			}
		default:
			t := v.ExportType()
			if t != typeInt64 && t != typeFloat64 {
				continue
			}
			name = v.String()
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return names
}

func toLength(v goja.Value) int64 {
	if v == nil {
		return 0
	}
	i := v.ToInteger()
	if i < 0 {
		return 0
	}
	return min(i, 1<<53-1)
}

// isArray is Array.isArray: arrays, Go slices, and proxies of arrays.
func (w *writer) isArray(o *goja.Object) bool {
	if o.ClassName() == "Array" {
		return true
	}
	if o.ExportType() == typeProxy {
		if p, ok := o.Export().(goja.Proxy); ok {
			if t := p.Target(); t != nil {
				return w.isArray(t)
			}
		}
	}
	return false
}

// value writes the value held at key (holder is the object holding it, needed
// only by a replacer function): false when it has no JSON form (undefined, a
// function, a symbol), which the caller writes as null in an array and leaves
// out of an object.
func (w *writer) value(key string, v goja.Value, holder *goja.Object) bool {
	w.tick()
	if v == nil {
		v = goja.Undefined()
	}
	// toJSON, on objects and BigInts.
	switch x := v.(type) {
	case *goja.Object:
		if f, ok := goja.AssertFunction(x.Get("toJSON")); ok {
			v = w.call(f, x, w.keyValue(key))
		}
	default:
		if v.ExportType() == typeBigInt {
			if f, ok := goja.AssertFunction(v.ToObject(w.vm).Get("toJSON")); ok {
				v = w.call(f, v, w.keyValue(key))
			}
		}
	}
	if w.replacer != nil {
		v = w.call(w.replacer, holder, w.keyValue(key), v)
	}
	if o, ok := v.(*goja.Object); ok {
		unwrapped, raw, done := w.unwrap(o)
		if done {
			w.writeText(raw)
			return true
		}
		v = unwrapped
	}
	switch x := v.(type) {
	case *goja.Object:
		if x.ClassName() == "RawJSON" {
			w.writeText(x.Get("rawJSON").String())
			return true
		}
		if _, callable := goja.AssertFunction(x); callable {
			return false
		}
		w.enter(x)
		if w.isArray(x) {
			w.array(x)
		} else {
			w.object(x)
		}
		w.leave()
		return true
	case goja.String:
		w.quote(x)
		return true
	case *goja.Symbol:
		return false
	}
	if goja.IsUndefined(v) {
		return false
	}
	if goja.IsNull(v) {
		w.write("null")
		return true
	}
	switch v.ExportType() {
	case typeBool:
		if v.ToBoolean() {
			w.write("true")
		} else {
			w.write("false")
		}
	case typeInt64:
		w.write(v.String())
	case typeFloat64:
		if f := v.ToFloat(); math.IsNaN(f) || math.IsInf(f, 0) {
			w.write("null")
		} else {
			w.write(v.String())
		}
	case typeBigInt:
		w.throwType("Do not know how to serialize a BigInt")
	default:
		return false
	}
	return true
}

// call calls f and rethrows what it throws.
func (w *writer) call(f goja.Callable, this goja.Value, args ...goja.Value) goja.Value {
	r, err := f(this, args...)
	if err != nil {
		panic(err)
	}
	return r
}

// unwrap turns a Number, String, Boolean or BigInt wrapper into its primitive,
// and a Go value that encodes itself into its encoding (raw JSON text, done).
func (w *writer) unwrap(o *goja.Object) (v goja.Value, raw string, done bool) {
	switch o.ClassName() {
	case "Number":
		return o.ToNumber(), "", false
	case "String":
		return o.ToString(), "", false
	case "Boolean":
		return w.vm.ToValue(o.Export() == true), "", false
	}
	t := o.ExportType()
	if t == nil || t == typeMap || t == typeSlice || t == typeProxy {
		return o, "", false
	}
	switch {
	case t == typeBigInt: // Object(1n): its BigInt, which has no JSON form
		return w.vm.ToValue(o.Export()), "", false
	case t == typeString && o.ClassName() == "Object": // Object(Symbol()): like the symbol, nothing
		return goja.Undefined(), "", false
	}
	if t.Implements(typeEncodable) {
		if e, ok := o.Export().(goja.JsonEncodable); ok {
			return w.vm.ToValue(e.JsonEncodable()), "", false
		}
	}
	if t.Implements(typeMarshaler) {
		if m, ok := o.Export().(json.Marshaler); ok {
			b, err := m.MarshalJSON()
			if err != nil {
				panic(w.vm.NewGoError(err))
			}
			return nil, string(b), true
		}
	}
	return o, "", false
}

// enter puts o on the stack, refusing a cycle and nesting beyond MaxDepth. A
// shallow stack is searched; a deep one is also kept in a set, so that deep
// nesting costs no more than shallow (goja's search makes it quadratic).
func (w *writer) enter(o *goja.Object) {
	if len(w.stack) >= MaxDepth {
		w.throwRange(errDepthText)
	}
	if w.onStack != nil {
		if _, seen := w.onStack[o]; seen {
			w.throwType(errCycleText)
		}
	} else {
		for _, seen := range w.stack {
			if seen == o {
				w.throwType(errCycleText)
			}
		}
		if len(w.stack) == searchedDepth {
			w.onStack = make(map[*goja.Object]struct{}, 2*searchedDepth)
			for _, on := range w.stack {
				w.onStack[on] = struct{}{}
			}
		}
	}
	w.stack = append(w.stack, o)
	if w.onStack != nil {
		w.onStack[o] = struct{}{}
	}
}

// leave takes the innermost object off the stack.
func (w *writer) leave() {
	last := len(w.stack) - 1
	if w.onStack != nil {
		delete(w.onStack, w.stack[last])
	}
	w.stack = w.stack[:last]
}

// searchedDepth is the nesting up to which the stack is searched for a cycle.
const searchedDepth = 32

func (w *writer) array(a *goja.Object) {
	n := toLength(a.Get("length"))
	if n == 0 {
		w.write("[]")
		return
	}
	outer := w.indent
	w.indent += w.gap
	w.writeByte('[')
	for i := int64(0); i < n; i++ {
		if i > 0 {
			w.writeByte(',')
		}
		if w.gap != "" {
			w.writeByte('\n')
			w.writeText(w.indent)
		}
		key := strconv.FormatInt(i, 10)
		if !w.value(key, a.Get(key), a) {
			w.write("null")
		}
	}
	if w.gap != "" {
		w.writeByte('\n')
		w.writeText(outer)
	}
	w.indent = outer
	w.writeByte(']')
}

func (w *writer) object(o *goja.Object) {
	names := w.properties
	if !w.hasPropertyList {
		names = o.Keys()
	}
	outer := w.indent
	w.indent += w.gap
	w.writeByte('{')
	empty := true
	for _, name := range names {
		mark, units := len(w.buf), w.units
		if !empty {
			w.writeByte(',')
		}
		if w.gap != "" {
			w.writeByte('\n')
			w.writeText(w.indent)
		}
		w.quoteKey(name)
		if w.gap != "" {
			w.write(": ")
		} else {
			w.writeByte(':')
		}
		if w.value(name, o.Get(name), o) {
			empty = false
		} else {
			w.truncate(mark, units)
		}
	}
	if !empty && w.gap != "" {
		w.writeByte('\n')
		w.writeText(outer)
	}
	w.indent = outer
	w.writeByte('}')
}

const hexDigits = "0123456789abcdef"

// quote writes s as a JSON string: the escapes of the specification, and a
// lone surrogate as \uXXXX (well-formed JSON.stringify).
func (w *writer) quote(s goja.String) {
	text := s.String()
	n := s.Length()
	if n == len(text) { // all ASCII
		w.quoteASCII(text)
		return
	}
	w.writeByte('"')
	for i := 0; i < n; i++ {
		c := s.CharAt(i)
		switch {
		case c < 0x80:
			w.escapeASCII(byte(c))
		case utf16.IsSurrogate(rune(c)):
			if c < 0xdc00 && i+1 < n {
				if d := s.CharAt(i + 1); d >= 0xdc00 && d <= 0xdfff {
					w.units += 2
					w.buf = utf8.AppendRune(w.buf, utf16.DecodeRune(rune(c), rune(d)))
					i++
					continue
				}
			}
			w.write(`\u`)
			w.write(string([]byte{hexDigits[c>>12], hexDigits[c>>8&0xf], hexDigits[c>>4&0xf], hexDigits[c&0xf]}))
		default:
			w.units++
			w.buf = utf8.AppendRune(w.buf, rune(c))
		}
	}
	if w.units > w.maxLength {
		w.throwRange(errLengthText)
	}
	w.writeByte('"')
}

// quoteKey writes a property name (a Go string: Keys gives them so).
func (w *writer) quoteKey(name string) {
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			w.quote(w.vm.ToValue(name).(goja.String))
			return
		}
	}
	w.quoteASCII(name)
}

func (w *writer) quoteASCII(text string) {
	w.writeByte('"')
	start := 0
	for i := 0; i < len(text); i++ {
		if c := text[i]; c < 0x20 || c == '"' || c == '\\' {
			w.write(text[start:i])
			w.escapeASCII(c)
			start = i + 1
		}
	}
	w.write(text[start:])
	w.writeByte('"')
}

// escapeASCII writes one ASCII character, escaped when JSON needs it.
func (w *writer) escapeASCII(c byte) {
	switch c {
	case '"':
		w.write(`\"`)
	case '\\':
		w.write(`\\`)
	case '\b':
		w.write(`\b`)
	case '\t':
		w.write(`\t`)
	case '\n':
		w.write(`\n`)
	case '\f':
		w.write(`\f`)
	case '\r':
		w.write(`\r`)
	default:
		if c < 0x20 {
			w.write(`\u00`)
			w.writeByte(hexDigits[c>>4])
			w.writeByte(hexDigits[c&0xf])
		} else {
			w.writeByte(c)
		}
	}
}

// UTF16Len is the length of s in UTF-16 units, JavaScript's string length.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
