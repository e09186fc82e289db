package jsjson_test

import (
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/jsjson"
)

// newVM is a VM whose JSON.stringify is ours; goja's own stays reachable as
// nativeStringify, to compare with.
func newVM(t testing.TB, limits jsjson.Limits) *goja.Runtime {
	t.Helper()
	vm := goja.New()
	if err := vm.Set("nativeStringify", vm.Get("JSON").ToObject(vm).Get("stringify")); err != nil {
		t.Fatal(err)
	}
	if err := jsjson.Install(vm, limits); err != nil {
		t.Fatal(err)
	}
	return vm
}

// sameAsGoja is each case's expression (its value, replacer and space in
// `args`), run through both stringifies: they must give the same text, or
// throw the same kind of error with the same message.
var sameAsGoja = []string{
	// primitives
	`[1]`, `[-0]`, `[0.1]`, `[1e21]`, `[1e-7]`, `[123456789012345680000]`, `[NaN]`, `[Infinity]`, `[-Infinity]`,
	`[true]`, `[false]`, `[null]`, `[undefined]`, `["plain"]`, `[""]`,
	`["quote \" backslash \\ slash / tab \t nl \n cr \r ff \f bs \b nul \u0000 unit sep \u001f del \u007f"]`,
	`["中文 émoji 😀 €"]`, `["lone \ud800 high"]`, `["lone \udc00 low"]`, `["\ud83d\ude00 pair, then \ud83d alone"]`,
	`[Symbol("s")]`, `[function () {}]`, `[() => 1]`,
	// wrappers and built-ins
	`[new Number(3.5)]`, `[new String("wrapped")]`, `[new Boolean(false)]`, `[Object(Symbol("x"))]`,
	`[new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))]`, `[new Date(NaN)]`, `[/re/g]`, `[new Map([[1, 2]])]`, `[new Set([1])]`,
	`[new Error("e")]`, `[new Uint8Array([1, 2, 3])]`, `[new ArrayBuffer(4)]`, `[Math]`, `[JSON]`,
	// objects and arrays
	`[{}]`, `[[]]`, `[{a: 1, b: "x", c: [1, {d: null}]}]`, `[{b: 1, a: 2, 10: "ten", 2: "two", "-1": "neg", "01": "z"}]`,
	`[{u: undefined, f() {}, s: Symbol("s"), n: null, k: 1}]`, `[[undefined, function () {}, Symbol("s"), 1]]`,
	`[[, 1, , 2, ,]]`, `[Object.assign([1, 2], {extra: 3})]`, `[(() => { const a = []; a[5] = 1; return a; })()]`,
	`[Object.create({inherited: 1}, {own: {value: 2, enumerable: true}, hidden: {value: 3}})]`,
	`[Object.create(null)]`, `[{[Symbol("k")]: 1, v: 2}]`, `[{get g() { return "got"; }}]`,
	`[new (class Point { constructor() { this.x = 1; this.y = 2; } })()]`,
	`[{toJSON(k) { return "key=" + k; }}]`, `[{a: {toJSON(k) { return "key=" + k; }}}]`, `[[{toJSON(k) { return k; }}]]`,
	`[{toJSON: 5, v: 1}]`, `[{toJSON() { return undefined; }}]`, `[{toJSON() { return {deep: [1, 2]}; }}]`,
	`[new Proxy([1, 2], {})]`, `[new Proxy({a: 1}, {})]`, `[new Proxy({a: 1}, {get: (t, k) => k === "a" ? 9 : t[k]})]`,
	`[{nested: {deeper: {deepest: [[[]]]}}}]`,
	// replacer functions
	`[{a: 1, b: [1, 2]}, function (k, v) { return typeof v === "number" ? v * 10 : v; }]`,
	`[{a: 1, b: 2}, function (k, v) { return k === "a" ? undefined : v; }]`,
	`[[1, 2], function (k, v) { return k === "0" ? undefined : v; }]`,
	`[{a: 1}, function (k, v) { return k === "" ? {replaced: this[""] === v} : v; }]`,
	`[{a: {b: 1}}, function (k, v) { return k === "b" ? this.b + 1 : v; }]`,
	`[5, function (k, v) { return k === "" ? [k, v] : v; }]`,
	`[{a: 1}, function (k, v) { return k === "a" ? new Number(7) : v; }]`,
	`[{d: new Date(0)}, function (k, v) { return typeof v; }]`,
	// replacer arrays
	`[{a: 1, b: 2, c: 3, 1: "one"}, ["c", "a", "a", 1, new String("b"), {}, null]]`,
	`[{a: {a: 1, b: 2}, b: 3}, ["a"]]`, `[[{a: 1, b: 2}], ["b"]]`, `[{a: 1}, []]`,
	// space
	`[{a: [1, {b: 2}], c: {}, d: []}, null, 2]`, `[{a: 1}, null, 11]`, `[{a: 1}, null, 0]`, `[{a: 1}, null, -3]`,
	`[{a: 1}, null, 2.9]`, `[{a: [1]}, null, "\t"]`, `[{a: [1]}, null, "0123456789abc"]`, `[{a: 1}, null, new Number(3)]`,
	`[{a: 1}, null, new String("--")]`, `[{a: 1}, null, true]`, `[[[]], null, 4]`, `[{a: {}}, null, 1]`,
	`[{a: 1, b: undefined}, null, 2]`, `[[undefined], null, 2]`,
	// errors
	`[10n]`, `[{a: 1n}]`, `[Object(2n)]`, `[(() => { const o = {}; o.self = o; return o; })()]`,
	`[(() => { const a = [1]; a.push({x: a}); return a; })()]`,
	`[{toJSON() { throw new Error("from toJSON"); }}]`, `[{a: 1}, function () { throw new TypeError("from replacer"); }]`,
	`[{get bad() { throw new RangeError("from getter"); }}]`,
	// the same object twice (not a cycle)
	`[(() => { const o = {x: 1}; return [o, o, {o}]; })()]`,
}

func TestStringifyGivesWhatGojaGives(t *testing.T) {
	vm := newVM(t, jsjson.Limits{})
	compare, err := vm.RunString(`(function (args) {
		function run(f) {
			try { return {text: f.apply(null, args)}; }
			catch (e) { return {threw: (e && e.constructor && e.constructor.name) + ": " + (e && e.message)}; }
		}
		return [run(JSON.stringify), run(nativeStringify)];
	})`)
	if err != nil {
		t.Fatal(err)
	}
	fn, _ := goja.AssertFunction(compare)
	for _, c := range sameAsGoja {
		args, err := vm.RunString(c)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		got, err := fn(goja.Undefined(), args)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		pair := got.Export().([]any)
		ours, theirs := pair[0].(map[string]any), pair[1].(map[string]any)
		if ours["text"] != theirs["text"] || ours["threw"] != theirs["threw"] {
			t.Errorf("%s:\n ours: %#v\n goja: %#v", c, ours, theirs)
		}
	}
}

type encodable struct{ n int }

func (e encodable) JsonEncodable() any { return map[string]any{"encoded": e.n} }

type marshals struct{}

func (marshals) MarshalJSON() ([]byte, error) { return []byte(`{"marshalled":true}`), nil }

type failsToMarshal struct{}

func (failsToMarshal) MarshalJSON() ([]byte, error) { return nil, errors.New("cannot") }

// TestStringifyOfGoValues: values modules hand to scripts (Go maps, slices,
// structs, time.Time, JsonEncodable, json.Marshaler) come out as goja writes them.
func TestStringifyOfGoValues(t *testing.T) {
	vm := newVM(t, jsjson.Limits{})
	for name, v := range map[string]any{
		"map":        map[string]any{"b": []any{"x", 2.5, map[string]any{"c": nil}}},
		"slice":      []any{1, "two", nil, true},
		"ints":       []int{1, 2, 3},
		"struct":     struct{ Name string }{"n"},
		"time":       time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		"encodable":  encodable{7},
		"marshaller": marshals{},
		"failing":    failsToMarshal{},
		"nested":     map[string]any{"list": []any{encodable{1}, marshals{}}}, // one key: Go maps have no order
	} {
		if err := vm.Set("v", v); err != nil {
			t.Fatal(err)
		}
		got, err := vm.RunString(`(function () {
			function run(f) { try { return f(v); } catch (e) { return "threw " + e.message; } }
			return [run(JSON.stringify), run(nativeStringify)];
		})()`)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pair := got.Export().([]any)
		if pair[0] != pair[1] {
			t.Errorf("%s: ours %q, goja %q", name, pair[0], pair[1])
		}
	}
}

// TestDeepNestingThrowsAsNodeDoes: goja's stringify takes seconds for 100,000
// nested arrays (its cycle check walks the nesting for each level); ours stops
// at MaxDepth with Node's RangeError, at once.
func TestDeepNestingThrowsAsNodeDoes(t *testing.T) {
	vm := newVM(t, jsjson.Limits{})
	v, err := vm.RunString(`
		function nest(n) { let a = []; for (let i = 0; i < n; i++) a = [a]; return a; }
		const shallow = JSON.stringify(nest(1000)).length;
		let deep;
		try { JSON.stringify(nest(100000)); deep = "no error"; } catch (e) { deep = e.constructor.name + ": " + e.message; }
		[shallow, deep]`)
	if err != nil {
		t.Fatal(err)
	}
	got := v.Export().([]any)
	if got[0] != int64(2002) {
		t.Errorf("1,000 nested arrays: length %v, want 2002", got[0])
	}
	if got[1] != "RangeError: Maximum call stack size exceeded" {
		t.Errorf("100,000 nested arrays: %v", got[1])
	}
}

// TestHugeOutputThrowsInvalidStringLength: a small structure that stands for
// gigabytes of text (one big array referenced many times) throws Node's
// RangeError when the text passes the limit, not after building it.
func TestHugeOutputThrowsInvalidStringLength(t *testing.T) {
	vm := newVM(t, jsjson.Limits{MaxLength: 1 << 20})
	v, err := vm.RunString(`
		const row = []; for (let i = 0; i < 100; i++) row.push("x".repeat(100));
		const table = []; for (let i = 0; i < 1000; i++) table.push(row);
		let r; try { r = JSON.stringify(table).length; } catch (e) { r = e.constructor.name + ": " + e.message; }
		r`)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "RangeError: Invalid string length" {
		t.Fatalf("10 MB of text under a 1 MB limit: %v", v)
	}
	// Just under the limit is fine.
	v, err = vm.RunString(`JSON.stringify("y".repeat((1 << 20) - 2)).length`)
	if err != nil || v.ToInteger() != 1<<20 {
		t.Fatalf("a result of exactly the limit: %v %v", v, err)
	}
}

// TestStopInterruptsALongStringify: when Stop reports the VM is being
// interrupted, the stringify throws within a few hundred values, and the
// VM's interrupt then ends the script even if it catches the error.
func TestStopInterruptsALongStringify(t *testing.T) {
	var stopping atomic.Bool
	var askedAfterStop atomic.Int64
	vm := newVM(t, jsjson.Limits{Stop: func() bool {
		if stopping.Load() {
			askedAfterStop.Add(1)
			return true
		}
		return false
	}})
	if _, err := vm.RunString(`
		const row = []; for (let i = 0; i < 1000; i++) row.push({i, s: "text"});
		var table = []; for (let i = 0; i < 3000; i++) table.push(row);`); err != nil {
		t.Fatal(err)
	}
	// The script swallows every error and stringifies 9,000,000 values again
	// and again; the interrupt comes while it runs, as a timeout's does.
	timer := time.AfterFunc(50*time.Millisecond, func() {
		stopping.Store(true)
		vm.Interrupt(errors.New("deadline"))
	})
	defer timer.Stop()
	_, err := vm.RunString(`for (;;) { try { JSON.stringify(table); } catch (e) {} }`)
	var interrupted *goja.InterruptedError
	if !errors.As(err, &interrupted) {
		t.Fatalf("want the interrupt to end the script, got %v", err)
	}
	// Stopped, the stringify threw at its next check and the script ended
	// there: goja's own would have run on to the end of its 9,000,000 values
	// before the interrupt could be seen.
	if n := askedAfterStop.Load(); n < 1 || n > 2 {
		t.Fatalf("Stop said stop %d times before the script ended, want 1 (2 if the interrupt came between stringifies)", n)
	}
}

func TestStringifyKeepsItsShape(t *testing.T) {
	vm := newVM(t, jsjson.Limits{})
	v, err := vm.RunString(`[JSON.stringify.length, JSON.stringify.name, typeof JSON.stringify, Object.getOwnPropertyDescriptor(JSON, "stringify").enumerable]`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(v.String()); got != "3,stringify,function,false" {
		t.Fatalf("JSON.stringify's shape: %s", got)
	}
}

// BenchmarkStringify compares this stringify with goja's on what handlers
// send: a small answer, and a page of query results.
func BenchmarkStringify(b *testing.B) {
	vm := newVM(b, jsjson.Limits{Stop: func() bool { return false }})
	for name, expr := range map[string]string{
		"small": `({code: 0, msg: "ok", data: {orderId: "20240101123456", amount: 0.01}})`,
		"page": `({results: Array.from({length: 20}, (_, i) => ({objectId: "a1b2c3d4e" + i, createdAt: "2024-01-02 03:04:05",
			updatedAt: "2024-01-02 03:04:05", title: "订单 " + i, price: i * 1.5, paid: i % 2 === 0, tags: ["x", "y"]}))})`,
	} {
		v, err := vm.RunString(expr)
		if err != nil {
			b.Fatal(err)
		}
		for _, impl := range []string{"ours", "goja"} {
			f, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
			if impl == "goja" {
				f, _ = goja.AssertFunction(vm.Get("nativeStringify"))
			}
			b.Run(name+"/"+impl, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := f(goja.Undefined(), v); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestCycleFoundAtAnyDepth: a cycle closing deep in the nesting (past the
// depth where the stack is searched and a set takes over) is found, and the
// same object at two places that do not nest is not a cycle.
func TestCycleFoundAtAnyDepth(t *testing.T) {
	vm := newVM(t, jsjson.Limits{})
	v, err := vm.RunString(`
		function chain(n) { const top = {}; let o = top; for (let i = 0; i < n; i++) { o.next = {}; o = o.next; } return [top, o]; }
		const out = [];
		for (const n of [3, 31, 32, 33, 100, 3000]) {
			const [top, bottom] = chain(n);
			bottom.back = top;
			try { JSON.stringify(top); out.push(n + ": no error"); } catch (e) { out.push(n + ": " + e.message); }
			delete bottom.back;
			const shared = chain(n)[0];
			out.push(n + " shared: " + JSON.stringify([shared, {again: shared}]).length);
		}
		out.join("\n")`)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{3, 31, 32, 33, 100, 3000} {
		want := strconv.Itoa(n) + ": Converting circular structure to JSON"
		if !strings.Contains(v.String(), want+"\n") {
			t.Errorf("a cycle through %d levels not found:\n%s", n, v)
		}
	}
	if strings.Contains(v.String(), "shared: undefined") || strings.Contains(v.String(), "no error") {
		t.Errorf("shared objects:\n%s", v)
	}
}
