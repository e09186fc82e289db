package jsguard_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/jsguard"
)

// newVM keeps goja's natives reachable as native.<name> before bounding them.
func newVM(t *testing.T, opts jsguard.Options) *goja.Runtime {
	t.Helper()
	vm := goja.New()
	if _, err := vm.RunString(`var native = {};
		for (const m of ["includes", "indexOf", "lastIndexOf", "fill", "join"]) native[m] = Array.prototype[m];`); err != nil {
		t.Fatal(err)
	}
	if err := jsguard.Install(vm, opts); err != nil {
		t.Fatal(err)
	}
	return vm
}

// TestSlowPathsGiveWhatGojaGives runs the Go versions (BigArray made 2) and
// goja's natives on the same arrays and arguments.
func TestSlowPathsGiveWhatGojaGives(t *testing.T) {
	vm := newVM(t, jsguard.Options{BigArray: 2})
	v, err := vm.RunString(`
		const arrays = [
			[1, 2, 3, 2, 1], [NaN, 0, -0, "0", null, undefined], [, 1, , undefined, ,], ["a", {}, [1, 2], null, "b"],
			Object.assign([1, 2, 3], {extra: 1}), {length: 5, 0: "x", 3: "y"}, ["中", "文", "😀"],
		];
		const calls = [
			["includes", [2]], ["includes", [NaN]], ["includes", [undefined]], ["includes", [-0]], ["includes", [1, 3]], ["includes", [1, -2]],
			["indexOf", [2]], ["indexOf", [NaN]], ["indexOf", [undefined]], ["indexOf", [0]], ["indexOf", [2, 2]], ["indexOf", [1, -1]],
			["lastIndexOf", [2]], ["lastIndexOf", [1]], ["lastIndexOf", [undefined]], ["lastIndexOf", [2, 2]], ["lastIndexOf", [1, -2]], ["lastIndexOf", [1, -10]],
			["join", []], ["join", [""]], ["join", [" - "]], ["join", [undefined]], ["join", [null]], ["join", ["、"]],
			["fill", [0]], ["fill", [7, 1]], ["fill", [7, -2]], ["fill", [7, 1, 3]], ["fill", [7, 1, -1]], ["fill", [7, 10]],
		];
		const diffs = [];
		for (const a of arrays) for (const [m, args] of calls) {
			const run = (f) => { const copy = Object.assign(Array.isArray(a) ? new Array(a.length) : {}, a);
				try { const r = f.apply(copy, args); return JSON.stringify([r === copy ? "this" : r, copy]); } catch (e) { return "threw " + e; } };
			const ours = run(Array.prototype[m]), theirs = run(native[m]);
			if (ours !== theirs) diffs.push(m + "(" + JSON.stringify(args) + ") on " + JSON.stringify(a) + ": ours " + ours + ", goja " + theirs);
		}
		diffs.join("\n")`)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "" {
		t.Fatal(v.String())
	}
}

func TestHugeSparseArraysAreBounded(t *testing.T) {
	vm := newVM(t, jsguard.Options{})
	for expr, want := range map[string]string{
		`"x".repeat(2 ** 30)`:                   "RangeError: Invalid string length",
		`"ab".repeat(2 ** 28)`:                  "RangeError: Invalid string length",
		`"x".padStart(2 ** 30)`:                 "RangeError: Invalid string length",
		`"x".padEnd(2 ** 30, "yz")`:             "RangeError: Invalid string length",
		`new Array(2 ** 32 - 1).reverse()`:      "RangeError: Array.prototype.reverse on an array of 4294967295 elements",
		`new Array(2 ** 30).slice(1)`:           "RangeError: Array.prototype.slice on an array of 1073741824 elements",
		`Array.from({length: 2 ** 31})`:         "RangeError: Array.from of an array-like of 2147483648 elements",
		`new Array(2 ** 28).join("abcd")`:       "RangeError: Invalid string length",
		`[].concat.call(new Array(2 ** 31), 1)`: "RangeError: Array.prototype.concat on an array of 2147483648 elements",
	} {
		v, err := vm.RunString(`(() => { try { return String(` + expr + `).length; } catch (e) { return String(e); } })()`)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if !strings.HasPrefix(v.String(), want) {
			t.Errorf("%s: %s, want %s…", expr, v, want)
		}
	}
	// Within the limits, the natives answer as before.
	v, err := vm.RunString(`["ab".repeat(3), "x".padStart(4, "-"), Array.from({length: 3}).length, [1, 2].reverse().join(), "x".repeat(0), "".repeat(2 ** 40)].join("|")`)
	if err != nil || v.String() != "ababab|---x|3|2,1||" {
		t.Fatalf("ordinary calls: %v %v", v, err)
	}
	// The natives' own errors are theirs.
	v, _ = vm.RunString(`(() => { try { "x".repeat(-1) } catch (e) { return e.constructor.name } })()`)
	if v.String() != "RangeError" {
		t.Fatalf("repeat(-1): %v", v)
	}
}

// TestStopEndsALongScan: includes over 2^32 - 1 holes would loop for minutes
// in goja's native; here it stops when the VM is being interrupted, and the
// interrupt ends the script though it catches every error.
func TestStopEndsALongScan(t *testing.T) {
	for _, method := range []string{"includes(1)", "indexOf(1)", "lastIndexOf(1)", "fill(0)", "join()"} {
		t.Run(method, func(t *testing.T) {
			var stopping atomic.Bool
			vm := newVM(t, jsguard.Options{Stop: stopping.Load})
			timer := time.AfterFunc(100*time.Millisecond, func() {
				stopping.Store(true)
				vm.Interrupt(errors.New("deadline"))
			})
			defer timer.Stop()
			_, err := vm.RunString(`const holes = new Array(2 ** 32 - 1); for (;;) { try { holes.` + method + `; } catch (e) {} }`)
			var interrupted *goja.InterruptedError
			if !errors.As(err, &interrupted) {
				t.Fatalf("want the interrupt to end the script, got %v", err)
			}
		})
	}
}

func TestWrappedNativesKeepTheirShape(t *testing.T) {
	vm := newVM(t, jsguard.Options{})
	v, err := vm.RunString(`[String.prototype.repeat.length, String.prototype.padStart.name, Array.prototype.includes.length,
		Array.prototype.indexOf.name, Object.keys(Array.prototype).length, Array.from.length, [3, 1, 2].toString()].join()`)
	if err != nil || v.String() != "1,padStart,1,indexOf,0,1,3,1,2" {
		t.Fatalf("shape: %v %v", v, err)
	}
}

func TestTypedArrayCopiesOfHugeArrayLikesAreRefused(t *testing.T) {
	vm := newVM(t, jsguard.Options{})
	v, err := vm.RunString(`(() => {
		const out = [];
		for (const f of [() => Uint8Array.from({length: 2 ** 30}), () => new Uint8Array(4).set({length: 2 ** 31}),
			() => Float64Array.from({length: 2 ** 25})]) {
			try { f(); out.push("no error"); } catch (e) { out.push(e.constructor.name); }
		}
		const u = new Uint8Array(3); u.set({length: 2, 0: 7, 1: 8}, 1);
		out.push(Array.from(Uint8Array.from({length: 2, 0: 5})).join("-"), Array.from(u).join("-"), Uint8Array.from.name);
		return out.join(" ");
	})()`)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "RangeError RangeError RangeError 5-0 0-7-8 from" {
		t.Fatalf("got %s", v)
	}
}
