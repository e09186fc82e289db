package nodecore

import (
	"strconv"
	"strings"
	"testing"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules/modulestest"
)

// formatCases are console.log argument lists with what Node 20 printed for them
// (util.format(...args)), captured once with node and pasted here.
var formatCases = []struct{ args, want string }{
	{"'hello'", "hello"},
	{"'a', 'b', 1", "a b 1"},
	{"1, 'x', -0", "1 x -0"},
	{"'%s:%s', 'a'", "a:%s"},
	{"'%s', 42", "42"},
	{"'%s', -0", "-0"},
	{"'%s', 12n", "12n"},
	{"'%s', null, undefined", "null undefined"},
	{"'%s', {a: 1, b: {c: 2}}", "{ a: 1, b: [Object] }"},
	{"'%s', [1, [2, [3]]]", "[ 1, [Array] ]"},
	{"'%s', {toString: function () { return 'custom' }}", "custom"},
	{"'%d', '42'", "42"},
	{"'%d', '0x10'", "16"},
	{"'%d', 1.5", "1.5"},
	{"'%d', {}", "NaN"},
	{"'%i', '42.9px'", "42"},
	{"'%f', '3.25abc'", "3.25"},
	{"'%j', {a: [1, 'x']}", "{\"a\":[1,\"x\"]}"},
	{"'%j', (function () { var o = {}; o.o = o; return o })()", "[Circular]"},
	{"'%O', {a: {b: {c: {d: 1}}}}", "{ a: { b: { c: [Object] } } }"},
	{"'%o', {a: {b: {c: {d: 1}}}}", "{\n  a: { b: { c: { d: 1 } } }\n}"},
	{"'100%% sure %s', 'yes'", "100% sure yes"},
	{"'%% %s'", "%% %s"},
	{"'%x %s', 'a'", "%x a"},
	{"'%c%s', 'color: red', 'styled'", "styled"},
	{"'a%', 1", "a% 1"},
	{"'%s'", "%s"},
	{"'%s %s', 'only'", "only %s"},
	{"{a: 1, b: 'two', c: [1, 2, 3], d: {e: {f: {g: 1}}}}", "{ a: 1, b: 'two', c: [ 1, 2, 3 ], d: { e: { f: [Object] } } }"},
	{"{}", "{}"},
	{"[]", "[]"},
	{"[[]]", "[ [] ]"},
	{"{a: {}}", "{ a: {} }"},
	{"[1, 'a', null, undefined, true]", "[ 1, 'a', null, undefined, true ]"},
	{"{'key with space': 1, valid_id: 2, '1abc': 3, 42: 4}", "{ '42': 4, 'key with space': 1, valid_id: 2, '1abc': 3 }"},
	{"'str', 'with\\nnewline'", "str with\nnewline"},
	{"['it\\'s', \"say \\\"hi\\\"\", `both ' and \"`, 'back\\\\slash', 'tab\\t']", "[ \"it's\", 'say \"hi\"', `both ' and \"`, 'back\\\\slash', 'tab\\t' ]"},
	{"{s: 'it\\'s'}", "{ s: \"it's\" }"},
	{"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]", "[\n   1,  2,  3,  4,  5,  6,  7,  8,  9,\n  10, 11, 12, 13, 14, 15, 16, 17, 18,\n  19, 20, 21, 22, 23, 24, 25, 26, 27,\n  28, 29, 30\n]"},
	{"['apple', 'banana', 'cherry', 'date', 'elderberry', 'fig', 'grape', 'honeydew']", "[\n  'apple',\n  'banana',\n  'cherry',\n  'date',\n  'elderberry',\n  'fig',\n  'grape',\n  'honeydew'\n]"},
	{"(function () { var a = []; for (var i = 0; i < 120; i++) a.push(i); return a })()", "[\n   0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11,\n  12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,\n  24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,\n  36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,\n  48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59,\n  60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71,\n  72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83,\n  84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95,\n  96, 97, 98, 99,\n  ... 20 more items\n]"},
	{"{alpha: 'aaaaaaaaaaaa', beta: 'bbbbbbbbbbbbbb', gamma: 'cccccccccccccc', delta: 'dddddddddddd', eps: 1}", "{\n  alpha: 'aaaaaaaaaaaa',\n  beta: 'bbbbbbbbbbbbbb',\n  gamma: 'cccccccccccccc',\n  delta: 'dddddddddddd',\n  eps: 1\n}"},
	{"{a: [{b: 1, c: [1, 2]}], d: {e: [1, {f: 2}]}}", "{ a: [ { b: 1, c: [Array] } ], d: { e: [ 1, [Object] ] } }"},
	{"(function () { var o = {name: 'x'}; o.self = o; return o })()", "<ref *1> { name: 'x', self: [Circular *1] }"},
	{"(function () { var o = {a: {}}; o.a.parent = o; o.b = [o.a]; return o })()", "<ref *1> {\n  a: { parent: [Circular *1] },\n  b: [ { parent: [Circular *1] } ]\n}"},
	{"function foo() {}", "[Function: foo]"},
	{"[function () {}, function named() {}, () => 1, async function af() {}, class K {}]", "[\n  [Function (anonymous)],\n  [Function: named],\n  [Function (anonymous)],\n  [AsyncFunction: af],\n  [class K]\n]"},
	{"(function () { function f() {} f.extra = 1; return f })()", "[Function: f] { extra: 1 }"},
	{"new Date(0)", "1970-01-01T00:00:00.000Z"},
	{"{d: new Date(86400000)}", "{ d: 1970-01-02T00:00:00.000Z }"},
	{"/ab+c/gi", "/ab+c/gi"},
	{"[Symbol('s'), 10n, NaN, -Infinity, -0]", "[ Symbol(s), 10n, NaN, -Infinity, -0 ]"},
	{"(function () { var o = {}; o[Symbol('k')] = 1; return o })()", "{ [Symbol(k)]: 1 }"},
	{"new Map([['a', 1], [{x: 1}, [2]]])", "Map(2) { 'a' => 1, { x: 1 } => [ 2 ] }"},
	{"new Set([1, 'two'])", "Set(2) { 1, 'two' }"},
	{"new Map()", "Map(0) {}"},
	{"Object.create(null)", "[Object: null prototype] {}"},
	{"(function () { var o = Object.create(null); o.a = 1; return o })()", "[Object: null prototype] { a: 1 }"},
	{"(function () { function Foo() { this.a = 1 } return new Foo() })()", "Foo { a: 1 }"},
	{"(function () { function Foo() {} return new Foo() })()", "Foo {}"},
	{"(function () { class Bar { constructor() { this.x = [1] } } return {bar: new Bar()} })()", "{ bar: Bar { x: [ 1 ] } }"},
	{"{get g() { return 1 }, set s(v) {}, get gs() { return 1 }, set gs(v) {}}", "{ g: [Getter], s: [Setter], gs: [Getter/Setter] }"},
	{"new Uint8Array([1, 2, 3])", "Uint8Array(3) [ 1, 2, 3 ]"},
	{"[ , 1, , , 2]", "[ <1 empty item>, 1, <2 empty items>, 2 ]"},
	{"(function () { var a = [1, 2]; a.extra = 'x'; return a })()", "[ 1, 2, extra: 'x' ]"},
	{"new String('boxed')", "[String: 'boxed']"},
	{"[new Number(3), new Boolean(false)]", "[ [Number: 3], [Boolean: false] ]"},
	{"Promise.resolve(42)", "Promise { 42 }"},
	{"Promise.reject(new Error('x')).catch(function(){}) && new Promise(function () {})", "Promise { <pending> }"},
	{"{p: Promise.resolve('v')}", "{ p: Promise { 'v' } }"},
	{"'long: %s', 'x'.repeat(100)", "long: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
	{"{long: 'line one is here\\nline two is here\\nline three is here and it is rather long to exceed the width'}", "{\n  long: 'line one is here\\n' +\n    'line two is here\\n' +\n    'line three is here and it is rather long to exceed the width'\n}"},
	{"{ arr: [[[[1]]]], nested: { one: { two: { three: 'deep' } } } }", "{ arr: [ [ [Array] ] ], nested: { one: { two: [Object] } } }"},
	{"['a', 'b'], 'c'", "[ 'a', 'b' ] c"},
	{"undefined, null", "undefined null"},
	{"{'__proto__x': 1, 'a-b': 2, '': 3}", "{ __proto__x: 1, 'a-b': 2, '': 3 }"},
	{"(function () { var o = {}; o.__proto__x = 1; Object.defineProperty(o, 'hidden', {value: 1}); return o })()", "{ __proto__x: 1 }"},
	{"{u: undefined, n: null}", "{ u: undefined, n: null }"},
	{"[{a: 1, b: 2}, {a: 3, b: 4}]", "[ { a: 1, b: 2 }, { a: 3, b: 4 } ]"},
	{"{ k1: 'value number one', k2: 'value number two', k3: 'value number three', k4: 'four' }", "{\n  k1: 'value number one',\n  k2: 'value number two',\n  k3: 'value number three',\n  k4: 'four'\n}"},
}

// argsOf evaluates a JavaScript argument list in vu.
func argsOf(t testing.TB, vu *modulestest.VU, list string) []goja.Value {
	t.Helper()
	arr := vu.MustRun(t, "["+list+"]").(*goja.Object)
	n := int(arr.Get("length").ToInteger())
	out := make([]goja.Value, n)
	for i := range out {
		out[i] = arr.Get(strconv.Itoa(i))
	}
	return out
}

func TestFormatMatchesNode(t *testing.T) {
	vu := modulestest.New(t, nil)
	for _, tc := range formatCases {
		t.Run(tc.args, func(t *testing.T) {
			if got := Format(vu.Runtime(), argsOf(t, vu, tc.args)); got != tc.want {
				t.Errorf("Format(%s)\n got: %q\nwant: %q", tc.args, got, tc.want)
			}
		})
	}
}

func TestUtilFormatIsFormat(t *testing.T) {
	vu := modulestest.New(t, nil)
	vu.Load(t, "util", Util)
	for _, tc := range formatCases[:20] {
		got := vu.MustRun(t, "util.format("+tc.args+")").String()
		if got != tc.want {
			t.Errorf("util.format(%s) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestFormatErrors(t *testing.T) {
	vu := modulestest.New(t, nil)
	tests := []struct {
		name, args string
		want       []string // substrings, in order
		wantNot    string
	}{
		{"error prints its stack", "new Error('boom')", []string{"Error: boom\n    at "}, "\t"},
		{"error with code shows the key", "(function () { var e = new TypeError('bad'); e.code = 'E_BAD'; return e })()", []string{"TypeError: bad\n    at ", " {\n  code: 'E_BAD'\n}"}, ""},
		{"error in object is indented", "({err: new Error('inner')})", []string{"{\n  err: Error: inner\n      at "}, ""},
		{"string then error", "'failed:', new RangeError('r')", []string{"failed: RangeError: r\n    at "}, ""},
		{"error without stack in brackets", "(function () { var e = new Error('nostack'); e.stack = 'Error: nostack'; return e })()", []string{"[Error: nostack]"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Format(vu.Runtime(), argsOf(t, vu, tc.args))
			rest := got
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("got %q, want it to contain %q", got, w)
				}
				rest = rest[i+len(w):]
			}
			if tc.wantNot != "" && strings.Contains(got, tc.wantNot) {
				t.Errorf("got %q, should not contain %q", got, tc.wantNot)
			}
		})
	}
}

func TestFormatBuffer(t *testing.T) {
	vu := modulestest.New(t, nil)
	tests := []struct{ args, want string }{
		{"Buffer.from('he')", "<Buffer 68 65>"},
		{"Buffer.alloc(0)", "<Buffer >"},
		{"Buffer.alloc(53, 255)", "<Buffer " + strings.Repeat("ff ", 49) + "ff ... 3 more bytes>"},
		{"{b: Buffer.from([1, 171])}", "{ b: <Buffer 01 ab> }"},
	}
	for _, tc := range tests {
		if got := Format(vu.Runtime(), argsOf(t, vu, tc.args)); got != tc.want {
			t.Errorf("Format(%s) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
