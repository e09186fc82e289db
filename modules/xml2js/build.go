package xml2js

import (
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// BuildOptions are xml2js Builder options that bmobemu supports.
type BuildOptions struct {
	RootName string // "root" by default; then a one-key object names its own root
	Headless bool
	CData    bool
	Pretty   bool
	Indent   string
	Newline  string
	AttrKey  string
	CharKey  string
	// XMLDec is the declaration's pseudo-attributes, in order.
	XMLDec [][2]string
}

// DefaultBuildOptions are xml2js 0.4's Builder defaults.
func DefaultBuildOptions() BuildOptions {
	return BuildOptions{
		RootName: "root", Pretty: true, Indent: "  ", Newline: "\n", AttrKey: "$", CharKey: "_",
		XMLDec: [][2]string{{"version", "1.0"}, {"encoding", "UTF-8"}, {"standalone", "yes"}},
	}
}

// builder writes XML from JS values the way xml2js's Builder (xmlbuilder) does.
type builder struct {
	vm   *goja.Runtime
	opts BuildOptions
	sb   strings.Builder
}

func (b *builder) build(v goja.Value) string {
	name := b.opts.RootName
	// As xml2js: with the default root name, a one-key object names the root itself.
	if obj, isObj := v.(*goja.Object); isObj && name == "root" && !isArray(obj) {
		if keys := obj.Keys(); len(keys) == 1 {
			name, v = keys[0], obj.Get(keys[0])
		}
	}
	if !b.opts.Headless {
		b.sb.WriteString("<?xml")
		for _, kv := range b.opts.XMLDec {
			b.sb.WriteString(" " + kv[0] + `="` + kv[1] + `"`)
		}
		b.sb.WriteString("?>")
	}
	b.element(name, v, 0)
	return b.sb.String()
}

func isArray(obj *goja.Object) bool {
	return obj.ClassName() == "Array"
}

func (b *builder) newline(depth int) {
	if !b.opts.Pretty || b.sb.Len() == 0 {
		return
	}
	b.sb.WriteString(b.opts.Newline)
	b.sb.WriteString(strings.Repeat(b.opts.Indent, depth))
}

// element writes <name …>…</name>; arrays repeat the element, empty arrays write nothing.
func (b *builder) element(name string, v goja.Value, depth int) {
	obj, isObj := v.(*goja.Object)
	if isObj && isArray(obj) {
		n := int(obj.Get("length").ToInteger())
		for i := 0; i < n; i++ {
			b.element(name, obj.Get(strconv.Itoa(i)), depth)
		}
		return
	}
	b.newline(depth)
	b.sb.WriteString("<" + name)
	if !isObj || isFunctionOrDate(obj) {
		text := ""
		if v != nil && !goja.IsUndefined(v) && !goja.IsNull(v) {
			text = v.String()
		}
		if text == "" {
			b.sb.WriteString("/>")
			return
		}
		b.sb.WriteString(">" + b.text(text) + "</" + name + ">")
		return
	}
	type part struct {
		text  string
		child string
		val   goja.Value
	}
	var parts []part
	for _, k := range obj.Keys() {
		val := obj.Get(k)
		switch k {
		case b.opts.AttrKey:
			if attrs, ok := val.(*goja.Object); ok {
				for _, ak := range attrs.Keys() {
					b.sb.WriteString(" " + ak + `="` + escapeAttr(attrs.Get(ak).String()) + `"`)
				}
			}
		case b.opts.CharKey:
			parts = append(parts, part{text: val.String()})
		default:
			if va, ok := val.(*goja.Object); ok && isArray(va) && va.Get("length").ToInteger() == 0 {
				continue
			}
			parts = append(parts, part{child: k, val: val})
		}
	}
	if len(parts) == 0 {
		b.sb.WriteString("/>")
		return
	}
	if len(parts) == 1 && parts[0].child == "" {
		b.sb.WriteString(">" + b.text(parts[0].text) + "</" + name + ">")
		return
	}
	b.sb.WriteString(">")
	for _, p := range parts {
		if p.child == "" {
			b.newline(depth + 1)
			b.sb.WriteString(b.text(p.text))
			continue
		}
		b.element(p.child, p.val, depth+1)
	}
	b.newline(depth)
	b.sb.WriteString("</" + name + ">")
}

func isFunctionOrDate(obj *goja.Object) bool {
	_, isFn := goja.AssertFunction(obj)
	return isFn || obj.ClassName() == "Date"
}

// text escapes element text, or wraps it in CDATA when the cdata option is on
// and the text needs escaping.
func (b *builder) text(s string) string {
	if b.opts.CData && strings.ContainsAny(s, "&<>") {
		return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>"
	}
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;").Replace(s)
}

func escapeAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;").Replace(s)
}
