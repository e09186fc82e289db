package jstest

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// A value tree is a JavaScript value as assertions compare and print it:
// nil (null), undefinedValue, bool, float64, string, []any, *object, or a
// special (functions, dates, regexps, cycles) compared by its text.
type undefinedValue struct{}

type object struct {
	keys   []string // sorted
	fields map[string]any
}

type special struct{ text string }

const maxDepth = 64

// tree converts v. Object keys are own enumerable string keys, sorted, so key
// order never makes two values differ.
func tree(vm *goja.Runtime, v goja.Value) any {
	return treeAt(vm, v, map[*goja.Object]bool{}, 0)
}

func treeAt(vm *goja.Runtime, v goja.Value, seen map[*goja.Object]bool, depth int) any {
	if v == nil || goja.IsUndefined(v) {
		return undefinedValue{}
	}
	if goja.IsNull(v) {
		return nil
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		switch x := v.Export().(type) {
		case int64:
			return float64(x)
		case float64:
			return x
		case bool:
			return x
		case string:
			return x
		}
		return special{text: v.String()}
	}
	if seen[obj] || depth > maxDepth {
		return special{text: "[Circular]"}
	}
	switch obj.ClassName() {
	case "Function":
		return special{text: "[Function " + obj.Get("name").String() + "]"}
	case "Date":
		if f, ok := goja.AssertFunction(obj.Get("toISOString")); ok {
			if s, err := f(obj); err == nil {
				return special{text: "Date(" + s.String() + ")"}
			}
		}
		return special{text: "Date(Invalid)"}
	case "RegExp":
		return special{text: obj.String()}
	case "String": // wrapper objects (oData's compat text) compare as their primitive
		return obj.String()
	case "Number":
		return obj.ToFloat()
	case "Boolean":
		return obj.ToBoolean()
	}
	seen[obj] = true
	defer delete(seen, obj)
	if obj.ClassName() == "Array" {
		n := int(obj.Get("length").ToInteger())
		out := make([]any, n)
		for i := 0; i < n; i++ {
			out[i] = treeAt(vm, obj.Get(strconv.Itoa(i)), seen, depth+1)
		}
		return out
	}
	keys := obj.Keys()
	sort.Strings(keys)
	o := &object{keys: keys, fields: make(map[string]any, len(keys))}
	for _, k := range keys {
		o.fields[k] = treeAt(vm, obj.Get(k), seen, depth+1)
	}
	return o
}

// equalTrees is strict deep equality: same types, NaN equals NaN, +0 equals -0.
func equalTrees(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case undefinedValue:
		_, ok := b.(undefinedValue)
		return ok
	case bool, string:
		return a == b
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || (math.IsNaN(x) && math.IsNaN(y)))
	case special:
		y, ok := b.(special)
		return ok && x.text == y.text
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalTrees(x[i], y[i]) {
				return false
			}
		}
		return true
	case *object:
		y, ok := b.(*object)
		if !ok || len(x.keys) != len(y.keys) {
			return false
		}
		for i, k := range x.keys {
			if y.keys[i] != k || !equalTrees(x.fields[k], y.fields[k]) {
				return false
			}
		}
		return true
	}
	return false
}

// render prints a tree as indented, JSON-like text (undefined and specials
// written plainly), one line per scalar, so diffs point at the field.
func render(v any) string {
	var b strings.Builder
	renderTo(&b, v, "")
	return b.String()
}

func renderTo(b *strings.Builder, v any, indent string) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case undefinedValue:
		b.WriteString("undefined")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case float64:
		b.WriteString(formatNumber(x))
	case string:
		q, _ := json.Marshal(x)
		b.WriteString(strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(q)))
	case special:
		b.WriteString(x.text)
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range x {
			b.WriteString(indent + "  ")
			renderTo(b, e, indent+"  ")
			if i < len(x)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(indent + "]")
	case *object:
		if len(x.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range x.keys {
			q, _ := json.Marshal(k)
			b.WriteString(indent + "  " + string(q) + ": ")
			renderTo(b, x.fields[k], indent+"  ")
			if i < len(x.keys)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(indent + "}")
	}
}

func formatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == math.Trunc(f) && math.Abs(f) < 1e21:
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
