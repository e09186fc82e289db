// Package bjtime pins the emulator to Beijing time (UTC+8), the zone of Bmob's servers,
// its createdAt/updatedAt values and Alipay's timestamps, whatever the host's zone.
package bjtime

import "time"

// Location is China Standard Time. China has kept UTC+8 without daylight saving
// since 1991, so a fixed zone needs no tzdata.
var Location = time.FixedZone("CST", 8*3600)

// Format writes t as Bmob does: "YYYY-MM-DD HH:mm:ss" in Beijing time.
func Format(t time.Time) string { return t.In(Location).Format("2006-01-02 15:04:05") }

// Parse reads "YYYY-MM-DD HH:mm:ss" as Beijing time.
func Parse(s string) (time.Time, error) {
	return time.ParseInLocation("2006-01-02 15:04:05", s, Location)
}

// Scripts see Beijing time through modules.Env.Zone (the emulator passes
// Location), never through the process's time.Local: a program that imports the
// emulator keeps its own zone.
