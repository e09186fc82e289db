package project

import (
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
)

func bj(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, bjtime.Location)
	if err != nil {
		panic(err)
	}
	return t
}

// TestDocsRuleTable is the table of examples in Bmob's timed-task docs: each
// rule's next firings from a start, as the docs' words describe them.
func TestDocsRuleTable(t *testing.T) {
	const jan1 = "2026-01-01 00:00:00" // a Thursday
	tests := []struct {
		rule, docs, from string
		want             []string
	}{
		{"* * * * * *", "every second", jan1, []string{"2026-01-01 00:00:01", "2026-01-01 00:00:02", "2026-01-01 00:00:03"}},
		{"1 * * * * *", "second 1 of every minute", jan1, []string{"2026-01-01 00:00:01", "2026-01-01 00:01:01", "2026-01-01 00:02:01"}},
		{"0 0 * * * *", "every hour", jan1, []string{"2026-01-01 01:00:00", "2026-01-01 02:00:00", "2026-01-01 03:00:00"}},
		{"0 0 16 * * *", "16:00:00 every day", jan1, []string{"2026-01-01 16:00:00", "2026-01-02 16:00:00"}},
		{"0 0 0 1 * *", "midnight on the 1st of every month", jan1, []string{"2026-02-01 00:00:00", "2026-03-01 00:00:00"}},
		{"0 0 0 * * 0", "midnight every Sunday", jan1, []string{"2026-01-04 00:00:00", "2026-01-11 00:00:00"}},
		{"0 0 0 1 5 *", "midnight on 1 May every year", jan1, []string{"2026-05-01 00:00:00", "2027-05-01 00:00:00"}},
		{"* 0 * * * *", "every second of minute 0 of every hour", "2026-01-01 00:00:58",
			[]string{"2026-01-01 00:00:59", "2026-01-01 01:00:00", "2026-01-01 01:00:01"}},
		{"*/3 * * * * *", "seconds that are multiples of 3", "2026-01-01 00:00:55",
			[]string{"2026-01-01 00:00:57", "2026-01-01 00:01:00", "2026-01-01 00:01:03"}},
		{"0 */10 * * * *", "minutes 0, 10, 20, 30, 40, 50", "2026-01-01 00:45:00",
			[]string{"2026-01-01 00:50:00", "2026-01-01 01:00:00", "2026-01-01 01:10:00"}},
		{"* * */5 * * *", "every second of hours 0, 5, 10, 15, 20", "2026-01-01 00:59:58",
			[]string{"2026-01-01 00:59:59", "2026-01-01 05:00:00", "2026-01-01 05:00:01"}},
		{"0 0 0 */10 * *", "midnight on the 10th, 20th and 30th", jan1,
			[]string{"2026-01-10 00:00:00", "2026-01-20 00:00:00", "2026-01-30 00:00:00", "2026-02-10 00:00:00", "2026-02-20 00:00:00", "2026-03-10 00:00:00"}},
		{"0 0 0 * * */3", "midnight every Wednesday and Saturday", jan1,
			[]string{"2026-01-03 00:00:00", "2026-01-07 00:00:00", "2026-01-10 00:00:00", "2026-01-14 00:00:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r, err := ParseRule(tt.rule)
			if err != nil {
				t.Fatalf("ParseRule(%q) (%s): %v", tt.rule, tt.docs, err)
			}
			at := bj(tt.from)
			for i, w := range tt.want {
				at = r.Next(at)
				if got := bjtime.Format(at); got != w {
					t.Fatalf("%q (%s): firing %d = %s, want %s", tt.rule, tt.docs, i+1, got, w)
				}
			}
		})
	}
}

// TestEveryMinuteZeroSecondFiresSixtyTimesAnHour pins the docs' words for
// "* 0 * * * *": 60 firings an hour, one a second.
func TestEveryMinuteZeroSecondFiresSixtyTimesAnHour(t *testing.T) {
	r, err := ParseRule("* 0 * * * *")
	if err != nil {
		t.Fatal(err)
	}
	from := bj("2026-01-01 09:59:59")
	n := 0
	for at := r.Next(from); at.Before(bj("2026-01-01 12:00:00")); at = r.Next(at) {
		n++
	}
	if n != 120 {
		t.Fatalf("firings in two hours = %d, want 120", n)
	}
}

func TestRuleErrors(t *testing.T) {
	tests := []struct{ rule, want string }{
		{"* * * * *", "has 5 fields"},
		{"0 0 0 1 * 3", "when weekday is set, day and month must be *"},
		{"0 0 0 * 5 1", "when weekday is set, day and month must be *"},
		{"0 0 0 * * */3x", "may hold only numbers"},
		{"@hourly", "has 1 fields"},
		{"60 * * * * *", "above maximum"},
		{"0 0 0 * * MON", "may hold only numbers"},
		{"0 0 0 */0 * *", "the step must be a positive number"},
		{"0 0 0 */40 * *", "never matches"},
		{"0 0 0 * * 7", "above maximum"},
	}
	for _, tt := range tests {
		_, err := ParseRule(tt.rule)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseRule(%q) = %v, want an error containing %q", tt.rule, err, tt.want)
		}
	}
}

func TestMinInterval(t *testing.T) {
	from := bj("2026-01-01 00:00:00")
	tests := []struct {
		rule string
		want time.Duration
	}{
		{"* * * * * *", time.Second},
		{"0 */10 * * * *", 10 * time.Minute},
		{"0 0 * * * *", time.Hour},
		{"0 0 0,12 * * *", 12 * time.Hour},
		{"0 0 16 * * *", 24 * time.Hour},
		{"0 0 0 1 5 *", 365 * 24 * time.Hour},
	}
	for _, tt := range tests {
		r, err := ParseRule(tt.rule)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.MinInterval(from); got < tt.want || (tt.want < 24*time.Hour && got != tt.want) {
			t.Errorf("MinInterval(%q) = %v, want %v", tt.rule, got, tt.want)
		}
	}
}
