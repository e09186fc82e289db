// Collator, localeCompare, PluralRules and the rest of Intl.
var names = ['张三', '李四', '王五', '赵六', '阿强', 'Bob', 'alice', 'Émile', 'zoe', '10', '9', 'a2', 'a10'];
['zh-CN', 'zh-TW', 'en-US', undefined].forEach(function (l) {
  show('sort ' + l, function () { return names.slice().sort(new Intl.Collator(l).compare); });
  show('localeCompare sort ' + l, function () { return names.slice().sort(function (a, b) { return a.localeCompare(b, l); }); });
});
show('numeric', function () { return ['a10', 'a2', 'a1'].sort(new Intl.Collator('en-US', { numeric: true }).compare); });
show('base sensitivity', function () { return new Intl.Collator('en-US', { sensitivity: 'base' }).compare('a', 'Á'); });
show('accent sensitivity', function () { return new Intl.Collator('en-US', { sensitivity: 'accent' }).compare('a', 'A'); });
show('variant', function () { return new Intl.Collator('en-US').compare('a', 'A'); });
show('localeCompare basic', function () { return ['a'.localeCompare('b'), 'b'.localeCompare('a'), 'a'.localeCompare('a')]; });
show('localeCompare zh', function () { return '中'.localeCompare('国', 'zh-CN'); });
show('localeCompare options', function () { return 'ä'.localeCompare('a', 'en', { sensitivity: 'base' }); });
show('collator resolved', function () { var o = new Intl.Collator('zh-CN').resolvedOptions(); return [o.locale, o.usage, o.sensitivity, o.numeric]; });
[0, 1, 2, 3, 4, 11, 21, 1.5, 1.0].forEach(function (n) {
  show('plural en ' + n, function () { return new Intl.PluralRules('en-US').select(n); });
  show('plural en ordinal ' + n, function () { return new Intl.PluralRules('en-US', { type: 'ordinal' }).select(n); });
  show('plural zh ' + n, function () { return new Intl.PluralRules('zh-CN').select(n); });
});
show('plural min fraction', function () { return new Intl.PluralRules('en-US', { minimumFractionDigits: 1 }).select(1); });
show('plural without new', function () { return Intl.PluralRules('en'); });
show('getCanonicalLocales', function () { return Intl.getCanonicalLocales(['ZH-cn', 'en-us']); });
show('getCanonicalLocales bad', function () { return Intl.getCanonicalLocales('x y'); });
show('supportedLocalesOf', function () { return Intl.NumberFormat.supportedLocalesOf(['zh-CN', 'en-US']); });
show('toStringTag', function () { return [Object.prototype.toString.call(Intl), Object.prototype.toString.call(new Intl.NumberFormat())]; });
show('toLocaleUpperCase', function () { return 'abc'.toLocaleUpperCase('zh-CN'); });
