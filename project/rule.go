package project

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/bmobemu/bmobemu/internal/bjtime"
)

// Rule is a timed task's schedule: Bmob's six fields `sec min hour day month
// weekday` (weekday 0–6, 0 = Sunday), read by robfig/cron/v3 with its seconds
// field, on Beijing time.
//
// Bmob's docs describe `*/n` as "the values that are multiples of n": hours
// 0,5,10,15,20 for `*/5`, days 10,20,30 for `*/10`, Wednesday and Saturday for
// weekday `*/3`. For seconds, minutes and hours that is what cron's `*/n` means
// (0, n, 2n, …); for day and month cron would start at 1 (1, 11, 21, 31), and for
// weekday at Sunday. So a bare `*/n` in those three fields is rewritten, before
// robfig parses it, to the list of multiples of n (with Sunday counted as 7, so
// `*/3` is Wednesday and Saturday, `*/1` every day). Lists (`1,15`) and ranges
// (`1-5`, `1-5/2`) are accepted as cron reads them, an extension of the docs.
type Rule struct {
	Text     string
	schedule cron.Schedule
}

// ruleParser reads exactly six numeric fields: no descriptors (@hourly) and no
// optional fields.
var ruleParser = cron.NewParser(cron.Second | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

// fieldNames are the six fields in order, in the docs' words.
var fieldNames = [6]string{"second", "minute", "hour", "day", "month", "weekday"}

// ParseRule checks and reads a rule. Besides cron's own syntax it enforces the
// docs' rule that when weekday is set, day and month must be `*`.
func ParseRule(text string) (Rule, error) {
	fields := strings.Fields(text)
	if len(fields) != 6 {
		return Rule{}, fmt.Errorf("rule %q has %d fields; Bmob's rules have six: sec min hour day month weekday", text, len(fields))
	}
	for i, f := range fields {
		for _, r := range f {
			if !(r >= '0' && r <= '9') && !strings.ContainsRune("*/,-", r) {
				return Rule{}, fmt.Errorf("rule %q: the %s field %q may hold only numbers, *, */n, lists and ranges", text, fieldNames[i], f)
			}
		}
	}
	if fields[5] != "*" && (fields[3] != "*" || fields[4] != "*") {
		return Rule{}, fmt.Errorf("rule %q: when weekday is set, day and month must be * (Bmob's rule)", text)
	}
	spec := append([]string(nil), fields...)
	for i, max := range map[int]int{3: 31, 4: 12, 5: 7} {
		m, err := multiplesOf(fields[i], max, i == 5)
		if err != nil {
			return Rule{}, fmt.Errorf("rule %q: the %s field: %w", text, fieldNames[i], err)
		}
		spec[i] = m
	}
	sched, err := ruleParser.Parse(strings.Join(spec, " "))
	if err != nil {
		return Rule{}, fmt.Errorf("rule %q: %w", text, err)
	}
	if s, ok := sched.(*cron.SpecSchedule); ok {
		s.Location = bjtime.Location
	}
	return Rule{Text: text, schedule: sched}, nil
}

// multiplesOf rewrites a bare `*/n` to the list of multiples of n up to max;
// anything else is returned unchanged. For the weekday, 7 stands for Sunday.
func multiplesOf(field string, max int, weekday bool) (string, error) {
	step, ok := strings.CutPrefix(field, "*/")
	if !ok {
		return field, nil
	}
	n, err := strconv.Atoi(step)
	if err != nil || n <= 0 {
		return "", fmt.Errorf("%q: the step must be a positive number", field)
	}
	var vals []string
	for v := n; v <= max; v += n {
		if weekday && v == 7 {
			v = 0
			vals = append(vals, "0")
			break
		}
		vals = append(vals, strconv.Itoa(v))
	}
	if len(vals) == 0 {
		return "", fmt.Errorf("%q never matches (the largest value is %d)", field, max)
	}
	return strings.Join(vals, ","), nil
}

// Next is the first time after t that the rule fires, on Beijing time; the
// zero time if it never fires again.
func (r Rule) Next(t time.Time) time.Time {
	if r.schedule == nil {
		return time.Time{}
	}
	return r.schedule.Next(t.In(bjtime.Location))
}

// MinInterval is the shortest gap between two firings within the year after
// from (a rule firing once a year or rarer gives a gap of a year or more). Bmob's
// free tier refuses rules whose gap is under an hour.
func (r Rule) MinInterval(from time.Time) time.Duration {
	const horizon = 366 * 24 * time.Hour
	const maxFirings = 20000 // an hourly rule fires 8,784 times a year
	shortest := time.Duration(-1)
	prev := r.Next(from)
	end := from.Add(horizon)
	for i := 0; i < maxFirings && !prev.IsZero() && prev.Before(end); i++ {
		next := r.Next(prev)
		if next.IsZero() {
			break
		}
		if gap := next.Sub(prev); shortest < 0 || gap < shortest {
			shortest = gap
		}
		if shortest < time.Hour {
			break
		}
		prev = next
	}
	if shortest < 0 {
		return horizon
	}
	return shortest
}
