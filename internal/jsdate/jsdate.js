// Redefines the local-time members of one VM's Date with the zone `native`
// answers for (jsdate.go). Time values go to native only when they are numbers.
(function (global, native) {
  'use strict';
  var D = global.Date, P = D.prototype;
  var getTime = P.getTime, setTime = P.setTime;
  var origParse = D.parse, UTC = D.UTC;

  function tv(d) { return getTime.call(d); } // throws for a receiver that is not a Date
  function define(obj, name, value) {
    Object.defineProperty(obj, name, { value: value, writable: true, configurable: true, enumerable: false });
  }
  function method(name, length, fn) {
    Object.defineProperty(fn, 'name', { value: name });
    Object.defineProperty(fn, 'length', { value: length });
    define(P, name, fn);
  }

  ['FullYear', 'Month', 'Date', 'Day', 'Hours', 'Minutes', 'Seconds', 'Milliseconds'].forEach(function (f) {
    var getUTC = P['getUTC' + f];
    method('get' + f, 0, function () {
      var t = tv(this);
      return t !== t ? NaN : getUTC.call(new D(t + native.offset(t)));
    });
  });
  method('getYear', 0, function () {
    var t = tv(this);
    return t !== t ? NaN : P.getUTCFullYear.call(new D(t + native.offset(t))) - 1900;
  });
  method('getTimezoneOffset', 0, function () {
    var t = tv(this);
    return t !== t ? NaN : -native.offset(t) / 60000;
  });

  // A local setter sets the UTC fields of the wall time, then finds the instant
  // that wall time is in the zone.
  [['Milliseconds', 1], ['Seconds', 2], ['Minutes', 3], ['Hours', 4], ['Date', 1], ['Month', 2], ['FullYear', 3]].forEach(function (fl) {
    var f = fl[0], setUTC = P['setUTC' + f];
    method('set' + f, fl[1], function () {
      var t = tv(this), w;
      if (t !== t) {
        if (f !== 'FullYear') return NaN; // an invalid date stays invalid
        w = 0;                            // setFullYear starts from +0
      } else {
        w = t + native.offset(t);
      }
      var s = new D(w);
      setUTC.apply(s, arguments);
      var nw = tv(s);
      return setTime.call(this, nw !== nw ? NaN : native.wallToUTC(nw));
    });
  });

  ['toString', 'toDateString', 'toTimeString', 'toLocaleString', 'toLocaleDateString', 'toLocaleTimeString'].forEach(function (name, kind) {
    method(name, 0, function () {
      var t = tv(this);
      return t !== t ? 'Invalid Date' : native.format(t, kind);
    });
  });

  function parse(s) {
    var str = String(s);
    return native.parse(str, origParse(str));
  }

  // toPrimitive is ECMAScript's ToPrimitive with no hint, as new Date(value) uses it.
  function toPrimitive(v) {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v;
    var exotic = v[Symbol.toPrimitive];
    if (exotic !== undefined && exotic !== null) return exotic.call(v, 'default');
    var p = v.valueOf();
    if (p === null || (typeof p !== 'object' && typeof p !== 'function')) return p;
    return String(v);
  }

  function isDate(v) {
    try { getTime.call(v); return true; } catch (e) { return false; }
  }

  function Date(year, month, day, hours, minutes, seconds, ms) {
    if (new.target === undefined) return P.toString.call(new D(D.now()));
    var n = arguments.length, args;
    if (n === 0) {
      args = [];
    } else if (n === 1) {
      var v = year;
      if (isDate(v)) {
        args = [v];
      } else {
        v = toPrimitive(v);
        args = [typeof v === 'string' ? parse(v) : v];
      }
    } else {
      var w = UTC.apply(null, arguments);
      args = [w !== w ? NaN : native.wallToUTC(w)];
    }
    return Reflect.construct(D, args, new.target);
  }
  Object.defineProperty(Date, 'length', { value: 7 });
  Object.defineProperty(Date, 'prototype', { value: P, writable: false, enumerable: false, configurable: false });
  define(P, 'constructor', Date);
  define(Date, 'now', D.now);
  define(Date, 'UTC', UTC);
  Object.defineProperty(parse, 'length', { value: 1 });
  define(Date, 'parse', parse);
  define(global, 'Date', Date);
})
