package moment

import "strings"

// normalizeUnit maps moment's unit names and shorthands to one name each.
func normalizeUnit(u string) string {
	switch u {
	case "y", "year", "years":
		return "year"
	case "Q", "quarter", "quarters":
		return "quarter"
	case "M", "month", "months":
		return "month"
	case "w", "week", "weeks":
		return "week"
	case "W", "isoWeek", "isoWeeks", "isoweek", "isoweeks":
		return "isoWeek"
	case "d", "day", "days":
		return "day"
	case "D", "date", "dates":
		return "date"
	case "h", "hour", "hours":
		return "hour"
	case "m", "minute", "minutes":
		return "minute"
	case "s", "second", "seconds":
		return "second"
	case "ms", "millisecond", "milliseconds":
		return "millisecond"
	}
	switch strings.ToLower(u) {
	case "year", "years", "quarter", "quarters", "month", "months", "week", "weeks", "day", "days",
		"date", "dates", "hour", "hours", "minute", "minutes", "second", "seconds", "millisecond", "milliseconds":
		return normalizeUnit(strings.ToLower(u))
	}
	return ""
}
