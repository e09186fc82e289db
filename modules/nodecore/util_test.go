package nodecore

import (
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules/modulestest"
)

func TestUtil(t *testing.T) {
	tests := []struct{ name, src, want string }{
		// Expected strings below were printed by Node 20 for the same code.
		{"inspect custom", `class P { [util.inspect.custom](d) { return 'P<' + d + '>' } } util.inspect({p: new P()})`, "{ p: P<1> }"},
		{"inspect depth 0", `util.inspect({a: {b: {c: {d: {}}}}}, {depth: 0})`, "{ a: [Object] }"},
		{"inspect depth null", `util.inspect({a: {b: {c: {d: {e: 1}}}}}, {depth: null})`, "{\n  a: {\n    b: { c: { d: { e: 1 } } }\n  }\n}"},
		{"inspect quotes top-level strings", `util.inspect('str')`, "'str'"},
		{"inspect array depth 0", `util.inspect([1, [2]], {depth: 0})`, "[ 1, [Array] ]"},
		{"inherits", `function A() {} function B() {} B.prototype.hi = function () { return 'hi' }; util.inherits(A, B); [A.super_ === B, new A() instanceof B, new A().hi(), Object.keys(A).length].join()`, "true,true,hi,0"},
		{"inherits rejects null", `try { util.inherits(function () {}, null) } catch (e) { e.code + ' ' + e.message }`, `ERR_INVALID_ARG_TYPE The "superCtor" argument must be of type function. Received null`},
		{"promisify rejects non-functions", `try { util.promisify(5) } catch (e) { e.code + ' ' + e.message }`, `ERR_INVALID_ARG_TYPE The "original" argument must be of type function. Received type number (5)`},
		{"types", `var t = util.types; [t.isDate(new Date()), t.isDate({}), t.isRegExp(/x/), t.isRegExp('x'), t.isPromise(Promise.resolve()), t.isPromise({then: function () {}})].join()`, "true,false,true,false,true,false"},
		{"legacy predicates", `[util.isArray([]), util.isArray({}), util.isString(''), util.isFunction(util.isString), util.isPrimitive(null), util.isObject(null), util.isError(new TypeError())].join()`, "true,false,true,true,true,false,true"},
		{"TextEncoder", `util.inspect(new util.TextEncoder().encode('hé'))`, "Uint8Array(3) [ 104, 195, 169 ]"},
		{"TextDecoder drops BOM, replaces bad bytes", `new util.TextDecoder().decode(new Uint8Array([0xEF, 0xBB, 0xBF, 104, 0xff]))`, "h\ufffd"},
		{"TextDecoder on a Buffer slice", `new util.TextDecoder('utf8').decode(Buffer.from('xhéy').subarray(1, 4))`, "hé"},
		{"TextDecoder rejects other encodings", `try { new util.TextDecoder('foo') } catch (e) { e.name + ' ' + e.code + ' ' + e.message }`, `RangeError ERR_ENCODING_NOT_SUPPORTED The "foo" encoding is not supported`},
		{"format is callable off the module", `var f = util.format; f('%s=%d', 'a', 1)`, "a=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vu := modulestest.New(t, nil)
			vu.Load(t, "util", Util)
			if got := vu.MustRun(t, tc.src).String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestUtilAsync(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"promisify resolves", `function later(x, cb) { setTimeout(function () { cb(null, x * 2) }, 1) } util.promisify(later)(21).then(function (v) { out = v })`, "42"},
		{"promisify rejects", `util.promisify(function (cb) { cb(new Error('nope')) })().catch(function (e) { out = e.message })`, "nope"},
		{"promisify keeps this", `var o = {n: 7, get: function (cb) { cb(null, this.n) }}; o.p = util.promisify(o.get); o.p().then(function (v) { out = v })`, "7"},
		{"promisify custom", `function f() {} f[util.promisify.custom] = function () { return Promise.resolve('custom') }; util.promisify(f)().then(function (v) { out = v })`, "custom"},
		{"callbackify", `util.callbackify(function (x) { return Promise.resolve(x + 1) })(1, function (err, v) { out = err + ' ' + v })`, "null 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vu := modulestest.New(t, nil)
			vu.Load(t, "util", Util)
			vu.MustRun(t, "var out;\n"+tc.src)
			if got := vu.Global("out").String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestUtilDeprecateWarnsOnce(t *testing.T) {
	vu := modulestest.New(t, nil)
	vu.Load(t, "util", Util)
	got := vu.MustRun(t, `var old = util.deprecate(function (a) { return a + 1 }, 'old() is going away', 'DEP0001'); old(1) + old(2)`)
	if got.ToInteger() != 5 {
		t.Errorf("deprecated function returned %v, want 5", got)
	}
	if len(vu.Logs) != 1 || !strings.Contains(vu.Logs[0], "[DEP0001] DeprecationWarning: old() is going away") {
		t.Errorf("logs = %q, want one DeprecationWarning", vu.Logs)
	}
}
