package emulator

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/console"
)

// A script's newline cannot forge a line of another function's log (issue 10,
// item 10): every line carries the writer's name, continuation lines are
// marked, and control characters are escaped.
func TestLogLinesCannotBeForged(t *testing.T) {
	var out bytes.Buffer
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	logs := NewLogs(&out, 10, func() time.Time { return at })
	logs.FunctionLog("hostile", "log", "hi\n2026-01-02 11:04:05 [pay] error: forged\r[pay] error: cr\r\nend\x1b[2K")
	want := "2026-01-02 11:04:05 [hostile] log: hi\n" +
		"2026-01-02 11:04:05 [hostile] log| 2026-01-02 11:04:05 [pay] error: forged\n" +
		"2026-01-02 11:04:05 [hostile] log| [pay] error: cr\n" +
		"2026-01-02 11:04:05 [hostile] log| end\\x1b[2K\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(line, "2026-01-02 11:04:05 [hostile] ") {
			t.Fatalf("a line not marked as hostile's: %q", line)
		}
	}
}

// BenchmarkFunctionLog is one log line of a function with the web console off
// (no tap), on with no browser open, and on with a browser whose window is
// full (the line is dropped): the console's cost per line with no browser is
// the difference of the first two.
func BenchmarkFunctionLog(b *testing.B) {
	for _, mode := range []string{"console=off", "console=on,reader=none", "console=on,reader=full"} {
		b.Run(mode, func(b *testing.B) {
			l := NewLogs(nil, 0, nil)
			if mode != "console=off" {
				hub := console.NewHub()
				l.Tap(hub.Publish)
				if mode == "console=on,reader=full" {
					s, _ := hub.Subscribe("", 1)
					defer s.Close()
				}
			}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				l.FunctionLog("hello", "log", "hello called with {\"name\":\"bench\"}")
			}
		})
	}
}
