package moment

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// formatTokens are moment's tokens, longest first so "MMMM" wins over "MM".
var formatTokens = []string{
	"YYYYYY", "YYYY", "YY", "Q", "MMMM", "MMM", "MM", "Mo", "M", "DDDD", "DDD", "Do", "DD", "D",
	"dddd", "ddd", "dd", "d", "E", "e", "HH", "H", "hh", "h", "kk", "k", "mm", "m", "ss", "s",
	"SSS", "SS", "S", "A", "a", "X", "x", "ZZ", "Z", "WW", "W", "ww", "w",
}

const defaultFormat = "YYYY-MM-DDTHH:mm:ssZ"

// format renders t (already in the moment's zone) with moment's tokens;
// [bracketed] text is copied as is.
func format(t time.Time, layout string) string {
	var sb strings.Builder
	for i := 0; i < len(layout); {
		if layout[i] == '[' {
			if j := strings.IndexByte(layout[i:], ']'); j > 0 {
				sb.WriteString(layout[i+1 : i+j])
				i += j + 1
				continue
			}
		}
		tok := ""
		for _, cand := range formatTokens {
			if strings.HasPrefix(layout[i:], cand) {
				tok = cand
				break
			}
		}
		if tok == "" {
			sb.WriteByte(layout[i])
			i++
			continue
		}
		sb.WriteString(formatToken(t, tok))
		i += len(tok)
	}
	return sb.String()
}

func pad(n, width int) string {
	s := strconv.Itoa(abs(n))
	for len(s) < width {
		s = "0" + s
	}
	if n < 0 {
		return "-" + s
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func formatToken(t time.Time, tok string) string {
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	_, isoWeek := t.ISOWeek()
	switch tok {
	case "YYYYYY":
		sign := "+"
		if t.Year() < 0 {
			sign = "-"
		}
		return sign + pad(abs(t.Year()), 6)
	case "YYYY":
		if t.Year() > 9999 {
			return "+" + strconv.Itoa(t.Year())
		}
		return pad(t.Year(), 4)
	case "YY":
		return pad(abs(t.Year())%100, 2)
	case "Q":
		return strconv.Itoa((int(t.Month())-1)/3 + 1)
	case "MMMM":
		return zhMonths[t.Month()-1]
	case "MMM":
		return zhMonthsShort[t.Month()-1]
	case "MM":
		return pad(int(t.Month()), 2)
	case "Mo":
		return strconv.Itoa(int(t.Month())) + "月"
	case "M":
		return strconv.Itoa(int(t.Month()))
	case "DDDD":
		return pad(t.YearDay(), 3)
	case "DDD":
		return strconv.Itoa(t.YearDay())
	case "Do":
		return strconv.Itoa(t.Day()) + "日"
	case "DD":
		return pad(t.Day(), 2)
	case "D":
		return strconv.Itoa(t.Day())
	case "dddd":
		return zhWeekdays[t.Weekday()]
	case "ddd":
		return zhWeekdaysSh[t.Weekday()]
	case "dd":
		return zhWeekdaysMin[t.Weekday()]
	case "d":
		return strconv.Itoa(int(t.Weekday()))
	case "E":
		return strconv.Itoa(isoWeekday(t))
	case "e":
		// zh-cn weeks start on Monday.
		return strconv.Itoa(isoWeekday(t) - 1)
	case "HH":
		return pad(t.Hour(), 2)
	case "H":
		return strconv.Itoa(t.Hour())
	case "hh":
		return pad(hour12, 2)
	case "h":
		return strconv.Itoa(hour12)
	case "kk":
		return pad(kHour(t), 2)
	case "k":
		return strconv.Itoa(kHour(t))
	case "mm":
		return pad(t.Minute(), 2)
	case "m":
		return strconv.Itoa(t.Minute())
	case "ss":
		return pad(t.Second(), 2)
	case "s":
		return strconv.Itoa(t.Second())
	case "SSS":
		return pad(t.Nanosecond()/1e6, 3)
	case "SS":
		return pad(t.Nanosecond()/1e7, 2)
	case "S":
		return strconv.Itoa(t.Nanosecond() / 1e8)
	case "A", "a":
		return zhMeridiem(t.Hour(), t.Minute())
	case "X":
		return strconv.FormatInt(t.Unix(), 10)
	case "x":
		return strconv.FormatInt(t.UnixMilli(), 10)
	case "Z", "ZZ":
		_, off := t.Zone()
		sign := "+"
		if off < 0 {
			sign, off = "-", -off
		}
		sep := ":"
		if tok == "ZZ" {
			sep = ""
		}
		return fmt.Sprintf("%s%02d%s%02d", sign, off/3600, sep, off%3600/60)
	case "WW":
		return pad(isoWeek, 2)
	case "W":
		return strconv.Itoa(isoWeek)
	case "ww":
		return pad(isoWeek, 2)
	case "w":
		// zh-cn's locale week (dow 1, doy 4) is the ISO week.
		return strconv.Itoa(isoWeek)
	}
	return tok
}

func isoWeekday(t time.Time) int {
	if t.Weekday() == time.Sunday {
		return 7
	}
	return int(t.Weekday())
}

func kHour(t time.Time) int {
	if t.Hour() == 0 {
		return 24
	}
	return t.Hour()
}
