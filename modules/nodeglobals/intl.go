package nodeglobals

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/dop251/goja"
	"golang.org/x/text/collate"
	"golang.org/x/text/currency"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/bmobemu/bmobemu/modules"
)

// The locales Intl formats for. Any other request falls back to en-US, the
// default locale of Node started without LANG (as on Bmob), which is also what
// Node does for the root locale "und".
var (
	supported = []language.Tag{language.AmericanEnglish, language.MustParse("zh-CN"), language.MustParse("zh-TW")}
	matcher   = language.NewMatcher(supported)
)

// locale is a requested locale resolved to one bmobemu formats for.
type locale struct {
	name   string       // what resolvedOptions().locale reports
	family string       // "en-US", "zh-CN" or "zh-TW": which patterns apply
	tag    language.Tag // the family's tag, for x/text
	// numTag is the requested tag when it is none of the families: numbers take
	// their separators and NaN text from it (x/text knows every CLDR locale's),
	// everything else follows en-US.
	numTag language.Tag
}

// errRange is thrown to JavaScript as a RangeError.
type errRange string

func (e errRange) Error() string { return string(e) }

func resolveLocale(v goja.Value) (locale, error) {
	var requested []string
	switch {
	case v == nil || goja.IsUndefined(v) || goja.IsNull(v):
	default:
		if s, ok := v.Export().(string); ok {
			requested = []string{s}
		} else if arr, ok := v.Export().([]any); ok {
			for _, x := range arr {
				requested = append(requested, fmt.Sprint(x))
			}
		} else {
			requested = []string{v.String()}
		}
	}
	for _, r := range requested {
		tag, err := language.Parse(r)
		if err != nil {
			return locale{}, errRange("Incorrect locale information provided")
		}
		if tag == language.Und {
			continue
		}
		_, idx, conf := matcher.Match(tag)
		base, _ := tag.Base()
		if b, _ := supported[idx].Base(); conf == language.No || b != base {
			return locale{name: tag.String(), family: "en-US", tag: language.AmericanEnglish, numTag: tag}, nil
		}
		return locale{name: tag.String(), family: supported[idx].String(), tag: supported[idx], numTag: supported[idx]}, nil
	}
	return locale{name: "en-US", family: "en-US", tag: language.AmericanEnglish, numTag: language.AmericanEnglish}, nil
}

// separators are a locale's decimal and grouping marks, read from x/text's CLDR
// data by formatting 1234.5: the first mark is the group, the last the decimal.
func separators(tag language.Tag) (decimal, group string) {
	var marks []string
	for _, r := range message.NewPrinter(tag).Sprint(number.Decimal(1234.5)) {
		if r < '0' || r > '9' {
			marks = append(marks, string(r))
		}
	}
	if len(marks) != 2 {
		return ".", ","
	}
	return marks[1], marks[0]
}

// numberFormat is one Intl.NumberFormat's resolved options.
type numberFormat struct {
	loc             locale
	style           string // decimal, percent, currency
	currency        string
	currencyDisplay string // symbol, narrowSymbol, code
	minInt          int
	minFrac         int
	maxFrac         int
	minSig, maxSig  int // 0: not set
	grouping        bool
	decimal, group  string
	nan             string // the locale's text for NaN
}

type optionReader struct {
	vm   *goja.Runtime
	opts *goja.Object
}

func (r optionReader) str(name string, allowed []string, def string) (string, error) {
	if r.opts == nil {
		return def, nil
	}
	v := r.opts.Get(name)
	if v == nil || goja.IsUndefined(v) {
		return def, nil
	}
	s := v.String()
	if allowed != nil {
		for _, a := range allowed {
			if a == s {
				return s, nil
			}
		}
		return "", errRange(fmt.Sprintf("Value %s out of range for Intl.NumberFormat options property %s", s, name))
	}
	return s, nil
}

func (r optionReader) num(name string, lo, hi, def int) (int, bool, error) {
	if r.opts == nil {
		return def, false, nil
	}
	v := r.opts.Get(name)
	if v == nil || goja.IsUndefined(v) {
		return def, false, nil
	}
	f := v.ToFloat()
	if math.IsNaN(f) || f < float64(lo) || f > float64(hi) {
		return 0, false, errRange(name + " value is out of range.")
	}
	return int(math.Floor(f)), true, nil
}

func (r optionReader) boolean(name string, def bool) bool {
	if r.opts == nil {
		return def
	}
	v := r.opts.Get(name)
	if v == nil || goja.IsUndefined(v) {
		return def
	}
	return v.ToBoolean()
}

func options(vm *goja.Runtime, v goja.Value) optionReader {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return optionReader{vm: vm}
	}
	return optionReader{vm: vm, opts: v.ToObject(vm)}
}

func newNumberFormat(vm *goja.Runtime, locales, opts goja.Value) (*numberFormat, error) {
	loc, err := resolveLocale(locales)
	if err != nil {
		return nil, err
	}
	r := options(vm, opts)
	nf := &numberFormat{loc: loc}
	nf.decimal, nf.group = separators(loc.numTag)
	nf.nan = message.NewPrinter(loc.numTag).Sprint(number.Decimal(math.NaN()))
	if nf.style, err = r.str("style", []string{"decimal", "percent", "currency", "unit"}, "decimal"); err != nil {
		return nil, err
	}
	if nf.style == "unit" {
		return nil, fmt.Errorf("Intl.NumberFormat style 'unit' is not available in bmobemu")
	}
	for _, unsupported := range []string{"notation", "compactDisplay", "signDisplay", "roundingMode", "roundingIncrement"} {
		if s, _ := r.str(unsupported, nil, ""); s != "" && !(unsupported == "notation" && s == "standard") && !(unsupported == "signDisplay" && s == "auto") {
			return nil, fmt.Errorf("Intl.NumberFormat option %s: '%s' is not available in bmobemu", unsupported, s)
		}
	}
	minFracDefault, maxFracDefault := 0, 3
	switch nf.style {
	case "percent":
		maxFracDefault = 0
	case "currency":
		c, _ := r.str("currency", nil, "")
		if c == "" {
			return nil, fmt.Errorf("Currency code is required with currency style.")
		}
		unit, err := currency.ParseISO(c)
		if err != nil {
			return nil, errRange("Invalid currency code : " + c)
		}
		nf.currency = strings.ToUpper(c)
		scale, _ := currency.Standard.Rounding(unit)
		minFracDefault, maxFracDefault = scale, scale
		if nf.currencyDisplay, err = r.str("currencyDisplay", []string{"symbol", "narrowSymbol", "code", "name"}, "symbol"); err != nil {
			return nil, err
		}
		if nf.currencyDisplay == "name" {
			return nil, fmt.Errorf("Intl.NumberFormat currencyDisplay 'name' is not available in bmobemu")
		}
	}
	if nf.minInt, _, err = r.num("minimumIntegerDigits", 1, 21, 1); err != nil {
		return nil, err
	}
	minSig, hasMinSig, err := r.num("minimumSignificantDigits", 1, 21, 1)
	if err != nil {
		return nil, err
	}
	maxSig, hasMaxSig, err := r.num("maximumSignificantDigits", minSig, 21, 21)
	if err != nil {
		return nil, err
	}
	if hasMinSig || hasMaxSig {
		nf.minSig, nf.maxSig = minSig, maxSig
	}
	minFrac, hasMin, err := r.num("minimumFractionDigits", 0, 20, minFracDefault)
	if err != nil {
		return nil, err
	}
	maxFrac, hasMax, err := r.num("maximumFractionDigits", 0, 20, max(maxFracDefault, minFrac))
	if err != nil {
		return nil, err
	}
	if hasMax && !hasMin {
		minFrac = min(minFracDefault, maxFrac)
	} else if hasMin && hasMax && minFrac > maxFrac {
		return nil, errRange("maximumFractionDigits value is out of range.")
	}
	nf.minFrac, nf.maxFrac = minFrac, maxFrac
	nf.grouping = r.boolean("useGrouping", true)
	return nf, nil
}

func (nf *numberFormat) symbol() string {
	unit, _ := currency.ParseISO(nf.currency)
	switch nf.currencyDisplay {
	case "code":
		return nf.currency + "\u00a0"
	case "narrowSymbol":
		return fixSymbol(message.NewPrinter(nf.loc.tag).Sprint(currency.NarrowSymbol(unit)))
	}
	return fixSymbol(message.NewPrinter(nf.loc.tag).Sprint(currency.Symbol(unit)))
}

// fixSymbol follows newer CLDR where x/text's copy is older: zh's yuan sign became
// the half-width ¥ (CLDR 34).
func fixSymbol(s string) string { return strings.ReplaceAll(s, "￥", "¥") }

func (nf *numberFormat) format(x float64) string {
	if math.IsNaN(x) {
		return nf.nan
	}
	neg := math.Signbit(x)
	var body string
	if math.IsInf(x, 0) {
		body = "∞"
	} else {
		digits, exp := decimalDigits(math.Abs(x))
		if nf.style == "percent" && digits != "0" {
			exp += 2
		}
		body = nf.formatDigits(digits, exp)
	}
	sign := ""
	if neg {
		sign = "-"
	}
	switch nf.style {
	case "percent":
		return sign + body + "%"
	case "currency":
		return sign + nf.symbol() + body
	}
	return sign + body
}

// decimalDigits is x (finite, >= 0) as its shortest decimal digits d1d2…dn and
// exponent e, so that x = 0.d1d2…dn × 10^e ("0", 0 for zero). ICU rounds this
// shortest form, not the binary value, so 1.0005 rounds up to 1.001 as in V8.
func decimalDigits(x float64) (string, int) {
	if x == 0 {
		return "0", 0
	}
	s := strconv.FormatFloat(x, 'e', -1, 64) // d.ddddde±XX
	mant, expPart, _ := strings.Cut(s, "e")
	e, _ := strconv.Atoi(expPart)
	digits := strings.Replace(mant, ".", "", 1)
	return digits, e + 1
}

// roundDigits rounds 0.digits × 10^exp to keep digits before position keep
// (counted from the first digit), half away from zero, and returns the new digits
// and exponent.
func roundDigits(digits string, exp, keep int) (string, int) {
	if keep >= len(digits) {
		return digits, exp
	}
	if keep < 0 {
		return "0", 0
	}
	up := digits[keep] >= '5'
	b := []byte(digits[:keep])
	if up {
		i := len(b) - 1
		for ; i >= 0; i-- {
			if b[i] == '9' {
				b[i] = '0'
				continue
			}
			b[i]++
			break
		}
		if i < 0 {
			b = append([]byte{'1'}, b...)
			exp++
		}
	}
	s := strings.TrimRight(string(b), "0")
	if s == "" {
		return "0", 0
	}
	return s, exp
}

// formatInteger formats a BigInt given as its decimal digits (with an optional
// leading minus), exactly.
func (nf *numberFormat) formatInteger(s string) string {
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimLeft(strings.TrimPrefix(s, "-"), "0")
	exp := len(digits)
	if digits == "" {
		digits, exp = "0", 0
	}
	trimmed := strings.TrimRight(digits, "0")
	if trimmed == "" {
		trimmed = "0"
	}
	if nf.style == "percent" && trimmed != "0" {
		exp += 2
	}
	body := nf.formatDigits(trimmed, exp)
	sign := ""
	if neg {
		sign = "-"
	}
	switch nf.style {
	case "percent":
		return sign + body + "%"
	case "currency":
		return sign + nf.symbol() + body
	}
	return sign + body
}

func (nf *numberFormat) formatDigits(digits string, exp int) string {
	minFrac, maxFrac := nf.minFrac, nf.maxFrac
	if nf.maxSig > 0 {
		digits, exp = roundDigits(digits, exp, nf.maxSig)
		minFrac = max(0, nf.minSig-exp)
		maxFrac = max(minFrac, len(digits)-exp)
	} else if digits != "0" {
		digits, exp = roundDigits(digits, exp, exp+maxFrac)
	}
	var intPart, frac string
	if digits == "0" {
		intPart = "0"
	} else if exp <= 0 {
		intPart = "0"
		frac = strings.Repeat("0", -exp) + digits
	} else if exp >= len(digits) {
		intPart = digits + strings.Repeat("0", exp-len(digits))
	} else {
		intPart, frac = digits[:exp], digits[exp:]
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > maxFrac {
		frac = frac[:maxFrac]
	}
	for len(frac) < minFrac {
		frac += "0"
	}
	for len(intPart) < nf.minInt {
		intPart = "0" + intPart
	}
	if nf.grouping && len(intPart) > 3 {
		var b strings.Builder
		first := len(intPart) % 3
		if first > 0 {
			b.WriteString(intPart[:first])
		}
		for i := first; i < len(intPart); i += 3 {
			if b.Len() > 0 {
				b.WriteString(nf.group)
			}
			b.WriteString(intPart[i : i+3])
		}
		intPart = b.String()
	}
	if frac == "" {
		return intPart
	}
	return intPart + nf.decimal + frac
}

func (nf *numberFormat) resolved(vm *goja.Runtime) *goja.Object {
	o := vm.NewObject()
	_ = o.Set("locale", nf.loc.name)
	_ = o.Set("numberingSystem", "latn")
	_ = o.Set("style", nf.style)
	if nf.style == "currency" {
		_ = o.Set("currency", nf.currency)
		_ = o.Set("currencyDisplay", nf.currencyDisplay)
		_ = o.Set("currencySign", "standard")
	}
	_ = o.Set("minimumIntegerDigits", nf.minInt)
	if nf.maxSig > 0 {
		_ = o.Set("minimumSignificantDigits", nf.minSig)
		_ = o.Set("maximumSignificantDigits", nf.maxSig)
	} else {
		_ = o.Set("minimumFractionDigits", nf.minFrac)
		_ = o.Set("maximumFractionDigits", nf.maxFrac)
	}
	if nf.grouping {
		_ = o.Set("useGrouping", "auto")
	} else {
		_ = o.Set("useGrouping", false)
	}
	_ = o.Set("notation", "standard")
	_ = o.Set("signDisplay", "auto")
	return o
}

// collator wraps x/text's collation for one Intl.Collator.
type collator struct {
	loc         locale
	c           *collate.Collator
	numeric     bool
	sensitivity string
	usage       string
}

func newCollator(vm *goja.Runtime, locales, opts goja.Value) (*collator, error) {
	loc, err := resolveLocale(locales)
	if err != nil {
		return nil, err
	}
	r := options(vm, opts)
	co := &collator{loc: loc}
	if co.usage, err = r.str("usage", []string{"sort", "search"}, "sort"); err != nil {
		return nil, err
	}
	if co.sensitivity, err = r.str("sensitivity", []string{"base", "accent", "case", "variant"}, "variant"); err != nil {
		return nil, err
	}
	co.numeric = r.boolean("numeric", false)
	var copts []collate.Option
	if co.numeric {
		copts = append(copts, collate.Numeric)
	}
	switch co.sensitivity {
	case "base":
		copts = append(copts, collate.IgnoreCase, collate.IgnoreDiacritics, collate.IgnoreWidth)
	case "accent":
		copts = append(copts, collate.IgnoreCase, collate.IgnoreWidth)
	case "case":
		copts = append(copts, collate.IgnoreDiacritics, collate.IgnoreWidth)
	}
	tag := loc.tag
	if loc.family == "en-US" {
		tag = language.Und // English sorts by the root collation, as ICU does
	}
	co.c = collate.New(tag, copts...)
	return co, nil
}

// compare orders a and b. Chinese collation in CLDR puts Han (and Bopomofo)
// before the other scripts ([reorder Hani Bopo]); x/text's tables do not carry
// that reordering, so it is applied here on the first letters that differ in
// script group.
func (co *collator) compare(a, b string) int {
	if co.loc.family != "en-US" {
		ra, rb := []rune(a), []rune(b)
		for i := 0; i < len(ra) && i < len(rb); i++ {
			ga, gb := scriptGroup(ra[i]), scriptGroup(rb[i])
			if ga != gb {
				if ga == groupOther || gb == groupOther {
					break // punctuation, digits and symbols keep the root order
				}
				if ga == groupHan {
					return -1
				}
				return 1
			}
			if ra[i] != rb[i] {
				break
			}
		}
	}
	return co.c.CompareString(a, b)
}

const (
	groupOther = iota
	groupHan
	groupLetter
)

func scriptGroup(r rune) int {
	switch {
	case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Bopomofo, r):
		return groupHan
	case unicode.IsLetter(r):
		return groupLetter
	}
	return groupOther
}

func (co *collator) resolved(vm *goja.Runtime) *goja.Object {
	o := vm.NewObject()
	_ = o.Set("locale", co.loc.name)
	_ = o.Set("usage", co.usage)
	_ = o.Set("sensitivity", co.sensitivity)
	_ = o.Set("ignorePunctuation", false)
	_ = o.Set("collation", "default")
	_ = o.Set("numeric", co.numeric)
	_ = o.Set("caseFirst", "false")
	return o
}

// pluralRules wraps x/text's CLDR plural rules for one Intl.PluralRules.
type pluralRules struct {
	loc   locale
	kind  string // cardinal or ordinal
	rules *plural.Rules
	nf    *numberFormat
}

func newPluralRules(vm *goja.Runtime, locales, opts goja.Value) (*pluralRules, error) {
	loc, err := resolveLocale(locales)
	if err != nil {
		return nil, err
	}
	r := options(vm, opts)
	pr := &pluralRules{loc: loc, rules: plural.Cardinal}
	if pr.kind, err = r.str("type", []string{"cardinal", "ordinal"}, "cardinal"); err != nil {
		return nil, err
	}
	if pr.kind == "ordinal" {
		pr.rules = plural.Ordinal
	}
	nf, err := newNumberFormat(vm, locales, opts)
	if err != nil {
		return nil, err
	}
	nf.grouping = false
	nf.style = "decimal"
	pr.nf = nf
	return pr, nil
}

var pluralNames = map[plural.Form]string{
	plural.Other: "other", plural.Zero: "zero", plural.One: "one", plural.Two: "two", plural.Few: "few", plural.Many: "many",
}

func (pr *pluralRules) selectForm(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "other"
	}
	s := pr.nf.format(math.Abs(x))
	intPart, frac, _ := strings.Cut(s, pr.nf.decimal)
	i, _ := strconv.Atoi(intPart)
	v := len(frac)
	f, _ := strconv.Atoi("0" + frac)
	trimmed := strings.TrimRight(frac, "0")
	w := len(trimmed)
	t, _ := strconv.Atoi("0" + trimmed)
	return pluralNames[pr.rules.MatchPlural(pr.loc.tag, i, v, w, f, t)]
}

func (pr *pluralRules) resolved(vm *goja.Runtime) *goja.Object {
	o := vm.NewObject()
	_ = o.Set("locale", pr.loc.name)
	_ = o.Set("type", pr.kind)
	_ = o.Set("minimumIntegerDigits", pr.nf.minInt)
	_ = o.Set("minimumFractionDigits", pr.nf.minFrac)
	_ = o.Set("maximumFractionDigits", pr.nf.maxFrac)
	return o
}

func enableIntl(vm *goja.Runtime, zone *time.Location) error {
	native := vm.NewObject()
	fail := func(err error) {
		if re, ok := err.(errRange); ok {
			ctor, _ := goja.AssertConstructor(vm.Get("RangeError"))
			obj, _ := ctor(nil, vm.ToValue(string(re)))
			panic(obj)
		}
		panic(vm.NewTypeError(err.Error()))
	}
	set := func(name string, fn func(call goja.FunctionCall) goja.Value) { _ = native.Set(name, fn) }
	set("numberFormat", func(call goja.FunctionCall) goja.Value {
		nf, err := newNumberFormat(vm, call.Argument(0), call.Argument(1))
		if err != nil {
			fail(err)
		}
		h := vm.NewObject()
		_ = h.Set("format", func(x float64) string { return nf.format(x) })
		_ = h.Set("formatInteger", func(digits string) string { return nf.formatInteger(digits) })
		_ = h.Set("resolved", func() *goja.Object { return nf.resolved(vm) })
		return h
	})
	set("collator", func(call goja.FunctionCall) goja.Value {
		co, err := newCollator(vm, call.Argument(0), call.Argument(1))
		if err != nil {
			fail(err)
		}
		h := vm.NewObject()
		_ = h.Set("compare", func(a, b string) int { return co.compare(a, b) })
		_ = h.Set("resolved", func() *goja.Object { return co.resolved(vm) })
		return h
	})
	set("pluralRules", func(call goja.FunctionCall) goja.Value {
		pr, err := newPluralRules(vm, call.Argument(0), call.Argument(1))
		if err != nil {
			fail(err)
		}
		h := vm.NewObject()
		_ = h.Set("select", func(x float64) string { return pr.selectForm(x) })
		_ = h.Set("resolved", func() *goja.Object { return pr.resolved(vm) })
		return h
	})
	set("dateTimeFormat", func(call goja.FunctionCall) goja.Value {
		df, err := newDateTimeFormat(vm, zone, call.Argument(0), call.Argument(1), call.Argument(2).String(), call.Argument(3).String())
		if err != nil {
			fail(err)
		}
		h := vm.NewObject()
		_ = h.Set("parts", func(ms float64) goja.Value {
			parts := df.format(ms)
			out := make([]any, len(parts))
			for i, p := range parts {
				o := vm.NewObject() // type before value, as V8 orders them
				_ = o.Set("type", p.kind)
				_ = o.Set("value", p.value)
				out[i] = o
			}
			return vm.ToValue(out)
		})
		_ = h.Set("resolved", func() *goja.Object { return df.resolved(vm) })
		return h
	})
	set("canonicalLocales", func(call goja.FunctionCall) goja.Value {
		var out []any
		seen := map[string]bool{}
		add := func(s string) {
			tag, err := language.Parse(s)
			if err != nil {
				fail(errRange("Incorrect locale information provided"))
			}
			if !seen[tag.String()] {
				seen[tag.String()] = true
				out = append(out, tag.String())
			}
		}
		arg := call.Argument(0)
		if goja.IsUndefined(arg) {
			return vm.NewArray()
		}
		if s, ok := arg.Export().(string); ok {
			add(s)
		} else if arr, ok := arg.Export().([]any); ok {
			for _, x := range arr {
				add(fmt.Sprint(x))
			}
		}
		return vm.NewArray(out...)
	})
	intl, err := modules.CallFactory(vm, intlProgram, modules.AnyResult, vm.GlobalObject(), native)
	if err != nil {
		return err
	}
	_ = intl
	return nil
}
