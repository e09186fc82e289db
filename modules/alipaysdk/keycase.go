package alipaysdk

import (
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/dop251/goja"
)

// CamelCaseKey converts one key the way camelcase 4.1.0 does (the algorithm inside
// camelcase-keys 4.2.0, which sdkExec and pageExec run over their params first).
func CamelCaseKey(key string) string {
	s := strings.TrimFunc(key, isJSSpace)
	switch jsLen(s) {
	case 0:
		return ""
	case 1:
		return strings.ToLower(s)
	}
	if isLowerAlnum(s) {
		return s
	}
	if s != strings.ToLower(s) {
		s = markCaseBoundaries(s)
	}
	s = strings.TrimLeft(s, "_.- ")
	return upperAfterSeparators(strings.ToLower(s))
}

// markCaseBoundaries puts a '-' where a word starts inside a mixed-case key: before
// an upper-case letter that follows a lower-case one, and before the last capital of
// a run of capitals that is followed by a lower-case letter ("ABCDef" -> "ABC-Def").
func markCaseBoundaries(s string) string {
	in := []rune(s)
	out := make([]rune, 0, len(in)+4)
	var lastLower, lastUpper, lastLastUpper bool
	for _, c := range in {
		isLetter := c < 0x80 && unicode.IsLetter(c)
		switch {
		case lastLower && isLetter && unicode.ToUpper(c) == c:
			out = append(out, '-', c)
			lastLower, lastLastUpper, lastUpper = false, lastUpper, true
		case lastUpper && lastLastUpper && isLetter && unicode.ToLower(c) == c:
			// The capital just written starts the new word.
			prev := out[len(out)-1]
			out = append(out[:len(out)-1], '-', prev, c)
			// camelcase 4.1.0 re-reads the letter after inserting, which leaves
			// these flags as a lower-case letter preceded by a non-capital.
			lastLower, lastLastUpper, lastUpper = true, false, false
		default:
			out = append(out, c)
			lastLower = unicode.ToLower(c) == c
			lastLastUpper = lastUpper
			lastUpper = unicode.ToUpper(c) == c
		}
	}
	return string(out)
}

func isCamelSeparator(c rune) bool { return c == '_' || c == '.' || c == '-' || c == ' ' }

func isWordChar(c rune) bool { return c < 0x80 && (c == '_' || isASCIIAlnum(c)) }

// upperAfterSeparators is `s.replace(/[_.\- ]+(\w|$)/g, (m, c) => c.toUpperCase())`,
// backtracking included: a run that is not followed by a word character may still
// match up to an '_' inside it, since '_' is itself a word character.
func upperAfterSeparators(s string) string {
	in := []rune(s)
	var out []rune
	for i := 0; i < len(in); {
		if !isCamelSeparator(in[i]) {
			out = append(out, in[i])
			i++
			continue
		}
		j := i
		for j < len(in) && isCamelSeparator(in[j]) {
			j++
		}
		switch {
		case j == len(in):
			return string(out)
		case isWordChar(in[j]):
			out = append(out, unicode.ToUpper(in[j]))
			i = j + 1
			continue
		}
		k := -1
		for m := j - 1; m > i; m-- {
			if in[m] == '_' {
				k = m
				break
			}
		}
		if k < 0 {
			out = append(out, in[i])
			i++
			continue
		}
		out = append(out, '_')
		i = k + 1
	}
	return string(out)
}

// SnakeCaseKey converts one key the way to-snake-case 0.1.2 does (through
// to-space-case and to-no-case 0.1.x), the converter of snakecase-keys 1.2.0 that
// the SDK's sign step runs over every parameter and over bizContent.
func SnakeCaseKey(key string) string {
	spaced := replaceSeparatorRuns(noCase(key))
	return strings.Map(func(r rune) rune {
		if isJSSpace(r) {
			return '_'
		}
		return r
	}, spaced)
}

// noCase is to-no-case 0.1.x: lower case with words split by single spaces.
func noCase(s string) string {
	switch {
	case strings.IndexFunc(s, isJSSpace) >= 0:
		return strings.ToLower(s)
	case strings.IndexFunc(s, func(r rune) bool { return !isASCIIAlnum(r) }) >= 0:
		if u := replaceSeparatorRuns(s); u != "" {
			return strings.ToLower(u)
		}
		return strings.ToLower(s)
	case hasLowerThenUpper(s):
		return strings.ToLower(splitCapitals(s))
	}
	return strings.ToLower(s)
}

// replaceSeparatorRuns is `s.replace(/[\W_]+(.|$)/g, (m, c) => c ? " " + c : "")`.
func replaceSeparatorRuns(s string) string {
	in := []rune(s)
	var b strings.Builder
	for i := 0; i < len(in); {
		if isASCIIAlnum(in[i]) {
			b.WriteRune(in[i])
			i++
			continue
		}
		j := i
		for j < len(in) && !isASCIIAlnum(in[j]) {
			j++
		}
		if j == len(in) {
			break
		}
		b.WriteByte(' ')
		b.WriteRune(in[j])
		i = j + 1
	}
	return b.String()
}

func hasLowerThenUpper(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] >= 'a' && s[i-1] <= 'z' && s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// splitCapitals is `s.replace(/(.)([A-Z]+)/g, (m, p, u) => p + ' ' + u.toLowerCase().split(”).join(' '))`.
func splitCapitals(s string) string {
	in := []rune(s)
	var b strings.Builder
	isCap := func(r rune) bool { return r >= 'A' && r <= 'Z' }
	for i := 0; i < len(in); {
		if i+1 < len(in) && !isLineTerminator(in[i]) && isCap(in[i+1]) {
			b.WriteRune(in[i])
			j := i + 1
			for ; j < len(in) && isCap(in[j]); j++ {
				b.WriteByte(' ')
				b.WriteRune(unicode.ToLower(in[j]))
			}
			i = j
			continue
		}
		b.WriteRune(in[i])
		i++
	}
	return b.String()
}

func isASCIIAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

func isLowerAlnum(s string) bool {
	for _, r := range s {
		if !((r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return s != ""
}

// isJSSpace is JavaScript's \s: white space and line terminators.
func isJSSpace(r rune) bool { return unicode.IsSpace(r) || r == '\ufeff' || isLineTerminator(r) }

func isLineTerminator(r rune) bool { return r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' }

// jsLen is a string's JavaScript length, in UTF-16 code units.
func jsLen(s string) int { return len(utf16.Encode([]rune(s))) }

// keyMapper walks a value the way map-obj 2.x does for camelcase-keys and
// snakecase-keys: own enumerable keys in order, deep into plain objects and into
// objects inside arrays; Date, RegExp and Error values are kept as they are.
type keyMapper struct {
	vm   *goja.Runtime
	conv func(string) string
	deep bool
	seen map[*goja.Object]*goja.Object
}

// mapKeys converts the keys of v. Like map-obj, which keys its cycle cache with a
// WeakMap, a value that is not an object throws V8's WeakMap TypeError.
func (m *module) mapKeys(v goja.Value, conv func(string) string, deep bool) *goja.Object {
	obj, ok := v.(*goja.Object)
	if !ok {
		panic(m.vm.NewTypeError("Invalid value used as weak map key"))
	}
	km := &keyMapper{vm: m.vm, conv: conv, deep: deep, seen: map[*goja.Object]*goja.Object{}}
	return km.object(obj)
}

func (k *keyMapper) object(obj *goja.Object) *goja.Object {
	if done, ok := k.seen[obj]; ok {
		return done
	}
	target := k.vm.NewObject()
	k.seen[obj] = target
	for _, key := range obj.Keys() {
		val := get(obj, key)
		if k.deep {
			val = k.nested(val)
		}
		_ = target.Set(k.conv(key), val)
	}
	return target
}

func (k *keyMapper) nested(v goja.Value) goja.Value {
	obj, ok := mappable(v)
	if !ok {
		return v
	}
	if obj.ClassName() != "Array" {
		return k.object(obj)
	}
	n := int(get(obj, "length").ToInteger())
	items := make([]any, n)
	for i := range n {
		item := get(obj, itoa(i))
		if inner, ok := mappable(item); ok {
			items[i] = k.object(inner)
		} else {
			items[i] = item
		}
	}
	return k.vm.NewArray(items...)
}

// mappable is map-obj's isObject: typeof 'object', not null, not a Date, RegExp or Error.
func mappable(v goja.Value) (*goja.Object, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	if _, isFn := goja.AssertFunction(obj); isFn {
		return nil, false
	}
	switch obj.ClassName() {
	case "Date", "RegExp", "Error":
		return nil, false
	}
	return obj, true
}
