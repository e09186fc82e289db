// Intl and the toLocale*String methods, over the Go side (golang.org/x/text for
// numbers, collation and plural rules; date patterns for zh-CN, zh-TW, en-US).
(function (global, native) {
  'use strict';
  var kHandle = Symbol('handle');
  function joinParts(parts) {
    var s = '';
    for (var i = 0; i < parts.length; i++) s += parts[i].value;
    return s;
  }

  function notAvailable(name) {
    var C = function () { throw new Error('Intl.' + name + ' is not available in bmobemu (provided: NumberFormat, DateTimeFormat, Collator, PluralRules)'); };
    Object.defineProperty(C, 'name', { value: name });
    C.supportedLocalesOf = function () { return C(); };
    return C;
  }

  function supportedLocalesOf(locales) {
    return native.canonicalLocales(locales).filter(function (l) { return /^(en|zh)(-|$)/.test(l); });
  }

  function handle(obj, ctor) {
    if (!obj || !obj[kHandle]) throw new TypeError('Method Intl.' + ctor + ' called on incompatible receiver ' + String(obj));
    return obj[kHandle];
  }

  // The Intl object is built on first read of the global; the toLocale*String
  // methods below work without it.
  function buildIntl() {
  function NumberFormat(locales, options) {
    if (!(this instanceof NumberFormat)) return new NumberFormat(locales, options);
    this[kHandle] = native.numberFormat(locales, options);
  }
  Object.defineProperty(NumberFormat.prototype, 'format', {
    get: function () {
      var h = handle(this, 'NumberFormat.prototype.format');
      return function (x) { return h.format(Number(x)); };
    }, configurable: true,
  });
  NumberFormat.prototype.resolvedOptions = function () { return handle(this, 'NumberFormat.prototype.resolvedOptions').resolved(); };
  NumberFormat.supportedLocalesOf = supportedLocalesOf;
  Object.defineProperty(NumberFormat.prototype, Symbol.toStringTag, { value: 'Intl.NumberFormat', configurable: true });

  function DateTimeFormat(locales, options) {
    if (!(this instanceof DateTimeFormat)) return new DateTimeFormat(locales, options);
    this[kHandle] = native.dateTimeFormat(locales, options, 'any', 'date');
  }
  function toMillis(date) {
    var ms = date === undefined ? Date.now() : Number(date instanceof Date ? date.getTime() : date);
    if (!isFinite(ms)) throw new RangeError('Invalid time value');
    return ms;
  }
  Object.defineProperty(DateTimeFormat.prototype, 'format', {
    get: function () {
      var h = handle(this, 'DateTimeFormat.prototype.format');
      return function (date) { return joinParts(h.parts(toMillis(date))); };
    }, configurable: true,
  });
  DateTimeFormat.prototype.formatToParts = function (date) { return handle(this, 'DateTimeFormat.prototype.formatToParts').parts(toMillis(date)); };
  DateTimeFormat.prototype.resolvedOptions = function () { return handle(this, 'DateTimeFormat.prototype.resolvedOptions').resolved(); };
  DateTimeFormat.supportedLocalesOf = supportedLocalesOf;
  Object.defineProperty(DateTimeFormat.prototype, Symbol.toStringTag, { value: 'Intl.DateTimeFormat', configurable: true });

  function Collator(locales, options) {
    if (!(this instanceof Collator)) return new Collator(locales, options);
    this[kHandle] = native.collator(locales, options);
  }
  Object.defineProperty(Collator.prototype, 'compare', {
    get: function () {
      var h = handle(this, 'Collator.prototype.compare');
      return function (a, b) { return h.compare(String(a), String(b)); };
    }, configurable: true,
  });
  Collator.prototype.resolvedOptions = function () { return handle(this, 'Collator.prototype.resolvedOptions').resolved(); };
  Collator.supportedLocalesOf = supportedLocalesOf;
  Object.defineProperty(Collator.prototype, Symbol.toStringTag, { value: 'Intl.Collator', configurable: true });

  function PluralRules(locales, options) {
    if (!(this instanceof PluralRules)) throw new TypeError("Constructor Intl.PluralRules requires 'new'");
    this[kHandle] = native.pluralRules(locales, options);
  }
  PluralRules.prototype.select = function (n) { return handle(this, 'PluralRules.prototype.select').select(Number(n)); };
  PluralRules.prototype.resolvedOptions = function () { return handle(this, 'PluralRules.prototype.resolvedOptions').resolved(); };
  PluralRules.supportedLocalesOf = supportedLocalesOf;
  Object.defineProperty(PluralRules.prototype, Symbol.toStringTag, { value: 'Intl.PluralRules', configurable: true });

  var Intl = {};
  [['NumberFormat', NumberFormat], ['DateTimeFormat', DateTimeFormat], ['Collator', Collator], ['PluralRules', PluralRules],
    ['RelativeTimeFormat', notAvailable('RelativeTimeFormat')], ['ListFormat', notAvailable('ListFormat')],
    ['DisplayNames', notAvailable('DisplayNames')], ['Segmenter', notAvailable('Segmenter')], ['Locale', notAvailable('Locale')],
  ].forEach(function (e) { Object.defineProperty(Intl, e[0], { value: e[1], writable: true, configurable: true }); });
  Object.defineProperty(Intl, 'getCanonicalLocales', { value: function getCanonicalLocales(l) { return native.canonicalLocales(l); }, writable: true, configurable: true });
  Object.defineProperty(Intl, Symbol.toStringTag, { value: 'Intl', configurable: true });
  return Intl;
  }
  var defineIntl = function (v) { Object.defineProperty(global, 'Intl', { value: v, writable: true, configurable: true }); };
  Object.defineProperty(global, 'Intl', {
    get: function () { var v = buildIntl(); defineIntl(v); return v; },
    set: defineIntl,
    configurable: true,
  });

  function method(proto, name, fn) {
    Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
  }

  // The toLocale*String methods, as ECMA-402 defines them over Intl.
  var defaultNumber = null;
  method(Number.prototype, 'toLocaleString', function toLocaleString(locales, options) {
    var x = Number.prototype.valueOf.call(this);
    if (locales === undefined && options === undefined) {
      if (!defaultNumber) defaultNumber = native.numberFormat(undefined, undefined);
      return defaultNumber.format(x);
    }
    return native.numberFormat(locales, options).format(x);
  });
  if (typeof BigInt === 'function') {
    method(BigInt.prototype, 'toLocaleString', function toLocaleString(locales, options) {
      return native.numberFormat(locales, options).formatInteger(BigInt.prototype.toString.call(this));
    });
  }
  var collators = {};
  method(String.prototype, 'localeCompare', function localeCompare(that, locales, options) {
    if (this === null || this === undefined) throw new TypeError('String.prototype.localeCompare called on null or undefined');
    var h;
    if (options === undefined && (locales === undefined || typeof locales === 'string')) {
      var key = locales === undefined ? '' : locales;
      h = collators[key] || (collators[key] = native.collator(locales, undefined));
    } else {
      h = native.collator(locales, options);
    }
    return h.compare(String(this), String(that));
  });
  function dateMethod(name, required, defaults) {
    method(Date.prototype, name, function (locales, options) {
      if (!(this instanceof Date)) throw new TypeError('this is not a Date object.');
      var ms = this.getTime();
      if (isNaN(ms)) return 'Invalid Date';
      return joinParts(native.dateTimeFormat(locales, options, required, defaults).parts(ms));
    });
  }
  dateMethod('toLocaleString', 'any', 'all');
  dateMethod('toLocaleDateString', 'date', 'date');
  dateMethod('toLocaleTimeString', 'time', 'time');
  // goja's upper/lower casing ignores the locale, as ICU does for en and zh.
  method(String.prototype, 'toLocaleUpperCase', String.prototype.toUpperCase);
  method(String.prototype, 'toLocaleLowerCase', String.prototype.toLowerCase);
  method(Array.prototype, 'toLocaleString', function toLocaleString(locales, options) {
    var out = [];
    for (var i = 0; i < this.length; i++) {
      var v = this[i];
      out.push(v === null || v === undefined ? '' : v.toLocaleString(locales, options));
    }
    return out.join(',');
  });
  return global;
})
