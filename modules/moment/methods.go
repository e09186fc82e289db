package moment

import (
	"fmt"
	"math"
	"time"

	"github.com/dop251/goja"
)

// installMethods defines the moment prototype.
func (l *lib) installMethods() error {
	vm := l.vm
	self := func(call goja.FunctionCall) goja.Value { return call.This }
	methods := map[string]func(goja.FunctionCall) goja.Value{
		"format": func(call goja.FunctionCall) goja.Value {
			st := l.this(call)
			if !st.valid {
				return vm.ToValue("Invalid date")
			}
			layout := defaultFormat
			if st.utc {
				layout = "YYYY-MM-DDTHH:mm:ss[Z]"
			}
			if a := call.Argument(0); !goja.IsUndefined(a) && a.String() != "" {
				layout = a.String()
			}
			return vm.ToValue(format(st.t, layout))
		},
		"add":      func(call goja.FunctionCall) goja.Value { l.shift(call, 1); return call.This },
		"subtract": func(call goja.FunctionCall) goja.Value { l.shift(call, -1); return call.This },
		"startOf": func(call goja.FunctionCall) goja.Value {
			st := l.this(call)
			st.t = startOf(st.t, normalizeUnit(call.Argument(0).String()))
			return call.This
		},
		"endOf": func(call goja.FunctionCall) goja.Value {
			st := l.this(call)
			st.t = endOf(st.t, normalizeUnit(call.Argument(0).String()))
			return call.This
		},
		"diff": func(call goja.FunctionCall) goja.Value {
			a, b := l.this(call), l.other(call.Argument(0))
			if !a.valid || !b.valid {
				return vm.ToValue(math.NaN())
			}
			unit := ""
			if u := call.Argument(1); !goja.IsUndefined(u) {
				unit = normalizeUnit(u.String())
			}
			return vm.ToValue(diff(a.t, b.t, unit, call.Argument(2).ToBoolean()))
		},
		"isBefore":       l.compare(func(a, b time.Time, u string) bool { return endOf(a, u).Before(b) }),
		"isAfter":        l.compare(func(a, b time.Time, u string) bool { return b.Before(startOf(a, u)) }),
		"isSame":         l.compare(func(a, b time.Time, u string) bool { return !b.Before(startOf(a, u)) && !endOf(a, u).Before(b) }),
		"isSameOrBefore": l.compare(func(a, b time.Time, u string) bool { return !b.Before(startOf(a, u)) }),
		"isSameOrAfter":  l.compare(func(a, b time.Time, u string) bool { return !endOf(a, u).Before(b) }),
		"isBetween": func(call goja.FunctionCall) goja.Value {
			st := l.this(call)
			from, to := l.other(call.Argument(0)), l.other(call.Argument(1))
			if !st.valid || !from.valid || !to.valid {
				return vm.ToValue(false)
			}
			unit := ""
			if u := call.Argument(2); !goja.IsUndefined(u) && !goja.IsNull(u) {
				unit = normalizeUnit(u.String())
			}
			incl := "()"
			if i := call.Argument(3); !goja.IsUndefined(i) {
				incl = i.String()
			}
			// moment: ( is isAfter, [ is !isBefore; ) is isBefore, ] is !isAfter.
			var afterFrom, beforeTo bool
			if incl[0] == '[' {
				afterFrom = !endOf(st.t, unit).Before(from.t)
			} else {
				afterFrom = from.t.Before(startOf(st.t, unit))
			}
			if len(incl) > 1 && incl[1] == ']' {
				beforeTo = !to.t.Before(startOf(st.t, unit))
			} else {
				beforeTo = endOf(st.t, unit).Before(to.t)
			}
			return vm.ToValue(afterFrom && beforeTo)
		},
		"valueOf": func(call goja.FunctionCall) goja.Value { return vm.ToValue(l.valueOf(l.this(call))) },
		"unix": func(call goja.FunctionCall) goja.Value {
			return vm.ToValue(math.Floor(l.valueOf(l.this(call)) / 1000))
		},
		"toDate": func(call goja.FunctionCall) goja.Value {
			d, err := vm.New(vm.Get("Date"), vm.ToValue(l.valueOf(l.this(call))))
			if err != nil {
				panic(err)
			}
			return d
		},
		"toISOString": func(call goja.FunctionCall) goja.Value {
			st := l.this(call)
			if !st.valid {
				return goja.Null()
			}
			return vm.ToValue(format(st.t.UTC(), "YYYY-MM-DDTHH:mm:ss.SSS[Z]"))
		},
		"toString": func(call goja.FunctionCall) goja.Value {
			st := l.this(call)
			if !st.valid {
				return vm.ToValue("Invalid date")
			}
			return vm.ToValue(st.t.Format("Mon Jan 02 2006 15:04:05 GMT-0700"))
		},
		"toArray": func(call goja.FunctionCall) goja.Value {
			t := l.this(call).t
			return vm.NewArray(t.Year(), int(t.Month())-1, t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1e6)
		},
		"toObject": func(call goja.FunctionCall) goja.Value {
			t := l.this(call).t
			o := vm.NewObject()
			for _, kv := range []struct {
				k string
				v int
			}{{"years", t.Year()}, {"months", int(t.Month()) - 1}, {"date", t.Day()}, {"hours", t.Hour()}, {"minutes", t.Minute()}, {"seconds", t.Second()}, {"milliseconds", t.Nanosecond() / 1e6}} {
				_ = o.Set(kv.k, kv.v)
			}
			return o
		},
		"clone":   func(call goja.FunctionCall) goja.Value { c := *l.this(call); return l.wrap(&c) },
		"isValid": func(call goja.FunctionCall) goja.Value { return vm.ToValue(l.this(call).valid) },
		"locale": func(call goja.FunctionCall) goja.Value {
			if len(call.Arguments) == 0 {
				return vm.ToValue("zh-cn")
			}
			return call.This
		},
		"lang": self,
		"utcOffset": func(call goja.FunctionCall) goja.Value {
			st := l.this(call)
			if len(call.Arguments) == 0 {
				_, off := st.t.Zone()
				return vm.ToValue(off / 60)
			}
			off := parseOffset(call.Argument(0))
			st.t = st.t.In(time.FixedZone("", off*60))
			st.utc = off == 0 // moment's default format says Z for a zero offset
			return call.This
		},
		"utc": func(call goja.FunctionCall) goja.Value {
			st := l.this(call)
			st.t, st.utc = st.t.UTC(), true
			return call.This
		},
		"local": func(call goja.FunctionCall) goja.Value {
			st := l.this(call)
			st.t, st.utc = st.t.In(l.localZone), false
			return call.This
		},
		"isUTC": func(call goja.FunctionCall) goja.Value { return vm.ToValue(l.this(call).utc) },
		"daysInMonth": func(call goja.FunctionCall) goja.Value {
			return vm.ToValue(daysIn(l.this(call).t))
		},
		"isLeapYear": func(call goja.FunctionCall) goja.Value {
			y := l.this(call).t.Year()
			return vm.ToValue(y%4 == 0 && (y%100 != 0 || y%400 == 0))
		},
		"fromNow": func(call goja.FunctionCall) goja.Value {
			return l.relative(l.this(call), &state{t: l.now(), valid: true}, call.Argument(0).ToBoolean())
		},
		"toNow": func(call goja.FunctionCall) goja.Value {
			return l.relative(&state{t: l.now(), valid: true}, l.this(call), call.Argument(0).ToBoolean())
		},
		"from": func(call goja.FunctionCall) goja.Value {
			return l.relative(l.this(call), l.other(call.Argument(0)), call.Argument(1).ToBoolean())
		},
		"to": func(call goja.FunctionCall) goja.Value {
			return l.relative(l.other(call.Argument(0)), l.this(call), call.Argument(1).ToBoolean())
		},
		"get": func(call goja.FunctionCall) goja.Value {
			return vm.ToValue(getField(l.this(call).t, normalizeUnit(call.Argument(0).String())))
		},
		"set": func(call goja.FunctionCall) goja.Value {
			st := l.this(call)
			if obj, ok := call.Argument(0).(*goja.Object); ok {
				for _, k := range obj.Keys() {
					st.t = setField(st.t, normalizeUnit(k), int(obj.Get(k).ToInteger()))
				}
				return call.This
			}
			st.t = setField(st.t, normalizeUnit(call.Argument(0).String()), int(call.Argument(1).ToInteger()))
			return call.This
		},
	}
	methods["toJSON"] = methods["toISOString"]
	for name, unit := range map[string]string{
		"year": "year", "years": "year", "quarter": "quarter", "quarters": "quarter", "month": "month", "months": "month",
		"date": "date", "dates": "date", "day": "day", "days": "day", "weekday": "weekday", "isoWeekday": "isoWeekday",
		"dayOfYear": "dayOfYear", "week": "week", "weeks": "week", "isoWeek": "week", "isoWeeks": "week",
		"hour": "hour", "hours": "hour", "minute": "minute", "minutes": "minute", "second": "second", "seconds": "second",
		"millisecond": "millisecond", "milliseconds": "millisecond",
	} {
		unit := unit
		methods[name] = func(call goja.FunctionCall) goja.Value {
			st := l.this(call)
			if len(call.Arguments) == 0 || goja.IsUndefined(call.Argument(0)) {
				if !st.valid {
					return vm.ToValue(math.NaN())
				}
				return vm.ToValue(getField(st.t, unit))
			}
			st.t = setField(st.t, unit, int(call.Argument(0).ToInteger()))
			return call.This
		}
	}
	for name, fn := range methods {
		if err := l.proto.DefineDataProperty(name, vm.ToValue(fn), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return fmt.Errorf("defining %s: %w", name, err)
		}
	}
	return nil
}

func (l *lib) valueOf(st *state) float64 {
	if !st.valid {
		return math.NaN()
	}
	return float64(st.t.UnixMilli())
}

// shift is add/subtract: (n, unit), (unit-object) or (duration).
func (l *lib) shift(call goja.FunctionCall, sign float64) {
	st := l.this(call)
	arg := call.Argument(0)
	if d, ok := l.unwrapDuration(arg); ok {
		addUnit(st, sign*float64(d.months), "month")
		addUnit(st, sign*float64(d.days), "day")
		addUnit(st, sign*d.ms, "millisecond")
		return
	}
	if obj, ok := arg.(*goja.Object); ok {
		for _, k := range obj.Keys() {
			addUnit(st, sign*obj.Get(k).ToFloat(), normalizeUnit(k))
		}
		return
	}
	n, unit := arg.ToFloat(), "millisecond"
	if u := call.Argument(1); !goja.IsUndefined(u) {
		unit = normalizeUnit(u.String())
	}
	if math.IsNaN(n) {
		return
	}
	addUnit(st, sign*n, unit)
}

// compare builds isBefore/isAfter/isSame…: (other[, unit]).
func (l *lib) compare(test func(a, b time.Time, unit string) bool) func(goja.FunctionCall) goja.Value {
	return func(call goja.FunctionCall) goja.Value {
		a, b := l.this(call), l.other(call.Argument(0))
		if !a.valid || !b.valid {
			return l.vm.ToValue(false)
		}
		unit := ""
		if u := call.Argument(1); !goja.IsUndefined(u) {
			unit = normalizeUnit(u.String())
		}
		return l.vm.ToValue(test(a.t, b.t.In(a.t.Location()), unit))
	}
}

func parseOffset(v goja.Value) int {
	if s, ok := v.Export().(string); ok {
		var sign, h, m int = 1, 0, 0
		if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
			if s[0] == '-' {
				sign = -1
			}
			s = s[1:]
		}
		_, _ = fmt.Sscanf(s, "%2d:%2d", &h, &m)
		if len(s) == 4 {
			_, _ = fmt.Sscanf(s, "%2d%2d", &h, &m)
		}
		return sign * (h*60 + m)
	}
	n := int(v.ToInteger())
	if n > -16 && n < 16 {
		return n * 60 // moment reads small numbers as hours
	}
	return n
}

func getField(t time.Time, unit string) int {
	_, isoWeek := t.ISOWeek()
	switch unit {
	case "year":
		return t.Year()
	case "quarter":
		return (int(t.Month())-1)/3 + 1
	case "month":
		return int(t.Month()) - 1
	case "date":
		return t.Day()
	case "day":
		return int(t.Weekday())
	case "weekday":
		return isoWeekday(t) - 1
	case "isoWeekday":
		return isoWeekday(t)
	case "dayOfYear":
		return t.YearDay()
	case "week", "isoWeek":
		return isoWeek
	case "hour":
		return t.Hour()
	case "minute":
		return t.Minute()
	case "second":
		return t.Second()
	case "millisecond":
		return t.Nanosecond() / 1e6
	}
	return 0
}

// setField sets one field; like moment, out-of-range values roll over into the
// next unit, except that setting the month or year clamps the day of month.
func setField(t time.Time, unit string, v int) time.Time {
	y, mo, d := t.Date()
	h, mi, s, ns := t.Hour(), t.Minute(), t.Second(), t.Nanosecond()
	loc := t.Location()
	clamp := func(y int, mo time.Month) time.Time {
		first := time.Date(y, mo, 1, h, mi, s, ns, loc)
		return first.AddDate(0, 0, min(d, daysIn(first))-1)
	}
	switch unit {
	case "year":
		return clamp(v, mo)
	case "quarter":
		return clamp(y, time.Month((v-1)*3)+(mo-1)%3+1)
	case "month":
		return clamp(y, time.Month(v+1))
	case "date":
		return time.Date(y, mo, v, h, mi, s, ns, loc)
	case "day":
		return t.AddDate(0, 0, v-int(t.Weekday()))
	case "weekday":
		return t.AddDate(0, 0, v-(isoWeekday(t)-1))
	case "isoWeekday":
		return t.AddDate(0, 0, v-isoWeekday(t))
	case "dayOfYear":
		return t.AddDate(0, 0, v-t.YearDay())
	case "week", "isoWeek":
		_, w := t.ISOWeek()
		return t.AddDate(0, 0, 7*(v-w))
	case "hour":
		return time.Date(y, mo, d, v, mi, s, ns, loc)
	case "minute":
		return time.Date(y, mo, d, h, v, s, ns, loc)
	case "second":
		return time.Date(y, mo, d, h, mi, v, ns, loc)
	case "millisecond":
		return time.Date(y, mo, d, h, mi, s, v*1e6, loc)
	}
	return t
}
