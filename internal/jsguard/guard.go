// Package jsguard bounds the goja natives that a script can make run for
// minutes or fill memory with, in a single call that no interrupt reaches:
// goja checks its interrupt between instructions, never inside a native.
//
//   - String.prototype.repeat, padStart and padEnd throw Node's RangeError
//     "Invalid string length" before building a string longer than V8's
//     longest (2^29 - 24 units), instead of allocating gigabytes.
//   - Array.prototype.includes, indexOf, lastIndexOf, fill and join loop over
//     `length`, which a sparse array sets to 2^32 - 1 for free. On an array
//     longer than BigArray they run here instead, in Go that asks Stop as it
//     goes, so the call's timeout and the memory limit still end them (join
//     also stops at the longest string).
//   - The other natives that walk `length` without calling script code
//     (reverse, copyWithin, sort, the copying methods, Array.from of an
//     array-like) refuse an array longer than RefusedArray with a RangeError
//     naming the limit: Node would run them (sparse arrays are cheap there);
//     goja would loop 2^32 times or allocate a dense copy. Between BigArray
//     and RefusedArray they run as goja's, for up to some seconds, deaf to
//     interrupts.
package jsguard

import (
	"fmt"
	"math"
	"reflect"
	"strconv"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/jsjson"
)

// BigArray is the length past which includes, indexOf, lastIndexOf, fill and
// join run in jsguard: 1,048,576 elements, under a second of goja's fill over
// holes (its slowest).
const BigArray = 1 << 20

// RefusedArray is the length past which the other length-walking natives are
// refused: 16,777,216 elements, some seconds of goja's loop.
const RefusedArray = 1 << 24

// MaxStringLength is V8's longest string in UTF-16 units (defined once, in
// jsjson, whose stringify stops there too).
const MaxStringLength = jsjson.MaxLength

// checkEvery is how many elements pass between two calls of Stop.
const checkEvery = 4096

// errStopped is thrown when Stop says the VM is being interrupted; the VM's
// pending interrupt then ends the script, even one that catches it.
type errStopped struct{ method string }

func (e errStopped) Error() string { return e.method + " stopped: the call is being interrupted" }

// Options bound one VM's natives.
type Options struct {
	// Stop reports whether the VM is being interrupted (nil: never).
	Stop func() bool
	// BigArray is the length past which array natives run in jsguard; 0
	// means BigArray. Tests make it small.
	BigArray int64
	// RefusedArray is the length past which the natives jsguard does not
	// run are refused; 0 means RefusedArray.
	RefusedArray int64
}

// wrapping is one native jsguard replaces: on[name] becomes wrap(original).
type wrapping struct {
	on   *goja.Object
	name string
	wrap func(orig goja.Callable) func(goja.FunctionCall) goja.Value
}

// guard is one VM's set of bounded natives.
type guard struct {
	vm         *goja.Runtime
	stop       func() bool
	bigLength  int64
	refused    int64
	rangeError *goja.Object
	joining    map[*goja.Object]bool // big arrays being joined: a cycle joins as ""
}

// Install bounds vm's natives.
func Install(vm *goja.Runtime, opts Options) error {
	ctor, ok := vm.Get("RangeError").(*goja.Object)
	if !ok {
		return fmt.Errorf("jsguard: the VM has no RangeError constructor")
	}
	stop := opts.Stop
	if stop == nil {
		stop = func() bool { return false }
	}
	big := opts.BigArray
	if big <= 0 {
		big = BigArray
	}
	refused := opts.RefusedArray
	if refused <= 0 {
		refused = RefusedArray
	}
	g := &guard{vm: vm, stop: stop, bigLength: big, refused: refused, rangeError: ctor, joining: map[*goja.Object]bool{}}
	stringProto := vm.Get("String").ToObject(vm).Get("prototype").ToObject(vm)
	arrayCtor := vm.Get("Array").ToObject(vm)
	arrayProto := arrayCtor.Get("prototype").ToObject(vm)

	wraps := []wrapping{
		{stringProto, "repeat", g.repeat},
		{stringProto, "padStart", g.pad},
		{stringProto, "padEnd", g.pad},
		{arrayProto, "includes", g.bigArray("includes", g.includes)},
		{arrayProto, "indexOf", g.bigArray("indexOf", g.indexOf)},
		{arrayProto, "lastIndexOf", g.bigArray("lastIndexOf", g.lastIndexOf)},
		{arrayProto, "fill", g.bigArray("fill", g.fill)},
		{arrayProto, "join", g.bigArray("join", g.join)},
		{arrayProto, "reverse", g.bigArray("reverse", nil)},
		{arrayProto, "copyWithin", g.bigArray("copyWithin", nil)},
		{arrayProto, "sort", g.bigArray("sort", nil)},
		{arrayProto, "slice", g.bigArray("slice", nil)},
		{arrayProto, "splice", g.bigArray("splice", nil)},
		{arrayProto, "concat", g.bigArray("concat", nil)},
		{arrayProto, "flat", g.bigArray("flat", nil)},
		{arrayProto, "toReversed", g.bigArray("toReversed", nil)},
		{arrayProto, "toSorted", g.bigArray("toSorted", nil)},
		{arrayProto, "toSpliced", g.bigArray("toSpliced", nil)},
		{arrayProto, "with", g.bigArray("with", nil)},
		{arrayCtor, "from", g.arrayLikeArg("Array.from", 0)},
	}
	// %TypedArray%, the constructor every typed array inherits from and
	// set with it.
	if ta, ok := arrayCtorProto(vm, "Uint8Array"); ok {
		wraps = append(wraps, wrapping{ta, "from", g.arrayLikeArg("TypedArray.from", 0)})
		if taProto, ok := ta.Get("prototype").(*goja.Object); ok {
			wraps = append(wraps, wrapping{taProto, "set", g.arrayLikeArg("TypedArray.prototype.set", 0)})
		}
	}
	for _, w := range wraps {
		if err := g.replace(w.on, w.name, w.wrap); err != nil {
			return err
		}
	}
	return nil
}

// replace puts wrap(original) where on[name] was, with the original's length
// and name, non-enumerable as built-ins are.
func (g *guard) replace(on *goja.Object, name string, wrap func(goja.Callable) func(goja.FunctionCall) goja.Value) error {
	origValue := on.Get(name)
	orig, ok := goja.AssertFunction(origValue)
	if !ok {
		return nil // this goja has no such method: nothing to bound
	}
	fn := g.vm.ToValue(wrap(orig)).(*goja.Object)
	length := origValue.ToObject(g.vm).Get("length")
	if err := fn.DefineDataProperty("length", length, goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return fmt.Errorf("jsguard: %s: %w", name, err)
	}
	if err := fn.DefineDataProperty("name", g.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return fmt.Errorf("jsguard: %s: %w", name, err)
	}
	if err := on.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return fmt.Errorf("jsguard: %s: %w", name, err)
	}
	return nil
}

func (g *guard) throwRange(msg string) {
	obj, err := g.vm.New(g.rangeError, g.vm.ToValue(msg))
	if err != nil {
		panic(err)
	}
	panic(obj)
}

// callOrig calls the original native, rethrowing what it throws.
func (g *guard) callOrig(orig goja.Callable, call goja.FunctionCall) goja.Value {
	r, err := orig(call.This, call.Arguments...)
	if err != nil {
		panic(err)
	}
	return r
}

// tick asks stop every checkEvery elements.
func (g *guard) tick(i int64, method string) {
	if i%checkEvery == 0 && g.stop() {
		panic(g.vm.NewGoError(errStopped{method}))
	}
}

// ---- strings ----

func (g *guard) thisString(call goja.FunctionCall) (goja.String, bool) {
	if call.This == nil || goja.IsUndefined(call.This) || goja.IsNull(call.This) {
		return nil, false // the native throws its own TypeError
	}
	s, ok := call.This.ToString().(goja.String)
	return s, ok
}

func (g *guard) repeat(orig goja.Callable) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		if s, ok := g.thisString(call); ok {
			count := call.Argument(0).ToFloat()
			// A negative or infinite count is the native's own RangeError.
			if n := float64(s.Length()); n > 0 && count >= 0 && !math.IsInf(count, 1) && n*math.Trunc(count) > MaxStringLength {
				g.throwRange("Invalid string length")
			}
		}
		return g.callOrig(orig, call)
	}
}

func (g *guard) pad(orig goja.Callable) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		if s, ok := g.thisString(call); ok {
			target := call.Argument(0).ToFloat()
			filler := call.Argument(1)
			fillsSomething := goja.IsUndefined(filler) || filler.String() != ""
			if target > float64(s.Length()) && target > MaxStringLength && fillsSomething {
				g.throwRange("Invalid string length")
			}
		}
		return g.callOrig(orig, call)
	}
}

// ---- arrays ----

// bigArray runs the native on an ordinary array, slow (interruptible) on one
// longer than BigArray, or when slow is nil, a RangeError on one longer than
// RefusedArray.
func (g *guard) bigArray(method string, slow func(o *goja.Object, n int64, call goja.FunctionCall) goja.Value) func(goja.Callable) func(goja.FunctionCall) goja.Value {
	return func(orig goja.Callable) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			o, isObject := call.This.(*goja.Object)
			if !isObject {
				return g.callOrig(orig, call)
			}
			n := toLength(o.Get("length"))
			switch {
			case slow != nil && n > g.bigLength:
				return slow(o, n, call)
			case slow == nil && n > g.refused:
				g.throwRange(fmt.Sprintf("Array.prototype.%s on an array of %d elements: bmobemu runs it on at most %d (goja cannot stop it once it starts)", method, n, g.refused))
			}
			return g.callOrig(orig, call)
		}
	}
}

// arrayLikeArg refuses argument i when it is an array-like (no iterator)
// longer than RefusedArray: goja copies it element by element in one native
// loop ({length: 2 ** 31} ran for minutes).
func (g *guard) arrayLikeArg(method string, i int) func(goja.Callable) func(goja.FunctionCall) goja.Value {
	return func(orig goja.Callable) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			if items, ok := call.Argument(i).(*goja.Object); ok {
				if iter := items.GetSymbol(goja.SymIterator); iter == nil || goja.IsUndefined(iter) || goja.IsNull(iter) {
					if n := toLength(items.Get("length")); n > g.refused {
						g.throwRange(fmt.Sprintf("%s of an array-like of %d elements: bmobemu builds at most %d (goja cannot stop it once it starts)", method, n, g.refused))
					}
				}
			}
			return g.callOrig(orig, call)
		}
	}
}

// arrayCtorProto is the prototype of the global constructor name: for a typed
// array, %TypedArray%.
func arrayCtorProto(vm *goja.Runtime, name string) (*goja.Object, bool) {
	ctor, ok := vm.Get(name).(*goja.Object)
	if !ok {
		return nil, false
	}
	proto := ctor.Prototype()
	return proto, proto != nil
}

func toLength(v goja.Value) int64 {
	if v == nil {
		return 0
	}
	f := v.ToFloat()
	if math.IsNaN(f) || f <= 0 {
		return 0
	}
	return int64(math.Min(math.Trunc(f), 1<<53-1))
}

// relative is the spec's relative index: from the end when negative, clamped to [0, n].
func relative(arg goja.Value, n int64, undefinedIs int64) int64 {
	if goja.IsUndefined(arg) {
		return undefinedIs
	}
	f := math.Trunc(arg.ToFloat())
	if math.IsNaN(f) {
		f = 0
	}
	if f < 0 {
		return int64(math.Max(float64(n)+f, 0))
	}
	return int64(math.Min(f, float64(n)))
}

func index(k int64) string { return strconv.FormatInt(k, 10) }

// sameValueZero is includes' equality: NaN equals NaN, +0 equals -0.
func sameValueZero(a, b goja.Value) bool {
	if isNumber(a) && isNumber(b) {
		x, y := a.ToFloat(), b.ToFloat()
		return x == y || math.IsNaN(x) && math.IsNaN(y)
	}
	return a.SameAs(b)
}

func isNumber(v goja.Value) bool {
	t := v.ExportType()
	if t == nil { // undefined, null
		return false
	}
	switch t.Kind() {
	case reflect.Int64, reflect.Float64:
		_, isObject := v.(*goja.Object)
		return !isObject
	}
	return false
}

func (g *guard) includes(o *goja.Object, n int64, call goja.FunctionCall) goja.Value {
	search := call.Argument(0)
	for k := relative(call.Argument(1), n, 0); k < n; k++ {
		g.tick(k, "Array.prototype.includes")
		v := o.Get(index(k))
		if v == nil {
			v = goja.Undefined()
		}
		if sameValueZero(v, search) {
			return g.vm.ToValue(true)
		}
	}
	return g.vm.ToValue(false)
}

func (g *guard) indexOf(o *goja.Object, n int64, call goja.FunctionCall) goja.Value {
	search := call.Argument(0)
	for k := relative(call.Argument(1), n, 0); k < n; k++ {
		g.tick(k, "Array.prototype.indexOf")
		if v := o.Get(index(k)); v != nil && v.StrictEquals(search) {
			return g.vm.ToValue(k)
		}
	}
	return g.vm.ToValue(-1)
}

func (g *guard) lastIndexOf(o *goja.Object, n int64, call goja.FunctionCall) goja.Value {
	search := call.Argument(0)
	k := n - 1
	if len(call.Arguments) > 1 {
		f := math.Trunc(call.Argument(1).ToFloat())
		if math.IsNaN(f) {
			f = 0
		}
		if f >= 0 {
			k = int64(math.Min(f, float64(n-1)))
		} else {
			k = int64(float64(n) + f)
		}
	}
	for i := int64(0); k >= 0; k, i = k-1, i+1 {
		g.tick(i, "Array.prototype.lastIndexOf")
		if v := o.Get(index(k)); v != nil && v.StrictEquals(search) {
			return g.vm.ToValue(k)
		}
	}
	return g.vm.ToValue(-1)
}

func (g *guard) fill(o *goja.Object, n int64, call goja.FunctionCall) goja.Value {
	value := call.Argument(0)
	end := relative(call.Argument(2), n, n)
	for k := relative(call.Argument(1), n, 0); k < end; k++ {
		g.tick(k, "Array.prototype.fill")
		if err := o.Set(index(k), value); err != nil {
			panic(err)
		}
	}
	return o
}

func (g *guard) join(o *goja.Object, n int64, call goja.FunctionCall) goja.Value {
	if g.joining[o] {
		return g.vm.ToValue("") // a cycle joins as "", as goja's and V8's join do
	}
	g.joining[o] = true
	defer delete(g.joining, o)
	sep := ","
	if s := call.Argument(0); !goja.IsUndefined(s) {
		sep = s.String()
	}
	sepUnits := int64(jsjson.UTF16Len(sep))
	if float64(n-1)*float64(sepUnits) > MaxStringLength {
		g.throwRange("Invalid string length") // the separators alone are too long
	}
	var buf []byte
	units := int64(0)
	for k := int64(0); k < n; k++ {
		g.tick(k, "Array.prototype.join")
		if k > 0 {
			buf = append(buf, sep...)
			units += sepUnits
		}
		if v := o.Get(index(k)); v != nil && !goja.IsUndefined(v) && !goja.IsNull(v) {
			s := v.String()
			buf = append(buf, s...)
			units += int64(jsjson.UTF16Len(s))
		}
		if units > MaxStringLength {
			g.throwRange("Invalid string length")
		}
	}
	return g.vm.ToValue(string(buf))
}
