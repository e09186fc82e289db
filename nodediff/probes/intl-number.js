// Number formatting: Intl.NumberFormat and Number#toLocaleString.
var values = [0, -0, 1, 12.5, 1234.5, 1234567.891, -9876.54321, 0.0005, 1.0005, 2.5, 0.125, 1e21, 123456789012, NaN, Infinity, -Infinity];
['zh-CN', 'zh-TW', 'en-US', undefined, 'und', 'zh', 'en'].forEach(function (l) {
  values.forEach(function (v) {
    show('toLocaleString ' + l + ' ' + v, function () { return v.toLocaleString(l); });
  });
});
// Other locales: separators and NaN from x/text's CLDR data, patterns as en-US.
[12.5, 1234.5, NaN].forEach(function (v) {
  show('toLocaleString fr-FR ' + v, function () { return v.toLocaleString('fr-FR'); });
  show('toLocaleString de-DE ' + v, function () { return v.toLocaleString('de-DE'); });
});
show('issue example', function () { return (1234567.891).toLocaleString('zh-CN'); });
[['zh-CN', 'CNY'], ['en-US', 'CNY'], ['en-US', 'USD'], ['zh-CN', 'USD'], ['zh-TW', 'TWD'], ['zh-TW', 'CNY'], ['en-US', 'JPY'], ['zh-CN', 'EUR'], ['en-US', 'EUR']].forEach(function (p) {
  show('currency ' + p.join(' '), function () { return new Intl.NumberFormat(p[0], { style: 'currency', currency: p[1] }).format(-1234.565); });
  show('currency small ' + p.join(' '), function () { return new Intl.NumberFormat(p[0], { style: 'currency', currency: p[1] }).format(0.1 + 0.2); });
});
show('currency code', function () { return new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY', currencyDisplay: 'code' }).format(12); });
show('currency narrow', function () { return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol' }).format(12); });
show('currency lower case', function () { return new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'cny' }).format(1); });
show('currency missing', function () { return new Intl.NumberFormat('zh-CN', { style: 'currency' }); });
show('currency invalid', function () { return new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'XX' }); });
show('percent', function () { return new Intl.NumberFormat('zh-CN', { style: 'percent' }).format(0.256); });
show('percent digits', function () { return new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1 }).format(0.25678); });
show('fixed 2', function () { return new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(1234.5); });
show('max 0', function () { return new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(2.5); });
show('max 0 neg', function () { return new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(-2.5); });
show('min 4', function () { return (1.5).toLocaleString('en-US', { minimumFractionDigits: 4 }); });
show('min int', function () { return (5).toLocaleString('en-US', { minimumIntegerDigits: 3 }); });
show('no grouping', function () { return (1234567.5).toLocaleString('zh-CN', { useGrouping: false }); });
show('significant', function () { return new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 }).format(123456); });
show('significant small', function () { return new Intl.NumberFormat('en-US', { maximumSignificantDigits: 2 }).format(0.012345); });
show('significant min', function () { return new Intl.NumberFormat('en-US', { minimumSignificantDigits: 5 }).format(1.5); });
show('bad digits', function () { return new Intl.NumberFormat('en-US', { maximumFractionDigits: 50 }); });
show('min > max', function () { return new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 1 }); });
show('format is bound', function () { return [1000, 2000].map(new Intl.NumberFormat('en-US').format); });
show('format string', function () { return new Intl.NumberFormat('en-US').format('1234.5'); });
show('without new', function () { return Intl.NumberFormat('en-US').format(1e6); });
show('resolvedOptions', function () { var o = new Intl.NumberFormat('zh-CN').resolvedOptions(); return [o.locale, o.style, o.minimumFractionDigits, o.maximumFractionDigits, o.numberingSystem]; });
show('resolvedOptions currency', function () { var o = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'JPY' }).resolvedOptions(); return [o.currency, o.minimumFractionDigits, o.maximumFractionDigits]; });
show('bad locale', function () { return (1).toLocaleString('not a locale!'); });
show('array locales', function () { return (1234.5).toLocaleString(['zh-CN', 'en-US']); });
show('bigint', function () { return (12345678901234567890n).toLocaleString('en-US'); });
show('toFixed then locale', function () { return Number((19.999).toFixed(2)).toLocaleString('zh-CN', { minimumFractionDigits: 2 }); });
show('array toLocaleString', function () { return [1234.5, 'x', null, 6789].toLocaleString('zh-CN'); });
