// Package moment backs `modules.oMoment` and `require('moment')`: the part of
// moment.js that Bmob scripts use, with the zh-cn locale active and Beijing time as
// the local zone. The clock is Env.Now, so a frozen clock freezes moment() too.
package moment

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/modules"
)

// state is one moment: an instant shown in a zone, or invalid.
type state struct {
	t     time.Time
	valid bool
	utc   bool
}

// lib is one VM's moment function and prototypes.
type lib struct {
	vu        modules.VU
	vm        *goja.Runtime
	proto     *goja.Object
	durProto  *goja.Object
	localZone *time.Location
}

const hiddenKey = "_bmobemuMoment"

// New is the constructor of the moment function.
func New(vu modules.VU) (goja.Value, error) {
	l := &lib{vu: vu, vm: vu.Runtime(), localZone: zoneOf(vu)}
	l.proto = l.vm.NewObject()
	l.durProto = l.vm.NewObject()
	if err := l.installMethods(); err != nil {
		return nil, fmt.Errorf("moment: %w", err)
	}
	if err := l.installDuration(); err != nil {
		return nil, fmt.Errorf("moment: %w", err)
	}
	fn := l.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		return l.wrap(l.create(call.Arguments, l.localZone))
	}).ToObject(l.vm)
	statics := map[string]any{
		"unix": func(call goja.FunctionCall) goja.Value {
			ms := call.Argument(0).ToFloat() * 1000
			return l.wrap(l.fromMillis(ms))
		},
		"utc": func(call goja.FunctionCall) goja.Value {
			st := l.create(call.Arguments, time.UTC)
			st.utc = true
			st.t = st.t.UTC()
			return l.wrap(st)
		},
		"isMoment": func(call goja.FunctionCall) goja.Value {
			_, ok := l.unwrap(call.Argument(0))
			return l.vm.ToValue(ok)
		},
		"isDate": func(call goja.FunctionCall) goja.Value {
			obj, ok := call.Argument(0).(*goja.Object)
			return l.vm.ToValue(ok && obj.ClassName() == "Date")
		},
		"locale": func(call goja.FunctionCall) goja.Value { return l.vm.ToValue("zh-cn") },
		"now":    func(call goja.FunctionCall) goja.Value { return l.vm.ToValue(l.now().UnixMilli()) },
		"duration": func(call goja.FunctionCall) goja.Value {
			return l.newDuration(call.Argument(0), call.Argument(1))
		},
		"max": func(call goja.FunctionCall) goja.Value { return l.pick(call.Arguments, 1) },
		"min": func(call goja.FunctionCall) goja.Value { return l.pick(call.Arguments, -1) },
	}
	for name, v := range statics {
		if err := fn.Set(name, v); err != nil {
			return nil, err
		}
	}
	_ = fn.Set("version", "2.30.1")
	_ = fn.Set("ISO_8601", "ISO_8601")
	return fn, nil
}

func (l *lib) now() time.Time { return l.vu.Env().Now().In(l.localZone) }

// wrap makes the JS moment object for st.
func (l *lib) wrap(st *state) *goja.Object {
	obj := l.vm.NewObject()
	_ = obj.SetPrototype(l.proto)
	_ = obj.DefineDataProperty(hiddenKey, l.vm.ToValue(st), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	_ = obj.Set("_isAMomentObject", true)
	return obj
}

func (l *lib) unwrap(v goja.Value) (*state, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	h := obj.Get(hiddenKey)
	if h == nil {
		return nil, false
	}
	st, ok := h.Export().(*state)
	return st, ok
}

func (l *lib) this(call goja.FunctionCall) *state {
	st, ok := l.unwrap(call.This)
	if !ok {
		panic(l.vm.NewTypeError("moment method called on a non-moment"))
	}
	return st
}

func (l *lib) zone(st *state) *time.Location {
	if st.utc {
		return time.UTC
	}
	return st.t.Location()
}

func (l *lib) fromMillis(ms float64) *state {
	if math.IsNaN(ms) || math.IsInf(ms, 0) {
		return &state{t: time.Unix(0, 0).In(l.localZone)}
	}
	return &state{t: time.UnixMilli(int64(math.Round(ms))).In(l.localZone), valid: true}
}

// create is moment(input[, format]).
// Strings without an offset, arrays and formats are read as wall time in zone.
func (l *lib) create(args []goja.Value, zone *time.Location) *state {
	if len(args) == 0 || goja.IsUndefined(args[0]) {
		return &state{t: l.now().Truncate(time.Millisecond), valid: true}
	}
	in := args[0]
	if goja.IsNull(in) {
		return &state{t: l.now()}
	}
	if st, ok := l.unwrap(in); ok {
		c := *st
		return &c
	}
	switch x := in.Export().(type) {
	case time.Time:
		return l.fromMillis(float64(x.UnixMilli()))
	case int64:
		return l.fromMillis(float64(x))
	case float64:
		return l.fromMillis(x)
	case []any:
		return l.fromArray(x, zone)
	}
	s := in.String()
	if len(args) > 1 && !goja.IsUndefined(args[1]) {
		if f := args[1].String(); f != "ISO_8601" {
			return l.parseFormat(s, f, zone)
		}
	}
	if st, ok := l.parseISO(s, zone); ok {
		return st
	}
	return l.parseWithDate(s)
}

func (l *lib) fromArray(parts []any, zone *time.Location) *state {
	vals := [7]int{0, 0, 1, 0, 0, 0, 0}
	for i := 0; i < len(parts) && i < 7; i++ {
		vals[i] = int(l.vm.ToValue(parts[i]).ToInteger())
	}
	return l.fromFields(vals[0], vals[1]+1, vals[2], vals[3], vals[4], vals[5], vals[6], zone)
}

// fromFields builds a local time, invalid when a field overflows (Feb 30, hour 25).
func (l *lib) fromFields(y, mo, d, h, mi, s, ms int, loc *time.Location) *state {
	zone := l.localZone
	if loc != nil {
		zone = loc
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, ms*1e6, zone)
	valid := t.Year() == y && int(t.Month()) == mo && t.Day() == d && t.Hour() == h && t.Minute() == mi && t.Second() == s
	return &state{t: t.In(l.localZone), valid: valid}
}

var isoRe = regexp.MustCompile(`^\s*([+-]\d{6}|\d{4})(?:-(\d\d)(?:-(\d\d))?|(\d\d)(\d\d))?(?:[T ](\d\d)(?::?(\d\d)(?::?(\d\d)(?:[.,](\d+))?)?)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?\s*$`)

// parseISO reads the ISO 8601 forms moment accepts without a format.
func (l *lib) parseISO(s string, zone *time.Location) (*state, bool) {
	m := isoRe.FindStringSubmatch(s)
	if m == nil {
		return nil, false
	}
	atoi := func(x string, dflt int) int {
		if x == "" {
			return dflt
		}
		n, _ := strconv.Atoi(x)
		return n
	}
	y := atoi(m[1], 0)
	mo, d := atoi(m[2], 1), atoi(m[3], 1)
	if m[4] != "" {
		mo, d = atoi(m[4], 1), atoi(m[5], 1)
	}
	ms := 0
	if m[9] != "" {
		frac := (m[9] + "00")[:3]
		ms = atoi(frac, 0)
	}
	loc := zone
	if z := m[10]; z != "" {
		if z == "Z" {
			loc = time.UTC
		} else {
			digits := strings.ReplaceAll(z[1:], ":", "")
			off := atoi(digits[:2], 0)*3600 + atoi((digits + "00")[2:4], 0)*60
			if z[0] == '-' {
				off = -off
			}
			loc = time.FixedZone("", off)
		}
	}
	h, mi, sec := atoi(m[6], 0), atoi(m[7], 0), atoi(m[8], 0)
	if h == 24 && mi == 0 && sec == 0 && ms == 0 {
		st := l.fromFields(y, mo, d, 0, 0, 0, 0, loc)
		st.t = st.t.AddDate(0, 0, 1)
		return st, true
	}
	return l.fromFields(y, mo, d, h, mi, sec, ms, loc), true
}

// parseWithDate is moment's fallback for non-ISO strings: the JS Date parser.
func (l *lib) parseWithDate(s string) *state {
	d, err := l.vm.New(l.vm.Get("Date"), l.vm.ToValue(s))
	if err != nil {
		return &state{t: l.now()}
	}
	getTime, _ := goja.AssertFunction(d.Get("getTime"))
	v, err := getTime(d)
	if err != nil {
		return &state{t: l.now()}
	}
	return l.fromMillis(v.ToFloat())
}

// parseFormat is moment(string, format) in moment's forgiving mode: each numeric
// token takes its digits, and characters that do not fit are skipped.
func (l *lib) parseFormat(s, layout string, zone *time.Location) *state {
	y, mo, d, h, mi, sec, ms := l.now().Year(), 1, 1, 0, 0, 0, 0
	pm, hasMeridiem := false, false
	pos := 0
	readNum := func(maxDigits int) (int, bool) {
		for pos < len(s) && !(s[pos] >= '0' && s[pos] <= '9') && s[pos] != '-' {
			pos++
		}
		start := pos
		if pos < len(s) && s[pos] == '-' {
			pos++
		}
		for pos < len(s) && pos-start < maxDigits && s[pos] >= '0' && s[pos] <= '9' {
			pos++
		}
		n, err := strconv.Atoi(s[start:pos])
		return n, err == nil
	}
	for i := 0; i < len(layout); {
		if layout[i] == '[' {
			if j := strings.IndexByte(layout[i:], ']'); j > 0 {
				lit := layout[i+1 : i+j]
				if k := strings.Index(s[pos:], lit); k >= 0 {
					pos += k + len(lit)
				}
				i += j + 1
				continue
			}
		}
		tok := ""
		for _, cand := range formatTokens {
			if strings.HasPrefix(layout[i:], cand) {
				tok = cand
				break
			}
		}
		if tok == "" {
			if pos < len(s) && s[pos] == layout[i] {
				pos++
			}
			i++
			continue
		}
		i += len(tok)
		var ok bool
		switch tok {
		case "YYYY":
			y, ok = readNum(4)
		case "YY":
			var yy int
			yy, ok = readNum(2)
			if yy > 68 {
				y = 1900 + yy
			} else {
				y = 2000 + yy
			}
		case "MM", "M":
			mo, ok = readNum(2)
		case "DD", "D":
			d, ok = readNum(2)
		case "HH", "H", "hh", "h", "kk", "k":
			h, ok = readNum(2)
		case "mm", "m":
			mi, ok = readNum(2)
		case "ss", "s":
			sec, ok = readNum(2)
		case "SSS", "SS", "S":
			var frac int
			start := pos
			frac, ok = readNum(9)
			digits := pos - start
			for ; digits < 3; digits++ {
				frac *= 10
			}
			for ; digits > 3; digits-- {
				frac /= 10
			}
			ms = frac
		case "X":
			var n int
			n, ok = readNum(12)
			if ok {
				return l.fromMillis(float64(n) * 1000)
			}
		case "x":
			var n int
			n, ok = readNum(15)
			if ok {
				return l.fromMillis(float64(n))
			}
		case "A", "a":
			hasMeridiem = true
			rest := s[pos:]
			for _, w := range []string{"下午", "晚上", "PM", "pm"} {
				if strings.HasPrefix(strings.TrimLeft(rest, " "), w) {
					pm = true
				}
			}
			ok = true
		default:
			ok = true
		}
		if !ok {
			return &state{t: l.now()}
		}
	}
	if hasMeridiem && pm && h < 12 {
		h += 12
	}
	return l.fromFields(y, mo, d, h, mi, sec, ms, zone)
}

// other turns a comparison argument (moment, Date, number, string) into a state.
func (l *lib) other(v goja.Value) *state {
	if st, ok := l.unwrap(v); ok {
		return st
	}
	return l.create([]goja.Value{v}, l.localZone)
}

func (l *lib) pick(args []goja.Value, sign int) goja.Value {
	if len(args) == 1 {
		if arr, ok := args[0].(*goja.Object); ok && arr.ClassName() == "Array" {
			args = nil
			for i := int64(0); i < arr.Get("length").ToInteger(); i++ {
				args = append(args, arr.Get(strconv.FormatInt(i, 10)))
			}
		}
	}
	var best goja.Value
	var bestSt *state
	for _, a := range args {
		st := l.other(a)
		if bestSt == nil || (sign > 0 && st.t.After(bestSt.t)) || (sign < 0 && st.t.Before(bestSt.t)) {
			best, bestSt = a, st
		}
	}
	if best == nil {
		return l.wrap(&state{t: l.now(), valid: true})
	}
	return best
}

// zoneOf is the local zone of the VM: Env.Zone, Beijing time when unset.
func zoneOf(vu modules.VU) *time.Location {
	if env := vu.Env(); env != nil && env.Zone != nil {
		return env.Zone
	}
	return bjtime.Location
}
