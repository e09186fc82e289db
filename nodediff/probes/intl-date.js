// Dates formatted for Chinese and US users; TZ is Asia/Shanghai.
var dates = [new Date(Date.UTC(2026, 11, 5, 11, 7, 17)), new Date(Date.UTC(2024, 0, 1, 16, 0, 5)), new Date(Date.UTC(2024, 1, 29, 4, 30, 0)), new Date(0)];
var locales = ['zh-CN', 'zh-TW', 'en-US', undefined, 'und'];
dates.forEach(function (d, i) {
  locales.forEach(function (l) {
    show('d' + i + ' ' + l + ' toLocaleString', function () { return d.toLocaleString(l); });
    show('d' + i + ' ' + l + ' toLocaleDateString', function () { return d.toLocaleDateString(l); });
    show('d' + i + ' ' + l + ' toLocaleTimeString', function () { return d.toLocaleTimeString(l); });
    show('d' + i + ' ' + l + ' DateTimeFormat', function () { return new Intl.DateTimeFormat(l).format(d); });
  });
});
var d = dates[0];
var optionSets = {
  '2-digit date': { year: 'numeric', month: '2-digit', day: '2-digit' },
  '2-digit all': { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' },
  'hour12 false': { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false },
  'long month': { year: 'numeric', month: 'long', day: 'numeric' },
  'short month': { year: 'numeric', month: 'short', day: 'numeric' },
  'weekday long': { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' },
  'weekday only': { weekday: 'long' },
  'weekday short': { weekday: 'short' },
  'month long only': { month: 'long' },
  'month day': { month: 'long', day: 'numeric' },
  'year month': { year: 'numeric', month: 'long' },
  'numeric month day': { month: 'numeric', day: 'numeric' },
  'year only': { year: 'numeric' },
  'hour minute': { hour: '2-digit', minute: '2-digit' },
  'hour minute h23': { hour: '2-digit', minute: '2-digit', hour12: false },
  'hour minute h12': { hour: 'numeric', minute: '2-digit', hour12: true },
  'UTC': { timeZone: 'UTC' },
  'UTC time': { timeZone: 'UTC', hour: 'numeric', minute: 'numeric' },
  'Tokyo': { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' },
  'dateStyle full': { dateStyle: 'full' },
  'dateStyle long': { dateStyle: 'long' },
  'dateStyle medium': { dateStyle: 'medium' },
  'dateStyle short': { dateStyle: 'short' },
  'timeStyle short': { timeStyle: 'short' },
  'timeStyle medium': { timeStyle: 'medium' },
  'both short': { dateStyle: 'short', timeStyle: 'short' },
  'both medium': { dateStyle: 'medium', timeStyle: 'medium' },
  'both long date': { dateStyle: 'long', timeStyle: 'short' },
};
Object.keys(optionSets).forEach(function (k) {
  ['zh-CN', 'zh-TW', 'en-US'].forEach(function (l) {
    show(k + ' ' + l, function () { return new Intl.DateTimeFormat(l, optionSets[k]).format(d); });
  });
});
show('en-US timeStyle full', function () { return d.toLocaleTimeString('en-US', { timeStyle: 'full' }); });
show('zh-CN timeStyle full', function () { return d.toLocaleTimeString('zh-CN', { timeStyle: 'full' }); });
show('en-US timeStyle long', function () { return d.toLocaleTimeString('en-US', { timeStyle: 'long' }); });
show('toLocaleDateString with time options', function () { return d.toLocaleDateString('zh-CN', { hour: 'numeric' }); });
show('toLocaleTimeString with date options', function () { return d.toLocaleTimeString('en-US', { year: 'numeric' }); });
show('bad time zone', function () { return d.toLocaleString('zh-CN', { timeZone: 'Mars/Base' }); });
show('bad option value', function () { return new Intl.DateTimeFormat('zh-CN', { month: 'big' }); });
show('style and field', function () { return new Intl.DateTimeFormat('zh-CN', { dateStyle: 'short', year: 'numeric' }); });
show('format number', function () { return new Intl.DateTimeFormat('en-US').format(0); });
show('format invalid', function () { return new Intl.DateTimeFormat('en-US').format(new Date(NaN)); });
show('invalid toLocaleString', function () { return new Date(NaN).toLocaleString('zh-CN'); });
show('resolvedOptions', function () { return new Intl.DateTimeFormat().resolvedOptions(); });
show('resolvedOptions zh hour', function () { return new Intl.DateTimeFormat('zh-CN', { hour: 'numeric', minute: 'numeric' }).resolvedOptions(); });
show('time zone of the machine', function () { return Intl.DateTimeFormat().resolvedOptions().timeZone; });
show('formatToParts', function () { return new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(d); });
show('formatToParts en time', function () { return new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit' }).formatToParts(d); });
show('build yyyy-mm-dd from parts', function () {
  var p = {}; new Intl.DateTimeFormat('en-US', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' }).formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
  return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute + ':' + p.second;
});
