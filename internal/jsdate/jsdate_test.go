package jsdate

import (
	"testing"
	"time"

	"github.com/dop251/goja"
)

// beijing is a zone other than any host's time.Local in these tests' eyes: the
// results are computed in Go from it, never read from time.Local.
var beijing = time.FixedZone("CST", 8*3600)

// newVM is a VM whose Date lives in zone, at the frozen instant now.
func newVM(t *testing.T, zone *time.Location, now time.Time) *goja.Runtime {
	t.Helper()
	vm := goja.New()
	vm.SetTimeSource(func() time.Time { return now })
	if err := Install(vm, zone); err != nil {
		t.Fatal(err)
	}
	return vm
}

func run(t *testing.T, vm *goja.Runtime, src string) goja.Value {
	t.Helper()
	v, err := vm.RunString(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v
}

func TestLocalMembersFollowTheGivenZone(t *testing.T) {
	// 2026-01-01 02:30 UTC is 10:30 in Beijing and still Dec 31 in New York.
	at := time.Date(2026, 1, 1, 2, 30, 5, 250e6, time.UTC)
	vm := newVM(t, beijing, at)
	for src, want := range map[string]any{
		`new Date().toString()`:                                             "Thu Jan 01 2026 10:30:05 GMT+0800 (CST)",
		`String(new Date())`:                                                "Thu Jan 01 2026 10:30:05 GMT+0800 (CST)",
		`Date()`:                                                            "Thu Jan 01 2026 10:30:05 GMT+0800 (CST)",
		`new Date().toDateString()`:                                         "Thu Jan 01 2026",
		`new Date().toTimeString()`:                                         "10:30:05 GMT+0800 (CST)",
		`new Date().toLocaleString()`:                                       "01/01/2026, 10:30:05",
		`new Date().getHours()`:                                             int64(10),
		`new Date().getDate()`:                                              int64(1),
		`new Date().getDay()`:                                               int64(4),
		`new Date().getFullYear()`:                                          int64(2026),
		`new Date().getMonth()`:                                             int64(0),
		`new Date().getMilliseconds()`:                                      int64(250),
		`new Date().getTimezoneOffset()`:                                    int64(-480),
		`new Date().getUTCHours()`:                                          int64(2),
		`new Date().toISOString()`:                                          "2026-01-01T02:30:05.250Z",
		`new Date(2026, 0, 1, 10).getTime()`:                                time.Date(2026, 1, 1, 10, 0, 0, 0, beijing).UnixMilli(),
		`new Date(2026, 12, 1).getTime()`:                                   time.Date(2027, 1, 1, 0, 0, 0, 0, beijing).UnixMilli(),
		`new Date(99, 0).getFullYear()`:                                     int64(1999),
		`Date.parse("2026/01/01 10:00:00")`:                                 time.Date(2026, 1, 1, 10, 0, 0, 0, beijing).UnixMilli(),
		`new Date("2026-01-01T10:00:00").getTime()`:                         time.Date(2026, 1, 1, 10, 0, 0, 0, beijing).UnixMilli(),
		`Date.parse("2026-01-01")`:                                          time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(),
		`Date.parse("2026-01-01T10:00:00Z")`:                                time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC).UnixMilli(),
		`Date.parse("2026-01-01T10:00:00+01:00")`:                           time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).UnixMilli(),
		`Date.parse("Thu Jan 01 2026 10:00:00 GMT")`:                        time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC).UnixMilli(),
		`Date.parse(new Date().toString())`:                                 time.Date(2026, 1, 1, 2, 30, 5, 0, time.UTC).UnixMilli(),
		`isNaN(Date.parse("nonsense"))`:                                     true,
		`new Date(NaN).toString()`:                                          "Invalid Date",
		`isNaN(new Date(NaN).getHours())`:                                   true,
		`var d = new Date(2026, 0, 31, 23); d.setHours(25); d.getTime()`:    time.Date(2026, 2, 1, 1, 0, 0, 0, beijing).UnixMilli(),
		`var d = new Date(2026, 0, 31); d.setMonth(1); d.getDate()`:         int64(3),
		`var d = new Date(NaN); d.setFullYear(2026); d.getTime()`:           time.Date(2026, 1, 1, 0, 0, 0, 0, beijing).UnixMilli(),
		`var d = new Date(NaN); isNaN(d.setHours(1))`:                       true,
		`new Date(new Date(5)).getTime()`:                                   int64(5),
		`new Date({valueOf: function () { return 7 }}).getTime()`:           int64(7),
		`new Date() instanceof Date && Date.prototype.constructor === Date`: true,
		`Date.length === 7 && Date.name === "Date" && Date.prototype.setHours.length === 4`: true,
		`class D2 extends Date { y() { return this.getFullYear() } }; new D2(2026, 5).y()`:  int64(2026),
		`Object.prototype.toString.call(new Date())`:                                        "[object Date]",
		`JSON.stringify({d: new Date(0)})`:                                                  `{"d":"1970-01-01T00:00:00.000Z"}`,
	} {
		got := run(t, vm, src).Export()
		if got != want {
			t.Errorf("%s = %#v, want %#v", src, got, want)
		}
	}
	if _, err := vm.RunString(`Date.prototype.getHours.call({})`); err == nil {
		t.Error("a local getter on a non-Date must throw a TypeError")
	}
}

// Two VMs in two zones at once, and the process's zone untouched.
func TestZonesArePerVM(t *testing.T) {
	before := time.Local
	at := time.Date(2026, 1, 1, 2, 30, 0, 0, time.UTC)
	bj := newVM(t, beijing, at)
	ny := newVM(t, time.FixedZone("EST", -5*3600), at)
	if got := run(t, bj, `new Date().getDate() + "/" + new Date().getHours()`).String(); got != "1/10" {
		t.Errorf("Beijing VM: %s", got)
	}
	if got := run(t, ny, `new Date().getDate() + "/" + new Date().getHours()`).String(); got != "31/21" {
		t.Errorf("EST VM: %s", got)
	}
	if time.Local != before {
		t.Error("Install changed time.Local")
	}
}

func TestNamesNoZone(t *testing.T) {
	for s, want := range map[string]bool{
		"2026/01/01 10:00":                        true,
		"2026-01-01T10:00:00":                     true,
		"Jan 1, 2026 10:00 am":                    true,
		"2026-01-01":                              false,
		"2026-01-01T10:00:00Z":                    false,
		"2026-01-01T10:00:00.123+08:00":           false,
		"Thu Jan 01 2026 10:00:00 GMT+0800 (CST)": false,
		"Thu, 01 Jan 2026 02:00:00 UTC":           false,
		"2026/01/01 10:00 (China Standard Time)":  true,
	} {
		if got := namesNoZone(s); got != want {
			t.Errorf("namesNoZone(%q) = %v, want %v", s, got, want)
		}
	}
}

// BenchmarkInstall is the cost the zone adds to every new VM.
func BenchmarkInstall(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		vm := goja.New()
		if err := Install(vm, beijing); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewVM is a bare VM, to compare BenchmarkInstall with.
func BenchmarkNewVM(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = goja.New()
	}
}

// BenchmarkGetHours is a local getter through the zone.
func BenchmarkGetHours(b *testing.B) {
	vm := goja.New()
	if err := Install(vm, beijing); err != nil {
		b.Fatal(err)
	}
	prg := goja.MustCompile("b.js", `d.getHours()`, false)
	if _, err := vm.RunString(`var d = new Date(0)`); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := vm.RunProgram(prg); err != nil {
			b.Fatal(err)
		}
	}
}
