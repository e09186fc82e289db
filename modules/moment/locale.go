package moment

import "fmt"

// The zh-cn locale, which Bmob's moment has active (its documented outputs are Chinese).
var (
	zhMonthsShort = [12]string{"1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"}
	zhMonths      = [12]string{"一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"}
	zhWeekdays    = [7]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}
	zhWeekdaysSh  = [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
	zhWeekdaysMin = [7]string{"日", "一", "二", "三", "四", "五", "六"}
)

// zhMeridiem is zh-cn's A/a: the part of the day by hour and minute.
func zhMeridiem(hour, minute int) string {
	hm := hour*100 + minute
	switch {
	case hm < 600:
		return "凌晨"
	case hm < 900:
		return "早上"
	case hm < 1130:
		return "上午"
	case hm < 1230:
		return "中午"
	case hm < 1800:
		return "下午"
	}
	return "晚上"
}

// zhRelative words a relative time key (moment's s, ss, m, mm, …) with its number.
func zhRelative(key string, n int) string {
	switch key {
	case "s":
		return "几秒"
	case "ss":
		return fmt.Sprintf("%d 秒", n)
	case "m":
		return "1 分钟"
	case "mm":
		return fmt.Sprintf("%d 分钟", n)
	case "h":
		return "1 小时"
	case "hh":
		return fmt.Sprintf("%d 小时", n)
	case "d":
		return "1 天"
	case "dd":
		return fmt.Sprintf("%d 天", n)
	case "M":
		return "1 个月"
	case "MM":
		return fmt.Sprintf("%d 个月", n)
	case "y":
		return "1 年"
	}
	return fmt.Sprintf("%d 年", n)
}

// zhSuffix adds 前 (past) or 后 (future).
func zhSuffix(s string, future bool) string {
	if future {
		return s + "后"
	}
	return s + "前"
}
