package nodeglobals

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // timeZone options name IANA zones; a fresh machine may lack /usr/share/zoneinfo

	"github.com/dop251/goja"
)

// Date patterns. golang.org/x/text carries CLDR's calendar data only in an
// unexported table (x/text/date), so the patterns of the four locales bmobemu
// formats for are written here, following what Node 16 (ICU) prints; the
// differential suite (nodediff) compares them with real Node.

var (
	enMonthsLong  = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	enMonthsShort = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	enDaysLong    = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	enDaysShort   = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	zhMonthsLong  = []string{"一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"}
	zhDaysLong    = []string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}
	zhCNDaysShort = []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
	zhTWDaysShort = []string{"週日", "週一", "週二", "週三", "週四", "週五", "週六"}
	zhDaysNarrow  = []string{"日", "一", "二", "三", "四", "五", "六"}
)

type part struct{ kind, value string }

// dateTimeFormat is one Intl.DateTimeFormat's resolved options.
type dateTimeFormat struct {
	loc                       locale
	zone                      *time.Location
	zoneName                  string
	weekday, year, month, day string
	hour, minute, second      string
	hour12                    bool
	hourCycleSet              bool
	dateStyle, timeStyle      string
}

var fieldValues = map[string][]string{
	"weekday": {"narrow", "short", "long"},
	"year":    {"2-digit", "numeric"},
	"month":   {"2-digit", "numeric", "narrow", "short", "long"},
	"day":     {"2-digit", "numeric"},
	"hour":    {"2-digit", "numeric"},
	"minute":  {"2-digit", "numeric"},
	"second":  {"2-digit", "numeric"},
}

// zone is the local zone, reported as Asia/Shanghai (bmobemu runs scripts in
// Beijing time).
func newDateTimeFormat(vm *goja.Runtime, zone *time.Location, locales, opts goja.Value, required, defaults string) (*dateTimeFormat, error) {
	loc, err := resolveLocale(locales)
	if err != nil {
		return nil, err
	}
	r := options(vm, opts)
	df := &dateTimeFormat{loc: loc, zone: zone, zoneName: "Asia/Shanghai"}
	if tz, _ := r.str("timeZone", nil, ""); tz != "" {
		switch strings.ToLower(tz) {
		case "asia/shanghai", "prc", "asia/chongqing", "asia/harbin":
			df.zoneName = "Asia/Shanghai"
		case "utc", "etc/utc", "gmt", "etc/gmt", "etc/universal", "universal", "zulu":
			df.zone, df.zoneName = time.UTC, "UTC"
		default:
			z, err := time.LoadLocation(tz)
			if err != nil {
				return nil, errRange("Invalid time zone specified: " + tz)
			}
			df.zone, df.zoneName = z, tz
		}
	}
	fields := map[string]*string{"weekday": &df.weekday, "year": &df.year, "month": &df.month, "day": &df.day,
		"hour": &df.hour, "minute": &df.minute, "second": &df.second}
	for _, name := range []string{"weekday", "year", "month", "day", "hour", "minute", "second"} {
		v, err := r.str(name, fieldValues[name], "")
		if err != nil {
			raw, _ := r.str(name, nil, "")
			return nil, errRange(fmt.Sprintf("Value %s out of range for Intl.DateTimeFormat options property %s", raw, name))
		}
		*fields[name] = v
	}
	for _, name := range []string{"era", "timeZoneName", "fractionalSecondDigits", "dayPeriod"} {
		if v, _ := r.str(name, nil, ""); v != "" {
			return nil, fmt.Errorf("Intl.DateTimeFormat option %s is not available in bmobemu", name)
		}
	}
	styles := []string{"full", "long", "medium", "short"}
	if df.dateStyle, err = r.str("dateStyle", styles, ""); err != nil {
		return nil, err
	}
	if df.timeStyle, err = r.str("timeStyle", styles, ""); err != nil {
		return nil, err
	}
	hasDate := df.weekday != "" || df.year != "" || df.month != "" || df.day != ""
	hasTime := df.hour != "" || df.minute != "" || df.second != ""
	if (df.dateStyle != "" || df.timeStyle != "") && (hasDate || hasTime) {
		return nil, fmt.Errorf("Can't set option %s when %s is used", firstSet(df), map[bool]string{true: "dateStyle", false: "timeStyle"}[df.dateStyle != ""])
	}
	if required == "date" && df.timeStyle != "" {
		return nil, fmt.Errorf("Invalid option : timeStyle")
	}
	if required == "time" && df.dateStyle != "" {
		return nil, fmt.Errorf("Invalid option : dateStyle")
	}
	if df.timeStyle == "long" || df.timeStyle == "full" {
		if loc.family == "zh-TW" {
			return nil, fmt.Errorf("Intl.DateTimeFormat timeStyle '%s' for zh-TW is not available in bmobemu", df.timeStyle)
		}
	}
	need := df.dateStyle == "" && df.timeStyle == ""
	if required == "date" || required == "any" {
		if hasDate {
			need = false
		}
	}
	if required == "time" || required == "any" {
		if hasTime {
			need = false
		}
	}
	if need && (defaults == "date" || defaults == "all") {
		df.year, df.month, df.day = "numeric", "numeric", "numeric"
	}
	if need && (defaults == "time" || defaults == "all") {
		df.hour, df.minute, df.second = "numeric", "numeric", "numeric"
	}
	df.hour12 = loc.family != "zh-CN"
	if v := r.opts; v != nil {
		if h := v.Get("hour12"); h != nil && !goja.IsUndefined(h) {
			df.hour12 = h.ToBoolean()
			df.hourCycleSet = true
		} else if hc, _ := r.str("hourCycle", []string{"h11", "h12", "h23", "h24"}, ""); hc != "" {
			df.hour12 = hc == "h11" || hc == "h12"
			df.hourCycleSet = true
		}
	}
	return df, nil
}

func firstSet(df *dateTimeFormat) string {
	for _, f := range []struct{ name, v string }{{"weekday", df.weekday}, {"year", df.year}, {"month", df.month}, {"day", df.day}, {"hour", df.hour}, {"minute", df.minute}, {"second", df.second}} {
		if f.v != "" {
			return f.name
		}
	}
	return ""
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func (df *dateTimeFormat) format(ms float64) []part {
	t := time.UnixMilli(int64(math.Trunc(ms))).In(df.zone)
	if df.dateStyle != "" || df.timeStyle != "" {
		return df.styled(t)
	}
	date := df.dateParts(t, df.weekday, df.year, df.month, df.day)
	tm := df.timeParts(t, df.hour, df.minute, df.second, df.hour12)
	return join(date, tm, df.joiner(false))
}

func (df *dateTimeFormat) joiner(longDate bool) string {
	if df.loc.family != "en-US" {
		return " "
	}
	if longDate {
		return " at "
	}
	return ", "
}

func join(date, tm []part, sep string) []part {
	switch {
	case len(date) == 0:
		return tm
	case len(tm) == 0:
		return date
	}
	out := append(append([]part{}, date...), part{"literal", sep})
	return append(out, tm...)
}

func (df *dateTimeFormat) styled(t time.Time) []part {
	var date, tm []part
	zh := df.loc.family != "en-US"
	switch df.dateStyle {
	case "full":
		if zh {
			date = df.dateParts(t, "long", "numeric", "long", "numeric")
		} else {
			date = df.dateParts(t, "long", "numeric", "long", "numeric")
		}
	case "long":
		date = df.dateParts(t, "", "numeric", "long", "numeric")
	case "medium":
		date = df.dateParts(t, "", "numeric", "short", "numeric")
	case "short":
		if zh {
			date = df.dateParts(t, "", "numeric", "numeric", "numeric")
		} else {
			date = df.dateParts(t, "", "2-digit", "numeric", "numeric")
		}
	}
	switch df.timeStyle {
	case "short":
		tm = df.timeParts(t, "numeric", "2-digit", "", df.hour12)
	case "medium", "long", "full":
		tm = df.timeParts(t, "numeric", "2-digit", "2-digit", df.hour12)
	}
	if df.timeStyle == "long" || df.timeStyle == "full" {
		name := zoneLabel(t, df.loc.family, df.timeStyle == "full", df.zoneName)
		if df.loc.family == "zh-CN" {
			tm = append([]part{{"timeZoneName", name}, {"literal", " "}}, tm...)
		} else {
			tm = append(tm, part{"literal", " "}, part{"timeZoneName", name})
		}
	}
	return join(date, tm, df.joiner(df.dateStyle == "full" || df.dateStyle == "long"))
}

// zoneLabel is the zone's name for timeStyle long (GMT+8) and full.
func zoneLabel(t time.Time, family string, full bool, zoneName string) string {
	_, off := t.Zone()
	if full && zoneName == "Asia/Shanghai" {
		if family == "zh-CN" {
			return "中国标准时间"
		}
		return "China Standard Time"
	}
	if full && zoneName == "UTC" {
		if family == "zh-CN" {
			return "协调世界时"
		}
		return "Coordinated Universal Time"
	}
	if off == 0 {
		return "GMT"
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	s := "GMT" + sign + strconv.Itoa(off/3600)
	if m := off % 3600 / 60; m != 0 {
		s += ":" + pad2(m)
	}
	return s
}

func (df *dateTimeFormat) dateParts(t time.Time, weekday, year, month, day string) []part {
	if weekday == "" && year == "" && month == "" && day == "" {
		return nil
	}
	y := strconv.Itoa(t.Year())
	if year == "2-digit" {
		y = pad2(t.Year() % 100)
	}
	d := strconv.Itoa(t.Day())
	if day == "2-digit" {
		d = pad2(t.Day())
	}
	wd := int(t.Weekday())
	mo := int(t.Month())
	textMonth := month == "long" || month == "short" || month == "narrow"
	var m string
	switch month {
	case "2-digit":
		m = pad2(mo)
	case "numeric":
		m = strconv.Itoa(mo)
	}
	if df.loc.family == "en-US" {
		var w string
		switch weekday {
		case "long":
			w = enDaysLong[wd]
		case "short":
			w = enDaysShort[wd]
		case "narrow":
			w = enDaysLong[wd][:1]
		}
		switch month {
		case "long":
			m = enMonthsLong[mo-1]
		case "short":
			m = enMonthsShort[mo-1]
		case "narrow":
			m = enMonthsLong[mo-1][:1]
		}
		var ps []part
		add := func(kind, v string) { ps = append(ps, part{kind, v}) }
		lit := func(v string) { ps = append(ps, part{"literal", v}) }
		if w != "" {
			add("weekday", w)
			if month != "" || day != "" || year != "" {
				lit(", ")
			}
		}
		if textMonth {
			switch {
			case month != "" && day != "" && year != "":
				add("month", m)
				lit(" ")
				add("day", d)
				lit(", ")
				add("year", y)
			case month != "" && day != "":
				add("month", m)
				lit(" ")
				add("day", d)
			case month != "" && year != "":
				add("month", m)
				lit(" ")
				add("year", y)
			default:
				add("month", m)
			}
			return ps
		}
		var nums []part
		if month != "" {
			nums = append(nums, part{"month", m})
		}
		if day != "" {
			nums = append(nums, part{"day", d})
		}
		if year != "" {
			nums = append(nums, part{"year", y})
		}
		for i, p := range nums {
			if i > 0 {
				lit("/")
			}
			ps = append(ps, p)
		}
		return ps
	}
	// Chinese.
	var w string
	switch weekday {
	case "long":
		w = zhDaysLong[wd]
	case "short":
		w = zhCNDaysShort[wd]
		if df.loc.family == "zh-TW" {
			w = zhTWDaysShort[wd]
		}
	case "narrow":
		w = zhDaysNarrow[wd]
	}
	var ps []part
	add := func(kind, v string) { ps = append(ps, part{kind, v}) }
	lit := func(v string) { ps = append(ps, part{"literal", v}) }
	if textMonth {
		m = strconv.Itoa(mo)
		if month == "long" && year == "" && day == "" && df.loc.family == "zh-CN" {
			m = zhMonthsLong[mo-1]
			add("month", m)
		} else if year == "" && day == "" {
			add("month", m)
			lit("月")
		} else {
			if year != "" {
				add("year", y)
				lit("年")
			}
			if month != "" {
				add("month", m)
				lit("月")
			}
			if day != "" {
				add("day", d)
				lit("日")
			}
		}
	} else {
		var nums []part
		if year != "" {
			nums = append(nums, part{"year", y})
		}
		if month != "" {
			nums = append(nums, part{"month", m})
		}
		if day != "" {
			nums = append(nums, part{"day", d})
		}
		switch {
		case len(nums) == 1 && year != "":
			add("year", y)
			lit("年")
		case len(nums) == 1 && month != "":
			add("month", m)
			lit("月")
		case len(nums) == 1 && day != "":
			add("day", d)
			lit("日")
		default:
			for i, p := range nums {
				if i > 0 {
					lit("/")
				}
				ps = append(ps, p)
			}
		}
	}
	if w != "" {
		if len(ps) > 0 && df.loc.family == "zh-TW" && df.dateStyle == "full" {
			lit(" ")
		}
		add("weekday", w)
	}
	return ps
}

// flexibleDayPeriod is zh-Hant's day period in its timeStyle patterns (CLDR's "B").
func flexibleDayPeriod(h int) string {
	switch {
	case h < 5:
		return "凌晨"
	case h < 8:
		return "清晨"
	case h < 12:
		return "上午"
	case h < 13:
		return "中午"
	case h < 19:
		return "下午"
	}
	return "晚上"
}

func (df *dateTimeFormat) timeParts(t time.Time, hour, minute, second string, hour12 bool) []part {
	if hour == "" && minute == "" && second == "" {
		return nil
	}
	var ps []part
	add := func(kind, v string) { ps = append(ps, part{kind, v}) }
	lit := func(v string) { ps = append(ps, part{"literal", v}) }
	h := t.Hour()
	var hs, period string
	if hour12 {
		period = "AM"
		if df.loc.family != "en-US" {
			period = "上午"
		}
		if h >= 12 {
			period = "PM"
			if df.loc.family != "en-US" {
				period = "下午"
			}
		}
		h12 := h % 12
		if h12 == 0 {
			h12 = 12
		}
		hs = strconv.Itoa(h12)
		if hour == "2-digit" {
			hs = pad2(h12)
		}
	} else {
		hs = pad2(h)
		if hour == "numeric" && minute == "" && second == "" && df.loc.family == "en-US" {
			hs = pad2(h)
		}
	}
	if hour != "" && hour12 && df.loc.family != "en-US" {
		if df.timeStyle != "" && df.loc.family == "zh-TW" {
			period = flexibleDayPeriod(h)
		}
		add("dayPeriod", period)
	}
	if hour != "" {
		add("hour", hs)
	}
	if minute != "" {
		if hour != "" {
			lit(":")
		}
		add("minute", pad2(t.Minute()))
	}
	if second != "" {
		if hour != "" || minute != "" {
			lit(":")
		}
		add("second", pad2(t.Second()))
	}
	if hour != "" && hour12 && df.loc.family == "en-US" {
		lit(" ")
		add("dayPeriod", period)
	}
	if hour != "" && minute == "" && second == "" && !hour12 && df.loc.family != "en-US" {
		lit("时")
	}
	return ps
}

func (df *dateTimeFormat) resolved(vm *goja.Runtime) *goja.Object {
	o := vm.NewObject()
	_ = o.Set("locale", df.loc.name)
	_ = o.Set("calendar", "gregory")
	_ = o.Set("numberingSystem", "latn")
	_ = o.Set("timeZone", df.zoneName)
	if df.hour != "" || df.timeStyle != "" {
		hc := "h23"
		if df.hour12 {
			hc = "h12"
		}
		_ = o.Set("hourCycle", hc)
		_ = o.Set("hour12", df.hour12)
	}
	for _, f := range []struct{ name, v string }{{"weekday", df.weekday}, {"year", df.year}, {"month", df.month}, {"day", df.day}, {"hour", df.hour}, {"minute", df.minute}, {"second", df.second}} {
		if f.v == "" {
			continue
		}
		v := f.v
		if (f.name == "minute" || f.name == "second") && df.hour != "" {
			v = "2-digit"
		}
		if f.name == "hour" && !df.hour12 {
			v = "2-digit"
		}
		_ = o.Set(f.name, v)
	}
	if df.dateStyle != "" {
		_ = o.Set("dateStyle", df.dateStyle)
	}
	if df.timeStyle != "" {
		_ = o.Set("timeStyle", df.timeStyle)
	}
	return o
}
