package xml2js

import (
	"encoding/json"

	"github.com/dop251/goja"
)

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

// appendJSON writes a parsed value as JSON text, object keys in document order
// (the order a script sees through JSON.stringify and for…in).
func appendJSON(buf []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case *object:
		buf = append(buf, '{')
		for i, k := range x.keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			key, err := json.Marshal(k)
			if err != nil {
				return nil, err
			}
			buf = append(append(buf, key...), ':')
			if buf, err = appendJSON(buf, x.vals[k]); err != nil {
				return nil, err
			}
		}
		return append(buf, '}'), nil
	case []any:
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = appendJSON(buf, e); err != nil {
				return nil, err
			}
		}
		return append(buf, ']'), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(buf, b...), nil
}
