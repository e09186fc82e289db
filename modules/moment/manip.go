package moment

import (
	"math"
	"time"
)

// addUnit moves st by n units: calendar units (years, quarters, months, weeks,
// days) keep the wall clock and clamp the day of month like moment; time units
// move the instant.
func addUnit(st *state, n float64, unit string) {
	if !st.valid {
		return
	}
	switch unit {
	case "year":
		st.t = addMonths(st.t, int(math.Round(n))*12)
	case "quarter":
		st.t = addMonths(st.t, int(math.Round(n))*3)
	case "month":
		st.t = addMonths(st.t, int(math.Round(n)))
	case "week", "isoWeek":
		st.t = st.t.AddDate(0, 0, int(math.Round(n))*7)
	case "day", "date":
		st.t = st.t.AddDate(0, 0, int(math.Round(n)))
	case "hour":
		st.t = st.t.Add(time.Duration(n * float64(time.Hour)))
	case "minute":
		st.t = st.t.Add(time.Duration(n * float64(time.Minute)))
	case "second":
		st.t = st.t.Add(time.Duration(n * float64(time.Second)))
	case "millisecond":
		st.t = st.t.Add(time.Duration(math.Round(n)) * time.Millisecond)
	}
}

// addMonths adds months keeping the day, clamped to the target month's length.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	if dim := daysIn(first); d > dim {
		d = dim
	}
	return first.AddDate(0, 0, d-1)
}

func daysIn(t time.Time) int {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// startOf truncates t to the start of unit; weeks start on Monday in zh-cn.
func startOf(t time.Time, unit string) time.Time {
	y, mo, d := t.Date()
	loc := t.Location()
	switch unit {
	case "year":
		return time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	case "quarter":
		return time.Date(y, (mo-1)/3*3+1, 1, 0, 0, 0, 0, loc)
	case "month":
		return time.Date(y, mo, 1, 0, 0, 0, 0, loc)
	case "week", "isoWeek":
		return time.Date(y, mo, d-(isoWeekday(t)-1), 0, 0, 0, 0, loc)
	case "day", "date":
		return time.Date(y, mo, d, 0, 0, 0, 0, loc)
	case "hour":
		return time.Date(y, mo, d, t.Hour(), 0, 0, 0, loc)
	case "minute":
		return time.Date(y, mo, d, t.Hour(), t.Minute(), 0, 0, loc)
	case "second":
		return time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), 0, loc)
	}
	return t
}

// endOf is the last millisecond of unit.
func endOf(t time.Time, unit string) time.Time {
	if unit == "" || unit == "millisecond" {
		return t
	}
	st := &state{t: startOf(t, unit), valid: true}
	addUnit(st, 1, unit)
	return st.t.Add(-time.Millisecond)
}

func millis(t time.Time) float64 { return float64(t.UnixNano()) / 1e6 }

// monthDiff is moment's fractional month difference from a to b: whole months by
// the calendar, then the remainder as a fraction of the month it falls in.
func monthDiff(a, b time.Time) float64 {
	if a.Day() < b.Day() {
		return -monthDiff(b, a)
	}
	whole := (b.Year()-a.Year())*12 + int(b.Month()-a.Month())
	anchor := addMonths(a, whole)
	var adjust float64
	if millis(b)-millis(anchor) < 0 {
		anchor2 := addMonths(a, whole-1)
		adjust = (millis(b) - millis(anchor)) / (millis(anchor) - millis(anchor2))
	} else {
		anchor2 := addMonths(a, whole+1)
		adjust = (millis(b) - millis(anchor)) / (millis(anchor2) - millis(anchor))
	}
	r := -(float64(whole) + adjust)
	if r == 0 {
		return 0
	}
	return r
}

// diff is a.diff(b, unit, asFloat).
func diff(a, b time.Time, unit string, asFloat bool) float64 {
	var out float64
	delta := millis(a) - millis(b)
	switch unit {
	case "year":
		out = monthDiff(a, b) / 12
	case "month":
		out = monthDiff(a, b)
	case "quarter":
		out = monthDiff(a, b) / 3
	case "week", "isoWeek":
		out = delta / 6048e5
	case "day", "date":
		_, oa := a.Zone()
		_, ob := b.Zone()
		out = (delta - float64(ob-oa)*1000) / 864e5
	case "hour":
		out = delta / 36e5
	case "minute":
		out = delta / 6e4
	case "second":
		out = delta / 1e3
	default:
		out = delta
	}
	if asFloat {
		return out
	}
	return absFloor(out)
}

// absFloor rounds toward zero.
func absFloor(f float64) float64 {
	if f < 0 {
		if c := math.Ceil(f); c != 0 {
			return c
		}
		return 0
	}
	return math.Floor(f)
}

func absCeil(f float64) float64 {
	if f < 0 {
		return math.Floor(f)
	}
	return math.Ceil(f)
}
