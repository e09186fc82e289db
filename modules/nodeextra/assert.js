// Node's assert module (legacy and strict modes), messages as Node 16 words them
// for the common cases. inspect is util.inspect.
(function (inspect) {
  'use strict';
  var kOpts = { compact: false, customInspect: false, depth: 1000, maxArrayLength: Infinity, sorted: true, getters: true };
  var readable = {
    deepStrictEqual: 'Expected values to be strictly deep-equal:',
    strictEqual: 'Expected values to be strictly equal:',
    strictEqualObject: 'Expected "actual" to be reference-equal to "expected":',
    deepEqual: 'Expected values to be loosely deep-equal:',
    notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:',
    notStrictEqual: 'Expected "actual" to be strictly unequal to:',
    notStrictEqualObject: 'Expected "actual" not to be reference-equal to "expected":',
    notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
    notIdentical: 'Values identical but not reference-equal:',
    notDeepEqualUnequal: 'Expected values not to be loosely deep-equal:',
  };

  function show(v) { return inspect(v, kOpts); }

  function diffMessage(actual, expected, operator) {
    var a = show(actual).split('\n');
    var e = show(expected).split('\n');
    var header = readable[operator];
    if (operator === 'strictEqual' && ((typeof actual === 'object' && actual !== null && typeof expected === 'object' && expected !== null) ||
      (typeof actual === 'function' && typeof expected === 'function'))) {
      operator = 'strictEqualObject';
    }
    var indicator = '';
    if (a.length === 1 && e.length === 1 && a[0] !== e[0]) {
      var len = a[0].length + e[0].length;
      if (len <= 12) {
        if ((typeof actual !== 'object' || actual === null) && (typeof expected !== 'object' || expected === null) && (actual !== 0 || expected !== 0)) {
          return header + '\n\n' + a[0] + ' !== ' + e[0] + '\n';
        }
      } else if (operator !== 'strictEqualObject' && len < 80) {
        var i = 0;
        while (a[0][i] === e[0][i]) i++;
        if (i > 2) indicator = '\n  ' + new Array(i + 1).join(' ') + '^';
      }
    }
    if (a.join('\n') === e.join('\n')) {
      return 'Values have same structure but are not reference-equal:\n\n' + a.join('\n') + '\n';
    }
    var out = [];
    var n = Math.max(a.length, e.length);
    for (var k = 0; k < n; k++) {
      if (k < a.length && k < e.length && a[k] === e[k]) out.push('  ' + a[k]);
      else {
        if (k < a.length) out.push('+ ' + a[k]);
        if (k < e.length) out.push('- ' + e[k]);
      }
    }
    return header + '\n+ actual - expected\n\n' + out.join('\n') + indicator;
  }

  function AssertionError(options) {
    var message = options.message;
    var generated = message === undefined;
    if (generated) {
      var op = options.operator;
      if (op === 'deepStrictEqual' || op === 'strictEqual') {
        message = diffMessage(options.actual, options.expected, op);
      } else if (op === 'deepEqual') {
        message = readable.deepEqual + '\n\n' + show(options.actual) + '\n\nshould loosely deep-equal\n\n' + show(options.expected);
      } else if (op === 'notStrictEqual' || op === 'notDeepStrictEqual' || op === 'notDeepEqual') {
        var lines = show(options.actual).split('\n');
        var key = op;
        if (op === 'notStrictEqual' && typeof options.actual === 'object' && options.actual !== null) key = 'notStrictEqualObject';
        message = lines.length === 1 && op === 'notStrictEqual' ? readable[key] + ' ' + lines[0] : readable[key] + '\n\n' + lines.join('\n') + '\n';
      } else {
        message = show(options.actual) + ' ' + op + ' ' + show(options.expected);
      }
    } else if (message instanceof Error) {
      throw message;
    }
    var err = new Error(String(message));
    Object.setPrototypeOf(err, AssertionError.prototype);
    err.generatedMessage = generated;
    err.code = 'ERR_ASSERTION';
    err.actual = options.actual;
    err.expected = options.expected;
    err.operator = options.operator;
    return err;
  }
  AssertionError.prototype = Object.create(Error.prototype, {
    constructor: { value: AssertionError, writable: true, configurable: true },
    name: { value: 'AssertionError', writable: true, configurable: true },
  });
  AssertionError.prototype.toString = function () { return 'AssertionError [ERR_ASSERTION]: ' + this.message; };

  function fail(actual, expected, message, operator) {
    throw new AssertionError({ actual: actual, expected: expected, message: message, operator: operator });
  }

  function isObjectLike(v) { return v !== null && (typeof v === 'object' || typeof v === 'function'); }

  function deepEqual(a, b, strict, seen) {
    if (strict ? Object.is(a, b) : (a == b || (a !== a && b !== b))) return true; // eslint-disable-line eqeqeq
    if (!isObjectLike(a) || !isObjectLike(b)) {
      return !strict && !isObjectLike(a) && !isObjectLike(b) ? a == b : false; // eslint-disable-line eqeqeq
    }
    if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    var ta = Object.prototype.toString.call(a);
    if (ta !== Object.prototype.toString.call(b)) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (a instanceof Date) { if (a.getTime() !== b.getTime()) return false; }
    else if (a instanceof RegExp) { if (String(a) !== String(b) || a.lastIndex !== b.lastIndex) return false; }
    else if (a instanceof Error) { if (a.message !== b.message || a.name !== b.name) return false; }
    else if (ArrayBuffer.isView(a)) {
      if (a.length !== b.length) return false;
      for (var i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && !(!strict && a[i] == b[i])) return false; // eslint-disable-line eqeqeq
    } else if (typeof a === 'object' && (a instanceof Number || a instanceof String || a instanceof Boolean)) {
      if (!Object.is(a.valueOf(), b.valueOf())) return false;
    }
    seen = seen || [];
    for (var s = 0; s < seen.length; s++) if (seen[s][0] === a && seen[s][1] === b) return true;
    seen.push([a, b]);
    if (a instanceof Map) {
      if (a.size !== b.size) return false;
      var ok = true;
      a.forEach(function (v, k) { if (!b.has(k) || !deepEqual(v, b.get(k), strict, seen)) ok = false; });
      if (!ok) return false;
    } else if (a instanceof Set) {
      if (a.size !== b.size) return false;
      var okSet = true;
      a.forEach(function (v) {
        if (b.has(v)) return;
        var found = false;
        b.forEach(function (w) { if (!found && deepEqual(v, w, strict, seen)) found = true; });
        if (!found) okSet = false;
      });
      if (!okSet) return false;
    }
    var ka = Object.keys(a);
    var kb = Object.keys(b);
    if (ArrayBuffer.isView(a)) { ka = ka.filter(function (k) { return !/^\d+$/.test(k); }); kb = kb.filter(function (k) { return !/^\d+$/.test(k); }); }
    if (ka.length !== kb.length) return false;
    for (var j = 0; j < ka.length; j++) {
      if (!Object.prototype.hasOwnProperty.call(b, ka[j])) return false;
      if (!deepEqual(a[ka[j]], b[ka[j]], strict, seen)) return false;
    }
    if (strict) {
      var sa = Object.getOwnPropertySymbols(a).filter(function (x) { return Object.prototype.propertyIsEnumerable.call(a, x); });
      var sb = Object.getOwnPropertySymbols(b).filter(function (x) { return Object.prototype.propertyIsEnumerable.call(b, x); });
      if (sa.length !== sb.length) return false;
      for (var q = 0; q < sa.length; q++) if (!deepEqual(a[sa[q]], b[sa[q]], strict, seen)) return false;
    }
    return true;
  }

  function innerOk(fn, argLen, value, message) {
    if (!value) {
      var generated = false;
      if (argLen === 0) {
        generated = true;
        message = 'No value argument passed to `assert.ok()`';
      } else if (message === undefined) {
        generated = true;
        message = 'The expression evaluated to a falsy value:\n\n  assert' + (fn === assert.ok ? '.ok' : '') + '(' + show(value) + ')\n';
      } else if (message instanceof Error) {
        throw message;
      }
      var err = new AssertionError({ actual: value, expected: true, message: message, operator: '==' });
      err.generatedMessage = generated;
      throw err;
    }
  }

  function assert(value, message) { innerOk(assert, arguments.length, value, message); }
  assert.ok = function ok(value, message) { innerOk(ok, arguments.length, value, message); };
  assert.AssertionError = AssertionError;
  assert.fail = function (actual, expected, message, operator) {
    if (arguments.length === 0) message = 'Failed';
    else if (arguments.length === 1) { message = actual; actual = undefined; }
    if (message instanceof Error) throw message;
    var err = new AssertionError({ actual: actual, expected: expected, operator: operator === undefined ? 'fail' : operator, message: message });
    err.generatedMessage = arguments.length === 0;
    throw err;
  };
  assert.equal = function (a, b, m) { if (!(a == b || (a !== a && b !== b))) fail(a, b, m, '=='); }; // eslint-disable-line eqeqeq
  assert.notEqual = function (a, b, m) { if (a == b || (a !== a && b !== b)) fail(a, b, m, '!='); }; // eslint-disable-line eqeqeq
  assert.strictEqual = function (a, b, m) { if (!Object.is(a, b)) fail(a, b, m, 'strictEqual'); };
  assert.notStrictEqual = function (a, b, m) { if (Object.is(a, b)) fail(a, b, m, 'notStrictEqual'); };
  assert.deepEqual = function (a, b, m) { if (!deepEqual(a, b, false)) fail(a, b, m, 'deepEqual'); };
  assert.notDeepEqual = function (a, b, m) { if (deepEqual(a, b, false)) fail(a, b, m, 'notDeepEqual'); };
  assert.deepStrictEqual = function (a, b, m) { if (!deepEqual(a, b, true)) fail(a, b, m, 'deepStrictEqual'); };
  assert.notDeepStrictEqual = function (a, b, m) { if (deepEqual(a, b, true)) fail(a, b, m, 'notDeepStrictEqual'); };
  assert.ifError = function (err) {
    if (err === null || err === undefined) return;
    var message = 'ifError got unwanted exception: ';
    message += typeof err === 'object' && typeof err.message === 'string' ? (err.message.length === 0 && err.constructor ? err.constructor.name : err.message) : show(err);
    var e = new AssertionError({ actual: err, expected: null, operator: 'ifError', message: message });
    e.generatedMessage = false;
    throw e;
  };
  function matches(re, string, message, fnName, negate) {
    if (!(re instanceof RegExp)) {
      var te = new TypeError('The "regexp" argument must be an instance of RegExp. Received ' + show(re));
      te.code = 'ERR_INVALID_ARG_TYPE';
      throw te;
    }
    if (typeof string !== 'string' || re.test(string) === negate) {
      if (message instanceof Error) throw message;
      var generated = !message;
      message = message || (typeof string !== 'string' ?
        'The "string" argument must be of type string. Received type ' + typeof string + ' (' + show(string) + ')' :
        (negate ? 'The input was expected to not match the regular expression ' : 'The input did not match the regular expression ') +
        show(re) + '. Input:\n\n' + show(string) + '\n');
      var err = new AssertionError({ actual: string, expected: re, message: message, operator: fnName });
      err.generatedMessage = generated;
      throw err;
    }
  }
  assert.match = function (s, re, m) { matches(re, s, m, 'match', false); };
  assert.doesNotMatch = function (s, re, m) { matches(re, s, m, 'doesNotMatch', true); };

  var NO_EXCEPTION = {};
  function getActual(fn) {
    if (typeof fn !== 'function') {
      var e = new TypeError('The "fn" argument must be of type function. Received ' + show(fn));
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
    try { fn(); } catch (err) { return err; }
    return NO_EXCEPTION;
  }
  function expectedMatches(actual, expected, message, fnName) {
    if (expected === undefined) return;
    if (expected instanceof RegExp) {
      if (expected.test(String(actual))) return;
      throw message instanceof Error ? message : new AssertionError({ actual: actual, expected: expected, operator: fnName,
        message: message || 'The input did not match the regular expression ' + show(expected) + '. Input:\n\n' + show(String(actual)) + '\n' });
    }
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && actual instanceof expected) return;
      if (Error.isPrototypeOf(expected) || expected === Error) {
        if (message instanceof Error) throw message;
        var generated = !message;
        var msg = message;
        if (!msg) {
          msg = 'The error is expected to be an instance of "' + expected.name + '". Received ';
          if (actual instanceof Error) msg += '"' + (actual.constructor && actual.constructor.name) + '"';
          else msg += '"' + show(actual) + '"';
          if (actual && actual.message) msg += '\n\nError message:\n\n' + actual.message;
        }
        var ae = new AssertionError({ actual: actual, expected: expected, operator: fnName, message: msg });
        ae.generatedMessage = generated;
        throw ae;
      }
      if (expected.call({}, actual) === true) return;
      throw message instanceof Error ? message : new AssertionError({ actual: actual, expected: expected, operator: fnName,
        message: message || 'The ' + (expected.name ? '"' + expected.name + '" ' : '') + 'validation function is expected to return "true". Received ' + show(expected.call({}, actual)) });
    }
    if (typeof expected === 'object' && expected !== null) {
      Object.keys(expected).forEach(function (k) {
        var want = expected[k];
        var got = actual === null || actual === undefined ? undefined : actual[k];
        if (want instanceof RegExp && typeof got === 'string' ? !want.test(got) : !deepEqual(got, want, true)) {
          throw message instanceof Error ? message : new AssertionError({ actual: actual, expected: expected, operator: fnName,
            message: message || diffMessage(pick(actual, expected), expected, 'deepStrictEqual') });
        }
      });
    }
  }
  function pick(actual, expected) {
    var o = {};
    Object.keys(expected).forEach(function (k) { o[k] = actual[k]; });
    return o;
  }
  function missing(expected, message, fnName) {
    var details = '';
    if (typeof expected === 'function' && expected.name) details += ' (' + expected.name + ')';
    details += message ? ': ' + message : '.';
    var err = new AssertionError({ actual: undefined, expected: expected, operator: fnName, message: 'Missing expected ' + (fnName === 'rejects' ? 'rejection' : 'exception') + details });
    err.generatedMessage = false;
    throw err;
  }
  assert.throws = function (fn, expected, message) {
    if (typeof expected === 'string') { message = expected; expected = undefined; }
    var actual = getActual(fn);
    if (actual === NO_EXCEPTION) missing(expected, message, 'throws');
    expectedMatches(actual, expected, message, 'throws');
  };
  assert.doesNotThrow = function (fn, expected, message) {
    if (typeof expected === 'string') { message = expected; expected = undefined; }
    var actual = getActual(fn);
    if (actual === NO_EXCEPTION) return;
    if (expected === undefined || (typeof expected === 'function' && actual instanceof expected)) {
      var details = message ? ': ' + message : '.';
      var err = new AssertionError({ actual: actual, expected: expected, operator: 'doesNotThrow',
        message: 'Got unwanted exception' + details + '\nActual message: "' + (actual && actual.message) + '"' });
      err.generatedMessage = false;
      throw err;
    }
    throw actual;
  };
  assert.rejects = function (promiseFn, expected, message) {
    if (typeof expected === 'string') { message = expected; expected = undefined; }
    return Promise.resolve().then(function () {
      return typeof promiseFn === 'function' ? promiseFn() : promiseFn;
    }).then(function () { missing(expected, message, 'rejects'); }, function (actual) {
      expectedMatches(actual, expected, message, 'rejects');
    });
  };
  assert.doesNotReject = function (promiseFn, expected, message) {
    return Promise.resolve().then(function () {
      return typeof promiseFn === 'function' ? promiseFn() : promiseFn;
    }).then(function () { }, function (actual) {
      var err = new AssertionError({ actual: actual, expected: expected, operator: 'doesNotReject',
        message: 'Got unwanted rejection.\nActual message: "' + (actual && actual.message) + '"' });
      err.generatedMessage = false;
      throw err;
    });
  };
  assert.strict = function strict(value, message) { innerOk(strict, arguments.length, value, message); };
  Object.keys(assert).forEach(function (k) { if (k !== 'strict') assert.strict[k] = assert[k]; });
  assert.strict.equal = assert.strictEqual;
  assert.strict.notEqual = assert.notStrictEqual;
  assert.strict.deepEqual = assert.deepStrictEqual;
  assert.strict.notDeepEqual = assert.notDeepStrictEqual;
  assert.strict.strict = assert.strict;
  return assert;
})
