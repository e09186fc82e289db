package moment

import (
	"fmt"
	"math"

	"github.com/dop251/goja"
)

// duration is moment's duration: months, days and milliseconds kept apart, since
// a month and a day have no fixed length.
type duration struct {
	ms     float64
	days   float64
	months float64
}

const durationKey = "_bmobemuDuration"

func daysToMonths(days float64) float64   { return days * 4800 / 146097 }
func monthsToDays(months float64) float64 { return months * 146097 / 4800 }

// as is duration.as(unit).
func (d duration) as(unit string) float64 {
	if unit == "month" || unit == "quarter" || unit == "year" {
		months := d.months + daysToMonths(d.days+d.ms/864e5)
		switch unit {
		case "quarter":
			return months / 3
		case "year":
			return months / 12
		}
		return months
	}
	days := d.days + math.Round(monthsToDays(d.months))
	switch unit {
	case "week":
		return days/7 + d.ms/6048e5
	case "day", "date":
		return days + d.ms/864e5
	case "hour":
		return days*24 + d.ms/36e5
	case "minute":
		return days*1440 + d.ms/6e4
	case "second":
		return days*86400 + d.ms/1000
	}
	return math.Floor(days*864e5) + d.ms
}

// parts is moment's bubbling of a duration into years, months, days, hours, ….
func (d duration) parts() map[string]float64 {
	ms, days, months := d.ms, d.days, d.months
	if !((ms >= 0 && days >= 0 && months >= 0) || (ms <= 0 && days <= 0 && months <= 0)) {
		ms += absCeil(monthsToDays(months)+days) * 864e5
		days, months = 0, 0
	}
	p := map[string]float64{"millisecond": math.Mod(ms, 1000)}
	seconds := absFloor(ms / 1000)
	p["second"] = math.Mod(seconds, 60)
	minutes := absFloor(seconds / 60)
	p["minute"] = math.Mod(minutes, 60)
	hours := absFloor(minutes / 60)
	p["hour"] = math.Mod(hours, 24)
	days += absFloor(hours / 24)
	fromDays := absFloor(daysToMonths(days))
	months += fromDays
	days -= absCeil(monthsToDays(fromDays))
	p["day"] = days
	p["year"] = absFloor(months / 12)
	p["month"] = math.Mod(months, 12)
	return p
}

// humanize words a duration in zh-cn with moment's default thresholds.
func (d duration) humanize(withSuffix bool) string {
	round := func(u string) float64 { return math.Round(math.Abs(d.as(u))) }
	seconds, minutes, hours := round("second"), round("minute"), round("hour")
	days, months, years := round("day"), round("month"), round("year")
	var key string
	var n float64
	switch {
	case seconds <= 44:
		key, n = "s", seconds
	case seconds < 45:
		key, n = "ss", seconds
	case minutes <= 1:
		key = "m"
	case minutes < 45:
		key, n = "mm", minutes
	case hours <= 1:
		key = "h"
	case hours < 22:
		key, n = "hh", hours
	case days <= 1:
		key = "d"
	case days < 26:
		key, n = "dd", days
	case months <= 1:
		key = "M"
	case months < 11:
		key, n = "MM", months
	case years <= 1:
		key = "y"
	default:
		key, n = "yy", years
	}
	s := zhRelative(key, int(n))
	if withSuffix {
		s = zhSuffix(s, d.as("millisecond") > 0)
	}
	return s
}

// between is moment's difference of two instants as a duration: whole calendar
// months, then the milliseconds left.
func between(from, to *state) duration {
	neg := to.t.Before(from.t)
	a, b := from.t, to.t.In(from.t.Location())
	if neg {
		a, b = b, a
	}
	months := (b.Year()-a.Year())*12 + int(b.Month()-a.Month())
	if addMonths(a, months).After(b) {
		months--
	}
	ms := millis(b) - millis(addMonths(a, months))
	d := duration{ms: ms, months: float64(months)}
	if neg {
		d = duration{ms: -d.ms, months: -d.months}
	}
	return d
}

// relative is a.from(b): how a looks from b ("3 分钟前", "几秒后").
func (l *lib) relative(a, b *state, withoutSuffix bool) goja.Value {
	if !a.valid || !b.valid {
		return l.vm.ToValue("Invalid date")
	}
	return l.vm.ToValue(between(b, a).humanize(!withoutSuffix))
}

func (l *lib) unwrapDuration(v goja.Value) (duration, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return duration{}, false
	}
	h := obj.Get(durationKey)
	if h == nil {
		return duration{}, false
	}
	d, ok := h.Export().(*duration)
	if !ok {
		return duration{}, false
	}
	return *d, true
}

// newDuration is moment.duration(ms | n, unit | {unit: n} | duration).
func (l *lib) newDuration(v, unitArg goja.Value) goja.Value {
	d := duration{}
	addTo := func(n float64, unit string) {
		switch unit {
		case "year":
			d.months += n * 12
		case "quarter":
			d.months += n * 3
		case "month":
			d.months += n
		case "week", "isoWeek":
			d.days += n * 7
		case "day", "date":
			d.days += n
		case "hour":
			d.ms += n * 36e5
		case "minute":
			d.ms += n * 6e4
		case "second":
			d.ms += n * 1e3
		default:
			d.ms += n
		}
	}
	if old, ok := l.unwrapDuration(v); ok {
		d = old
	} else if obj, ok := v.(*goja.Object); ok {
		for _, k := range obj.Keys() {
			addTo(obj.Get(k).ToFloat(), normalizeUnit(k))
		}
	} else if !goja.IsUndefined(v) {
		unit := "millisecond"
		if !goja.IsUndefined(unitArg) {
			unit = normalizeUnit(unitArg.String())
		}
		addTo(v.ToFloat(), unit)
	}
	obj := l.vm.NewObject()
	_ = obj.SetPrototype(l.durProto)
	_ = obj.DefineDataProperty(durationKey, l.vm.ToValue(&d), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	return obj
}

// installDuration defines the duration prototype.
func (l *lib) installDuration() error {
	vm := l.vm
	this := func(call goja.FunctionCall) duration {
		d, ok := l.unwrapDuration(call.This)
		if !ok {
			panic(vm.NewTypeError("duration method called on a non-duration"))
		}
		return d
	}
	methods := map[string]func(goja.FunctionCall) goja.Value{
		"as": func(call goja.FunctionCall) goja.Value {
			return vm.ToValue(this(call).as(normalizeUnit(call.Argument(0).String())))
		},
		"humanize": func(call goja.FunctionCall) goja.Value {
			return vm.ToValue(this(call).humanize(call.Argument(0).ToBoolean()))
		},
		"valueOf": func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).as("millisecond")) },
	}
	for _, u := range []string{"Milliseconds", "Seconds", "Minutes", "Hours", "Days", "Weeks", "Months", "Years"} {
		unit := normalizeUnit(u)
		methods["as"+u] = func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).as(unit)) }
	}
	for _, u := range []string{"milliseconds", "seconds", "minutes", "hours", "days", "months", "years"} {
		unit := normalizeUnit(u)
		methods[u] = func(call goja.FunctionCall) goja.Value { return vm.ToValue(this(call).parts()[unit]) }
	}
	methods["weeks"] = func(call goja.FunctionCall) goja.Value {
		return vm.ToValue(absFloor(this(call).parts()["day"] / 7))
	}
	for name, fn := range methods {
		if err := l.durProto.DefineDataProperty(name, vm.ToValue(fn), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return fmt.Errorf("defining duration.%s: %w", name, err)
		}
	}
	return nil
}
