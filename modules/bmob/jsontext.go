// Package bmob provides Bmob's own modules: oData (objects and users on the store
// through the same REST semantics clients use), the wrappers oRelation, oArray,
// oAtom, oLocation, oBatch, oBql, oPush and oFile (the REST calls of Bmob's module,
// made in-process), and oFunctions (calling other cloud functions). Their
// callbacks get Bmob's JSON text, built by JSONText.
package bmob

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
)

// JSONText is the `data` a Bmob callback receives: the REST answer's JSON text.
// In the bmob profile it is a primitive string, as on Bmob. In compat it is a
// String object (so JSON.parse(data), data + ” and response.send(data) still see
// the text) whose parsed top-level fields are also readable as non-enumerable
// properties, so tutorial code such as `data.status` works; each such read logs a
// fidelity note (docs/compat.md, extension 1).
//
// The text is parsed only when a script first reads such a field (most parse it
// themselves); the fields' names come from a scan of the text in Go, and their
// getters are made once per VM and name.
func JSONText(vu modules.VU, text string) goja.Value {
	vm := vu.Runtime()
	if vu.Env().Profile != modules.Compat {
		return vm.ToValue(text)
	}
	strObj := vm.ToValue(text).ToObject(vm)
	keys, ok := topLevelKeys(text)
	if !ok {
		return strObj
	}
	st := stateOf(vu)
	for _, key := range keys {
		if strObj.Get(key) != nil { // length, and String.prototype's own names, stay as they are
			continue
		}
		_ = strObj.DefineAccessorProperty(key, st.fieldGetter(vu, key), nil, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	return strObj
}

// parsedSymbol keeps a JSON text's parsed fields on its String object, so every
// read of data.x sees the same values (data.results.push sticks).
var parsedSymbol = goja.NewSymbol("bmobemu.bmob.parsed")

// maxGetters bounds the getters kept per VM (field names can be data).
const maxGetters = 1024

// fieldGetter is the getter of field key on any JSON text of this VM: it parses
// its String object's text on first use and reads key from the result.
func (st *vmState) fieldGetter(vu modules.VU, key string) goja.Value {
	if g, ok := st.getters[key]; ok {
		return g
	}
	vm := vu.Runtime()
	g := vm.ToValue(func(c goja.FunctionCall) goja.Value {
		vu.Note("read data."+key+" on Bmob's JSON text (compat)", "give undefined: data is a string, so JSON.parse(data) first")
		this, ok := c.This.(*goja.Object)
		if !ok {
			return goja.Undefined()
		}
		fields, _ := this.GetSymbol(parsedSymbol).(*goja.Object)
		if fields == nil {
			parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
			parsed, err := parse(goja.Undefined(), vm.ToValue(this.String()))
			if err != nil {
				return goja.Undefined()
			}
			if fields, _ = parsed.(*goja.Object); fields == nil {
				return goja.Undefined()
			}
			_ = this.DefineDataPropertySymbol(parsedSymbol, fields, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
		}
		return fields.Get(key)
	})
	if len(st.getters) < maxGetters {
		st.getters[key] = g
	}
	return g
}

// topLevelKeys lists the keys of text when it is one valid JSON object, in the
// order JSON.parse's object lists them (array indexes first, ascending, then the
// other keys in the order they first appear); ok is false for any other text.
func topLevelKeys(text string) (keys []string, ok bool) {
	s := strings.TrimLeft(text, " \t\r\n")
	if !strings.HasPrefix(s, "{") || !json.Valid([]byte(text)) {
		return nil, false
	}
	seen := map[string]bool{}
	var indexes []string
	depth, i := 0, 0
	for i < len(s) {
		switch c := s[i]; c {
		case '{', '[':
			depth++
			i++
		case '}', ']':
			depth--
			i++
		case '"':
			end := stringEnd(s, i)
			if depth == 1 && nextNonSpace(s, end) == ':' {
				key := s[i+1 : end-1]
				if strings.IndexByte(key, '\\') >= 0 {
					_ = json.Unmarshal([]byte(s[i:end]), &key)
				}
				if !seen[key] {
					seen[key] = true
					if isArrayIndex(key) {
						indexes = append(indexes, key)
					} else {
						keys = append(keys, key)
					}
				}
			}
			i = end
		default:
			i++
		}
	}
	if len(indexes) > 0 {
		sortIndexes(indexes)
		keys = append(indexes, keys...)
	}
	return keys, true
}

// stringEnd is the index just past the JSON string starting at s[start] ('"').
func stringEnd(s string, start int) int {
	for i := start + 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(s)
}

func nextNonSpace(s string, i int) byte {
	for ; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return s[i]
		}
	}
	return 0
}

// isArrayIndex: a canonical integer below 2^32-1, which JS objects list first.
func isArrayIndex(k string) bool {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return err == nil && n < 1<<32-1
}

func sortIndexes(ix []string) {
	num := func(s string) uint64 { n, _ := strconv.ParseUint(s, 10, 64); return n }
	for i := 1; i < len(ix); i++ { // few keys: insertion sort
		for j := i; j > 0 && num(ix[j]) < num(ix[j-1]); j-- {
			ix[j], ix[j-1] = ix[j-1], ix[j]
		}
	}
}

// argError is the err a Bmob module passes for bad arguments (docs/fidelity.md#wrapper-callbacks-and-argument-errors):
// {error: Error(msg), code}. response.send(err) shows it as {"error":{},"code":N}.
func argError(vm *goja.Runtime, code int, msg string) goja.Value {
	o := vm.NewObject()
	errObj, _ := vm.New(vm.Get("Error"), vm.ToValue(msg))
	_ = o.Set("error", errObj)
	_ = o.Set("code", code)
	return o
}
