package xml2js

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseOptions are xml2js's parser options that bmobemu supports (0.4.x defaults
// from DefaultParseOptions).
type ParseOptions struct {
	ExplicitArray   bool
	ExplicitRoot    bool
	ExplicitCharkey bool
	Trim            bool
	Normalize       bool
	NormalizeTags   bool
	MergeAttrs      bool
	IgnoreAttrs     bool
	AttrKey         string
	CharKey         string
	// EmptyTag replaces empty elements; nil keeps xml2js's default (the element's
	// whitespace, usually ""). Set EmptyTagSet to use EmptyTag even when nil.
	EmptyTag    any
	EmptyTagSet bool
}

// DefaultParseOptions are xml2js 0.4's defaults.
func DefaultParseOptions() ParseOptions {
	return ParseOptions{ExplicitArray: true, ExplicitRoot: true, AttrKey: "$", CharKey: "_"}
}

// ParseBody parses a text/xml request body as Bmob's runtime does, with xml2js
// `parseString(buf, {explicitArray: false})`: {xml: {FromUserName: "…", …}}, all
// leaves strings, CDATA unwrapped, attributes under "$". An empty body gives nil.
func ParseBody(data []byte) (map[string]any, error) {
	opts := DefaultParseOptions()
	opts.ExplicitArray = false
	v, err := Parse(data, opts)
	if err != nil {
		return nil, err
	}
	m, _ := toGo(v).(map[string]any)
	return m, nil
}

// ParseBodyJSON is ParseBody as JSON text with the keys in document order, as
// a script's JSON.stringify(request.body) shows them. An empty body gives nil.
func ParseBodyJSON(data []byte) ([]byte, error) {
	opts := DefaultParseOptions()
	opts.ExplicitArray = false
	v, err := Parse(data, opts)
	if err != nil || v == nil {
		return nil, err
	}
	if _, ok := v.(*object); !ok {
		return nil, nil
	}
	return appendJSON(nil, v)
}

// Parse parses one XML document into xml2js's shape (see tree.go for the types).
// An empty document gives nil, as xml2js's null.
func Parse(data []byte, opts ParseOptions) (any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if err := checkStart(data); err != nil {
		return nil, err
	}
	p := &parser{opts: opts}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity // sax, under xml2js, knows the HTML entities (&nbsp; …)
	// The text is already decoded; a declared charset does not change it.
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			if len(p.stack) > 0 {
				return nil, errors.New("Unclosed root tag")
			}
			return p.root, nil
		}
		if err != nil {
			return nil, fmt.Errorf("xml2js: %w", err)
		}
		if done, err := p.token(tok); err != nil || done {
			return p.root, err
		}
	}
}

// checkStart reports sax's error for text before the first tag.
func checkStart(data []byte) error {
	s := string(data)
	trimmed := strings.TrimLeftFunc(s, unicode.IsSpace)
	if trimmed == "" || trimmed[0] == '<' {
		return nil
	}
	before := s[:len(s)-len(trimmed)]
	line := strings.Count(before, "\n")
	col := utf8.RuneCountInString(before[strings.LastIndex(before, "\n")+1:]) + 1
	r, _ := utf8.DecodeRuneInString(trimmed)
	return fmt.Errorf("Non-whitespace before first tag.\nLine: %d\nColumn: %d\nChar: %c", line, col, r)
}

type parser struct {
	opts  ParseOptions
	stack []*frame
	root  any
	set   bool
}

type frame struct {
	name string
	obj  *object
	text strings.Builder
}

func qualified(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// token handles one token; done is true once the root element has closed (xml2js
// reports the first root and ignores what follows).
func (p *parser) token(tok xml.Token) (done bool, err error) {
	switch t := tok.(type) {
	case xml.StartElement:
		f := &frame{name: qualified(t.Name), obj: newObject()}
		if p.opts.NormalizeTags {
			f.name = strings.ToLower(f.name)
		}
		f.obj.set(p.opts.CharKey, "")
		if !p.opts.IgnoreAttrs && len(t.Attr) > 0 {
			if p.opts.MergeAttrs {
				for _, a := range t.Attr {
					p.add(f.obj, qualified(a.Name), a.Value)
				}
			} else {
				attrs := newObject()
				for _, a := range t.Attr {
					attrs.set(qualified(a.Name), a.Value)
				}
				f.obj.set(p.opts.AttrKey, attrs)
			}
		}
		p.stack = append(p.stack, f)
	case xml.CharData:
		if len(p.stack) > 0 {
			p.stack[len(p.stack)-1].text.Write(t)
		}
	case xml.EndElement:
		if len(p.stack) == 0 {
			return false, errors.New("Unexpected close tag")
		}
		f := p.stack[len(p.stack)-1]
		p.stack = p.stack[:len(p.stack)-1]
		name := qualified(t.Name)
		if p.opts.NormalizeTags {
			name = strings.ToLower(name)
		}
		if name != f.name {
			return false, fmt.Errorf("Unexpected close tag")
		}
		v := p.finish(f)
		if len(p.stack) == 0 {
			p.root = v
			if p.opts.ExplicitRoot {
				root := newObject()
				root.set(f.name, v)
				p.root = root
			}
			return true, nil
		}
		p.add(p.stack[len(p.stack)-1].obj, f.name, v)
	}
	return false, nil
}

// finish turns a closed element into its value: whitespace-only text is dropped,
// other text trimmed/normalized as asked; an empty element becomes its whitespace
// (or EmptyTag) and a text-only one becomes the text itself.
func (p *parser) finish(f *frame) any {
	text := f.text.String()
	emptyStr := ""
	if strings.TrimFunc(text, unicode.IsSpace) == "" {
		emptyStr = text
		f.obj.del(p.opts.CharKey)
	} else {
		if p.opts.Trim {
			text = strings.TrimFunc(text, unicode.IsSpace)
		}
		if p.opts.Normalize {
			text = strings.Join(strings.Fields(text), " ")
		}
		f.obj.set(p.opts.CharKey, text)
	}
	if len(f.obj.keys) == 0 {
		if p.opts.EmptyTagSet || p.opts.EmptyTag != nil {
			return p.opts.EmptyTag
		}
		return emptyStr
	}
	if len(f.obj.keys) == 1 && f.obj.keys[0] == p.opts.CharKey && !p.opts.ExplicitCharkey {
		return f.obj.vals[p.opts.CharKey]
	}
	return f.obj
}

// add puts a child value under key: always in an array with explicitArray, else
// alone the first time and as an array once the key repeats.
func (p *parser) add(o *object, key string, v any) {
	old, exists := o.vals[key]
	switch {
	case p.opts.ExplicitArray && exists:
		o.set(key, append(old.([]any), v))
	case p.opts.ExplicitArray:
		o.set(key, []any{v})
	case !exists:
		o.set(key, v)
	default:
		if arr, ok := old.([]any); ok {
			o.set(key, append(arr, v))
		} else {
			o.set(key, []any{old, v})
		}
	}
}
