// Package jsdate gives one goja VM's Date a local time zone of its own.
//
// goja's Date reads the process's time.Local for everything local: getHours,
// toString, new Date(2026, 0, 1), Date.parse("2026/01/01 10:00"). Setting
// time.Local would change the zone of the whole program (every importer of the
// emulator, tests included); Install instead redefines, on one VM, the Date
// members that depend on the local zone in terms of the UTC ones and the zone it
// is given. Everything else (UTC methods, toISOString, JSON, Date.now, the
// instants themselves) stays goja's.
package jsdate

import (
	_ "embed"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

//go:embed jsdate.js
var source string

// program is jsdate.js compiled once; a compiled program may run on any VM.
var program = sync.OnceValues(func() (*goja.Program, error) {
	return goja.Compile("bmobemu:jsdate.js", source, true)
})

// Install makes loc the local time zone of vm's Date. It must run before any
// script, on the VM's goroutine.
func Install(vm *goja.Runtime, loc *time.Location) error {
	if loc == nil {
		return fmt.Errorf("jsdate: no time zone given")
	}
	prg, err := program()
	if err != nil {
		return fmt.Errorf("jsdate: %w", err)
	}
	factory, err := vm.RunProgram(prg)
	if err != nil {
		return fmt.Errorf("jsdate: %w", err)
	}
	install, ok := goja.AssertFunction(factory)
	if !ok {
		return fmt.Errorf("jsdate: the script is not a function")
	}
	z := zone{loc: loc}
	native := vm.NewObject()
	for name, fn := range map[string]any{
		"offset":    z.offset,
		"wallToUTC": z.wallToUTC,
		"format":    z.format,
		"parse":     z.parse,
	} {
		if err := native.Set(name, fn); err != nil {
			return fmt.Errorf("jsdate: %w", err)
		}
	}
	if _, err := install(goja.Undefined(), vm.GlobalObject(), native); err != nil {
		return fmt.Errorf("jsdate: %w", err)
	}
	return nil
}

// zone answers jsdate.js's questions about one time zone. Time values are
// milliseconds since the epoch, as JavaScript keeps them; the script never
// passes NaN.
type zone struct{ loc *time.Location }

func instant(ms float64) time.Time { return time.UnixMilli(int64(ms)) }

// offset is the zone's offset from UTC at the instant ms, in milliseconds.
func (z zone) offset(ms float64) float64 {
	_, off := instant(ms).In(z.loc).Zone()
	return float64(off) * 1000
}

// wallToUTC is the instant at which the zone's clocks read the wall time w (a
// time value whose UTC fields are the local fields).
func (z zone) wallToUTC(w float64) float64 {
	t := instant(w).UTC()
	return float64(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), z.loc).UnixMilli())
}

// The layouts of goja's Date (so the output is what it printed with time.Local
// set to the zone).
var layouts = [...]string{
	"Mon Jan 02 2006 15:04:05 GMT-0700 (MST)", // toString
	"Mon Jan 02 2006",                         // toDateString
	"15:04:05 GMT-0700 (MST)",                 // toTimeString
	"01/02/2006, 15:04:05",                    // toLocaleString
	"01/02/2006",                              // toLocaleDateString
	"15:04:05",                                // toLocaleTimeString
}

// format renders the instant ms in the zone with layout number kind.
func (z zone) format(ms float64, kind int) string {
	return instant(ms).In(z.loc).Format(layouts[kind])
}

// parse takes what goja's Date.parse made of s, t, and reads s again in the zone
// when it names no zone of its own (goja read it in time.Local).
func (z zone) parse(s string, t float64) float64 {
	if math.IsNaN(t) || !namesNoZone(s) {
		return t
	}
	l := instant(t).In(time.Local)
	return float64(time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), z.loc).UnixMilli())
}

var (
	// isoDateOnly is an ISO date without a time, which ECMAScript reads as UTC.
	isoDateOnly = regexp.MustCompile(`^\s*[+-]?\d{4,6}(-\d\d(-\d\d)?)?\s*$`)
	// offsetAfterTime is a numeric offset after a time of day (…10:00+08:00,
	// …10:00:00 +0800).
	offsetAfterTime = regexp.MustCompile(`\d:\d\d(:\d\d(\.\d+)?)?\s*[+-]\d`)
	parenthesized   = regexp.MustCompile(`\([^)]*\)`)
	letters         = regexp.MustCompile(`[a-z]+`)
)

// zoneNames are the zone abbreviations goja's parser reads (and Z, UT).
var zoneNames = map[string]bool{
	"gmt": true, "utc": true, "ut": true, "z": true, "edt": true, "est": true, "cdt": true, "cst": true,
	"mdt": true, "mst": true, "pdt": true, "pst": true, "wet": true, "west": true, "cet": true,
	"cest": true, "eet": true, "eest": true,
}

// namesNoZone reports whether a date string goja parsed names no zone, so that
// it was read as local time: not an ISO date alone (UTC), no offset after the
// time, no zone abbreviation outside parentheses (a comment to the parser).
func namesNoZone(s string) bool {
	if isoDateOnly.MatchString(s) {
		return false
	}
	s = strings.ToLower(parenthesized.ReplaceAllString(s, " "))
	if offsetAfterTime.MatchString(s) {
		return false
	}
	for _, word := range letters.FindAllString(s, -1) {
		if zoneNames[word] {
			return false
		}
		if strings.HasPrefix(word, "t") && len(word) > 1 && zoneNames[word[1:]] { // "…T10:00Z" splits as t, z
			return false
		}
	}
	return true
}
