package moment

import (
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/modulestest"
)

// frozenNow is 2024-03-15 14:30:45.123 Beijing time (a Friday).
var frozenNow = time.UnixMilli(1710484245123)

// Vectors from moment 2.30.1 with the zh-cn locale under Node v20 with
// TZ=Asia/Shanghai and moment.now = () => 1710484245123: a scratch script
// evaluated each expression and printed String(result).
var nodeVectors = []struct{ js, want string }{
	{`moment().format()`, `2024-03-15T14:30:45+08:00`},
	{`moment().format('YYYY-MM-DD HH:mm:ss')`, `2024-03-15 14:30:45`},
	{`moment().format('YYYY-MM-DD HH:mm:ss.SSS')`, `2024-03-15 14:30:45.123`},
	{`moment().valueOf()`, `1710484245123`},
	{`moment().unix()`, `1710484245`},
	{`moment().format('X x')`, `1710484245 1710484245123`},
	{`moment().format('YY M D H h m s S SS Q DDD DDDD d E')`, `24 3 15 14 2 30 45 1 12 1 75 075 5 5`},
	{`moment().format('dddd ddd dd Do MMM MMMM A a')`, `星期五 周五 五 15日 3月 三月 下午 下午`},
	{`moment().format('[今天是] YYYY [年] Do dddd')`, `今天是 2024 年 15日 星期五`},
	{`moment().format('W WW w ww Z ZZ')`, `11 11 11 11 +08:00 +0800`},
	{`moment().format('hh:mm A')`, `02:30 下午`},
	{`moment('2024-01-01 00:30').format('A h')`, `凌晨 12`},
	{`moment('2024-01-01 08:59').format('A')`, `早上`},
	{`moment('2024-01-01 11:29').format('A')`, `上午`},
	{`moment('2024-01-01 12:00').format('A')`, `中午`},
	{`moment('2024-01-01 17:59').format('A')`, `下午`},
	{`moment('2024-01-01 18:00').format('A')`, `晚上`},
	{`moment('2024-01-02T03:04:05Z').format()`, `2024-01-02T11:04:05+08:00`},
	{`moment('2024-01-02T03:04:05.678+02:00').format('YYYY-MM-DD HH:mm:ss.SSS')`, `2024-01-02 09:04:05.678`},
	{`moment('2024-01-02').format()`, `2024-01-02T00:00:00+08:00`},
	{`moment('2024-01-02 03:04').format()`, `2024-01-02T03:04:00+08:00`},
	{`moment('20240102').format('YYYY-MM-DD')`, `2024-01-02`},
	{`moment('2024-02-30').isValid()`, `false`},
	{`moment('garbage').isValid()`, `false`},
	{`moment('garbage').format()`, `Invalid date`},
	{`moment('2024/01/02 10:11:12').format()`, `2024-01-02T10:11:12+08:00`},
	{`moment('02/01/2024 10:11', 'DD/MM/YYYY HH:mm').format()`, `2024-01-02T10:11:00+08:00`},
	{`moment('2024年3月5日', 'YYYY年M月D日').format('YYYY-MM-DD')`, `2024-03-05`},
	{`moment('1710484245', 'X').format()`, `2024-03-15T14:30:45+08:00`},
	{`moment(1710484245123).format('YYYY-MM-DD HH:mm:ss.SSS')`, `2024-03-15 14:30:45.123`},
	{`moment(new Date(1710484245123)).format()`, `2024-03-15T14:30:45+08:00`},
	{`moment.unix(1710484245).format()`, `2024-03-15T14:30:45+08:00`},
	{`moment([2024, 0, 31, 10]).format()`, `2024-01-31T10:00:00+08:00`},
	{`moment().add(1, 'd').format()`, `2024-03-16T14:30:45+08:00`},
	{`moment().add(7, 'days').format('YYYY-MM-DD')`, `2024-03-22`},
	{`moment().add({hours: 2, minutes: 30}).format()`, `2024-03-15T17:00:45+08:00`},
	{`moment().subtract(1, 'months').format('YYYY-MM-DD')`, `2024-02-15`},
	{`moment().subtract(1, 'y').format('YYYY-MM-DD')`, `2023-03-15`},
	{`moment('2024-01-31').add(1, 'M').format('YYYY-MM-DD')`, `2024-02-29`},
	{`moment('2024-02-29').add(1, 'year').format('YYYY-MM-DD')`, `2025-02-28`},
	{`moment().add(1.5, 'hours').format()`, `2024-03-15T16:00:45+08:00`},
	{`moment().add(2, 'w').format('YYYY-MM-DD')`, `2024-03-29`},
	{`moment().add(1, 'Q').format('YYYY-MM-DD')`, `2024-06-15`},
	{`moment().add(90, 's').add(500, 'ms').format('HH:mm:ss.SSS')`, `14:32:15.623`},
	{`moment().startOf('day').format()`, `2024-03-15T00:00:00+08:00`},
	{`moment().startOf('week').format('YYYY-MM-DD dddd')`, `2024-03-11 星期一`},
	{`moment('2024-03-17').startOf('week').format('YYYY-MM-DD')`, `2024-03-11`},
	{`moment().startOf('isoWeek').format('YYYY-MM-DD')`, `2024-03-11`},
	{`moment().startOf('month').format()`, `2024-03-01T00:00:00+08:00`},
	{`moment().startOf('year').format()`, `2024-01-01T00:00:00+08:00`},
	{`moment().startOf('quarter').format()`, `2024-01-01T00:00:00+08:00`},
	{`moment().startOf('hour').format()`, `2024-03-15T14:00:00+08:00`},
	{`moment().endOf('day').format('YYYY-MM-DD HH:mm:ss.SSS')`, `2024-03-15 23:59:59.999`},
	{`moment().endOf('month').format('YYYY-MM-DD HH:mm:ss.SSS')`, `2024-03-31 23:59:59.999`},
	{`moment().endOf('week').format('YYYY-MM-DD HH:mm:ss.SSS')`, `2024-03-17 23:59:59.999`},
	{`moment('2024-03-31').diff(moment('2024-02-29'), 'months', true)`, `1`},
	{`moment('2024-03-31').diff(moment('2024-02-29'), 'months')`, `1`},
	{`moment('2024-01-01').diff('2023-06-15', 'years', true)`, `0.5456989247311829`},
	{`moment('2024-01-01').diff('2023-06-15', 'days')`, `200`},
	{`moment('2023-06-15').diff('2024-01-01', 'days')`, `-200`},
	{`moment('2023-06-15').diff('2024-01-01', 'months')`, `-6`},
	{`moment().diff(moment().subtract(90, 'minutes'), 'hours')`, `1`},
	{`moment().diff(moment().subtract(90, 'minutes'), 'hours', true)`, `1.5`},
	{`moment().diff(moment().subtract(3, 'weeks'), 'weeks')`, `3`},
	{`moment().diff(moment().subtract(3, 'days'))`, `259200000`},
	{`moment('2024-05-01').diff('2024-03-15', 'quarters', true)`, `0.5111111111111111`},
	{`moment('2024-01-01').isBefore('2024-01-02')`, `true`},
	{`moment('2024-01-01 10:00').isBefore('2024-01-01 12:00', 'day')`, `false`},
	{`moment('2024-01-02').isAfter('2024-01-01')`, `true`},
	{`moment('2024-01-01 10:00').isSame('2024-01-01 23:00', 'day')`, `true`},
	{`moment('2024-01-01 10:00').isSame('2024-01-01 23:00')`, `false`},
	{`moment('2024-01-01').isSameOrBefore('2024-01-01')`, `true`},
	{`moment('2024-01-01').isSameOrAfter('2024-01-02')`, `false`},
	{`moment('2024-01-05').isBetween('2024-01-01', '2024-01-10')`, `true`},
	{`moment('2024-01-01').isBetween('2024-01-01', '2024-01-10')`, `false`},
	{`moment('2024-01-01').isBetween('2024-01-01', '2024-01-10', null, '[]')`, `true`},
	{`moment('2024-01-10 12:00').isBetween('2024-01-01', '2024-01-10', 'day', '(]')`, `true`},
	{`moment().year() + ' ' + moment().month() + ' ' + moment().date() + ' ' + moment().day() + ' ' + moment().hour() + ' ' + moment().minute() + ' ' + moment().second() + ' ' + moment().millisecond()`, `2024 2 15 5 14 30 45 123`},
	{`moment().weekday() + ' ' + moment().isoWeekday() + ' ' + moment().dayOfYear() + ' ' + moment().week() + ' ' + moment().quarter() + ' ' + moment().daysInMonth()`, `4 5 75 11 1 31`},
	{`moment().year(2020).month(1).date(29).format('YYYY-MM-DD')`, `2020-02-29`},
	{`moment('2024-01-31').month(1).format('YYYY-MM-DD')`, `2024-02-29`},
	{`moment().hour(25).format()`, `2024-03-16T01:30:45+08:00`},
	{`moment().set('hour', 8).set({minute: 0, second: 0}).format()`, `2024-03-15T08:00:00+08:00`},
	{`moment().get('month')`, `2`},
	{`moment().day(0).format('YYYY-MM-DD')`, `2024-03-10`},
	{`moment().day(7).format('YYYY-MM-DD')`, `2024-03-17`},
	{`moment().toISOString()`, `2024-03-15T06:30:45.123Z`},
	{`JSON.stringify({t: moment()})`, `{"t":"2024-03-15T06:30:45.123Z"}`},
	{`moment().toString()`, `Fri Mar 15 2024 14:30:45 GMT+0800`},
	{`moment().toDate().getTime()`, `1710484245123`},
	{`moment().clone().add(1, 'd').isAfter(moment())`, `true`},
	{`moment.isMoment(moment()) + ' ' + moment.isMoment(new Date())`, `true false`},
	{`moment().subtract(30, 's').fromNow()`, `几秒前`},
	{`moment().subtract(44, 's').fromNow()`, `几秒前`},
	{`moment().subtract(45, 's').fromNow()`, `1 分钟前`},
	{`moment().subtract(89, 's').fromNow()`, `1 分钟前`},
	{`moment().subtract(3, 'minutes').fromNow()`, `3 分钟前`},
	{`moment().subtract(44, 'minutes').fromNow()`, `44 分钟前`},
	{`moment().subtract(45, 'minutes').fromNow()`, `1 小时前`},
	{`moment().subtract(3, 'hours').fromNow()`, `3 小时前`},
	{`moment().subtract(21, 'hours').fromNow()`, `21 小时前`},
	{`moment().subtract(22, 'hours').fromNow()`, `1 天前`},
	{`moment().subtract(36, 'hours').fromNow()`, `2 天前`},
	{`moment().subtract(5, 'days').fromNow()`, `5 天前`},
	{`moment().subtract(26, 'days').fromNow()`, `1 个月前`},
	{`moment().subtract(2, 'months').fromNow()`, `2 个月前`},
	{`moment().subtract(11, 'months').fromNow()`, `1 年前`},
	{`moment().subtract(18, 'months').fromNow()`, `2 年前`},
	{`moment().subtract(3, 'years').fromNow()`, `3 年前`},
	{`moment().add(3, 'hours').fromNow()`, `3 小时后`},
	{`moment().add(10, 'days').fromNow()`, `10 天后`},
	{`moment().subtract(3, 'minutes').fromNow(true)`, `3 分钟`},
	{`moment().from(moment().add(40, 's'))`, `几秒前`},
	{`moment().to(moment().add(2, 'days'))`, `2 天后`},
	{`moment().subtract(1, 'd').toNow()`, `1 天后`},
	{`moment.locale()`, `zh-cn`},
	{`moment().locale()`, `zh-cn`},
	{`moment().utcOffset()`, `480`},
	{`moment().utcOffset(0).format()`, `2024-03-15T06:30:45Z`},
	{`moment().utc().format()`, `2024-03-15T06:30:45Z`},
	{`moment.utc('2024-01-02 03:04:05').format()`, `2024-01-02T03:04:05Z`},
	{`moment.utc('2024-01-02 03:04:05').local().format()`, `2024-01-02T11:04:05+08:00`},
	{`moment.duration(90, 'minutes').humanize()`, `2 小时`},
	{`moment.duration(-90, 'minutes').humanize(true)`, `2 小时前`},
	{`moment.duration(2, 'days').asHours()`, `48`},
	{`moment.duration({hours: 1, minutes: 30}).asMinutes()`, `90`},
	{`moment.duration(1, 'month').asDays()`, `30`},
	{`moment.duration(100000000).days() + ' ' + moment.duration(100000000).hours() + ' ' + moment.duration(100000000).minutes() + ' ' + moment.duration(100000000).seconds()`, `1 3 46 40`},
	{`moment.duration(40, 'days').months() + ' ' + moment.duration(40, 'days').days()`, `1 9`},
	{`moment.duration(moment('2024-03-01').diff(moment('2024-01-01'))).asDays()`, `60`},
	{`moment().add(moment.duration(1, 'hour')).format()`, `2024-03-15T15:30:45+08:00`},
	{`moment.max(moment('2024-01-01'), moment('2024-02-01')).format('YYYY-MM-DD')`, `2024-02-01`},
	{`moment.min([moment('2024-01-01'), moment('2024-02-01')]).format('YYYY-MM-DD')`, `2024-01-01`},
	{`moment('2024-01-02 03:04:05').toArray().join()`, `2024,0,2,3,4,5,0`},
	{`moment('2024-02-01').daysInMonth() + ' ' + moment('2024-01-01').isLeapYear()`, `29 true`},
	{`moment(null).isValid()`, `false`},
	{`moment().unix() === Math.floor(moment().valueOf() / 1000)`, `true`},
}

func TestMatchesMoment(t *testing.T) {
	vu := modulestest.New(t, &modules.Env{Now: func() time.Time { return frozenNow }})
	vu.Load(t, "moment", New)
	for _, tt := range nodeVectors {
		t.Run(tt.js, func(t *testing.T) {
			got, err := vu.Run("String(" + tt.js + ")")
			if err != nil {
				t.Fatalf("script failed: %v", err)
			}
			if got.String() != tt.want {
				t.Fatalf("got  %q\nwant %q", got.String(), tt.want)
			}
		})
	}
}

// The clock is Env.Now: moving it moves moment() and fromNow.
func TestClockFromEnv(t *testing.T) {
	now := frozenNow
	vu := modulestest.New(t, &modules.Env{Now: func() time.Time { return now }})
	vu.Load(t, "moment", New)
	vu.MustRun(t, `var then = moment();`)
	now = now.Add(3 * time.Hour)
	got := vu.MustRun(t, `moment().format('HH:mm') + ' ' + then.fromNow()`).String()
	if want := "17:30 3 小时前"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
