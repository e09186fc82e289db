package noderequest

import (
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// This file reproduces the qs library (version 6.5, request's default) for what
// request uses: stringify with RFC 3986 encoding and bracketed keys (`a[b]=`,
// `a[0]=`), and parse of a URL's existing query before `qs` options merge into it.

var bytesType = reflect.TypeOf([]byte(nil))

// qsStringify serialises a JavaScript value as qs.stringify(v) does by default.
func qsStringify(vm *goja.Runtime, v goja.Value) string {
	obj, ok := v.(*goja.Object)
	if !ok {
		return ""
	}
	var parts []string
	for _, k := range obj.Keys() {
		qsAppend(vm, &parts, k, obj.Get(k))
	}
	return strings.Join(parts, "&")
}

func qsAppend(vm *goja.Runtime, parts *[]string, prefix string, v goja.Value) {
	if v == nil || goja.IsUndefined(v) {
		return
	}
	if goja.IsNull(v) {
		*parts = append(*parts, qsEncode(prefix)+"=")
		return
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		*parts = append(*parts, qsEncode(prefix)+"="+qsEncode(v.String()))
		return
	}
	switch {
	case obj.ClassName() == "Date":
		iso, _ := goja.AssertFunction(obj.Get("toISOString"))
		s, err := iso(obj)
		if err == nil {
			*parts = append(*parts, qsEncode(prefix)+"="+qsEncode(s.String()))
		}
		return
	case obj.ExportType() == bytesType:
		*parts = append(*parts, qsEncode(prefix)+"="+qsEncode(obj.String()))
		return
	case obj.ClassName() == "Array":
		n := int(obj.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			qsAppend(vm, parts, prefix+"["+strconv.Itoa(i)+"]", obj.Get(strconv.Itoa(i)))
		}
		return
	}
	for _, k := range obj.Keys() {
		qsAppend(vm, parts, prefix+"["+k+"]", obj.Get(k))
	}
}

// qsEncode percent-encodes the UTF-8 bytes of s, keeping only RFC 3986 unreserved
// characters, with upper-case hex: qs's default encoder.
func qsEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// rfc3986 escapes the characters encodeURIComponent leaves alone but RFC 3986
// reserves, as request does for string forms.
func rfc3986(s string) string {
	r := strings.NewReplacer("!", "%21", "'", "%27", "(", "%28", ")", "%29", "*", "%2A")
	return r.Replace(s)
}

// qsNode is a parsed query value: a string, or an object whose keys keep their
// order; arrayish objects (built from `a[]`, `a[0]` or repeated keys) become arrays.
type qsNode struct {
	value    *string
	keys     []string
	kids     map[string]*qsNode
	arrayish bool
}

const (
	qsDepth      = 5
	qsArrayLimit = 20
)

// qsParse parses a query string as qs.parse does by default, into a JS object.
func qsParse(vm *goja.Runtime, query string) *goja.Object {
	root := &qsNode{}
	for _, part := range strings.Split(query, "&") {
		if part == "" {
			continue
		}
		pos := strings.Index(part, "]=")
		if pos >= 0 {
			pos++
		} else {
			pos = strings.Index(part, "=")
		}
		var key, val string
		if pos < 0 {
			key = qsDecode(part)
		} else {
			key, val = qsDecode(part[:pos]), qsDecode(part[pos+1:])
		}
		if key == "" {
			continue
		}
		root.insert(qsSegments(key), val)
	}
	root.arrayish = false // the top level is always an object
	return root.toJS(vm).(*goja.Object)
}

func qsDecode(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

// qsSegments splits `a[b][c]` into a, b, c, at most qsDepth levels deep; the rest
// stays one literal key, as qs does.
func qsSegments(key string) []string {
	open := strings.IndexByte(key, '[')
	if open <= 0 || !strings.Contains(key[open:], "]") {
		return []string{key}
	}
	segs := []string{key[:open]}
	rest := key[open:]
	for depth := 0; depth < qsDepth && strings.HasPrefix(rest, "["); depth++ {
		end := strings.IndexByte(rest, ']')
		if end < 0 || strings.ContainsRune(rest[1:end], '[') {
			break
		}
		segs = append(segs, "["+rest[1:end]+"]")
		rest = rest[end+1:]
	}
	if rest != "" {
		segs = append(segs, "["+rest+"]")
	}
	return segs
}

func (n *qsNode) child(key string) *qsNode {
	if n.kids == nil {
		n.kids = map[string]*qsNode{}
	}
	if c, ok := n.kids[key]; ok {
		return c
	}
	c := &qsNode{}
	n.kids[key] = c
	n.keys = append(n.keys, key)
	return c
}

func (n *qsNode) nextIndex() string {
	next := 0
	for _, k := range n.keys {
		if i, err := strconv.Atoi(k); err == nil && i >= next {
			next = i + 1
		}
	}
	return strconv.Itoa(next)
}

func (n *qsNode) insert(segs []string, val string) {
	if len(segs) == 0 {
		switch {
		case n.value == nil && n.kids == nil:
			n.value = &val
		case n.value != nil: // a repeated key: combine into an array
			old := *n.value
			n.value = nil
			n.arrayish = true
			n.child("0").value = &old
			n.child("1").value = &val
		default:
			if len(n.keys) == 0 {
				n.arrayish = true
			}
			n.child(n.nextIndex()).value = &val
		}
		return
	}
	seg := segs[0]
	if len(seg) >= 2 && seg[0] == '[' && seg[len(seg)-1] == ']' {
		seg = seg[1 : len(seg)-1]
	}
	if n.value != nil { // a string meeting nested keys: the nested form wins
		n.value = nil
	}
	if len(n.keys) == 0 {
		n.arrayish = true
	}
	idx, err := strconv.Atoi(seg)
	isIndex := err == nil && idx >= 0 && idx <= qsArrayLimit && strconv.Itoa(idx) == seg
	switch {
	case segs[0] == "[]":
		seg = n.nextIndex()
	case !isIndex:
		n.arrayish = false
	}
	n.child(seg).insert(segs[1:], val)
}

func (n *qsNode) toJS(vm *goja.Runtime) goja.Value {
	if n.value != nil {
		return vm.ToValue(*n.value)
	}
	if n.arrayish && len(n.keys) > 0 {
		keys := append([]string(nil), n.keys...)
		sort.Slice(keys, func(i, j int) bool {
			a, _ := strconv.Atoi(keys[i])
			b, _ := strconv.Atoi(keys[j])
			return a < b
		})
		items := make([]any, len(keys))
		for i, k := range keys {
			items[i] = n.kids[k].toJS(vm)
		}
		return vm.NewArray(items...)
	}
	obj := vm.NewObject()
	for _, k := range n.keys {
		_ = obj.Set(k, n.kids[k].toJS(vm))
	}
	return obj
}
