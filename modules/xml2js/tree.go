package xml2js

import "github.com/dop251/goja"

// object is a parsed element: keys in the order xml2js creates them (text key,
// attribute key, then children by first appearance), because scripts see that
// order through JSON.stringify and for…in.
type object struct {
	keys []string
	vals map[string]any // string, *object, []any or nil
}

func newObject() *object { return &object{vals: map[string]any{}} }

func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *object) del(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, key := range o.keys {
		if key == k {
			o.keys = append(o.keys[:i], o.keys[i+1:]...)
			break
		}
	}
}

// toGo converts a parsed value to plain Go values: map[string]any, []any, string, nil.
func toGo(v any) any {
	switch x := v.(type) {
	case *object:
		m := make(map[string]any, len(x.keys))
		for _, k := range x.keys {
			m[k] = toGo(x.vals[k])
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toGo(e)
		}
		return out
	}
	return v
}

// toJS converts a parsed value to JavaScript values, keeping key order.
func toJS(vm *goja.Runtime, v any) goja.Value {
	switch x := v.(type) {
	case *object:
		obj := vm.NewObject()
		for _, k := range x.keys {
			_ = obj.Set(k, toJS(vm, x.vals[k]))
		}
		return obj
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = toJS(vm, e)
		}
		return vm.NewArray(items...)
	case nil:
		return goja.Null()
	}
	return vm.ToValue(v)
}
