// The handler test API of `bmobemu test`, built on the runner's natives (n).
// It runs once per test file's VM, before the file.
(function (n, g) {
  'use strict';
  function AssertionError(message, diff) {
    var e = new Error(message);
    e.name = 'AssertionError';
    if (diff) e.diff = diff;
    return e;
  }
  function label(msg, what) { return msg ? msg + ': ' + what : what; }

  function register(mode) {
    return function (name, fn) {
      if (typeof name !== 'string' || typeof fn !== 'function') throw new TypeError('test(name, fn): a name and a function');
      n.register(name, fn, mode);
    };
  }
  var test = register('');
  test.only = register('only');
  test.skip = register('skip');
  g.test = test;
  g.it = test;
  g.beforeEach = function (fn) { n.hook('before', fn); };
  g.afterEach = function (fn) { n.hook('after', fn); };
  g.configure = function (opts) { n.configure(opts || {}); };

  function reply(r) {
    Object.defineProperty(r, 'json', {
      enumerable: true,
      get: function () {
        try { return JSON.parse(r.text); } catch (e) {
          throw AssertionError('the answer (status ' + r.status + ') is not JSON: ' + JSON.stringify(r.text.slice(0, 200)));
        }
      }
    });
    return r;
  }
  g.call = function (name, opts) { return reply(n.call(String(name), opts || {})); };
  g.rest = function (name, body) {
    var r = reply(n.rest(String(name), body || {}));
    Object.defineProperty(r, 'result', {
      enumerable: true,
      get: function () {
        var text = JSON.parse(r.text).result;
        try { return JSON.parse(text); } catch (e) { return text; }
      }
    });
    return r;
  };

  // api(method, path, {json, query, headers, ip, master}): a client's REST call
  // (classes, users, batch, BQL) through the data hook.
  g.api = function (method, path, opts) { return reply(n.api(String(method), String(path), opts || {})); };
  g.tasks = {
    run: function (name) { return n.taskRun(String(name)); },
    list: function () { return n.taskList(); },
    runs: function (name) { return n.taskRuns(String(name)); }
  };
  g.datahook = {
    // use('fn', ['Table']): make fn the data hook for the rest of the test file's session.
    use: function (fn, tables) { n.useHook(fn ? String(fn) : '', tables || []); }
  };

  g.db = {
    rows: function (table) { return n.find(table, null, {}); },
    find: function (table, where, opts) { return n.find(table, where || null, opts || {}); },
    count: function (table, where) { return n.find(table, where || null, {}).length; },
    get: function (table, id) { return n.get(table, id); },
    insert: function (table, row) { return n.insert(table, row); },
    update: function (table, id, data) { n.update(table, id, data); }
  };

  g.clock = {
    now: function () { return n.clockNow(); },
    date: function () { return new Date(n.clockNow()); },
    // advance(ms) or advance('1h' | '30m' | '10s' | '2d'): timed tasks due on the way run, in order.
    advance: function (d) { n.clockAdvance(typeof d === 'string' ? d : Number(d)); return n.clockNow(); },
    set: function (t) {
      var ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : n.parseTime(String(t));
      n.clockSet(ms);
      return n.clockNow();
    }
  };

  g.http = {
    // http.on('POST https://host/path', {status, json | body | text, headers, times})
    on: function (spec, res) {
      res = res || {};
      var body = res.body;
      var headers = res.headers || {};
      if (res.json !== undefined) {
        body = JSON.stringify(res.json);
        if (!headers['content-type'] && !headers['Content-Type']) headers['content-type'] = 'application/json; charset=utf-8';
      } else if (res.text !== undefined) {
        body = String(res.text);
      } else if (body !== undefined && typeof body !== 'string') {
        body = JSON.stringify(body);
      }
      n.httpOn(String(spec), res.status || 200, headers, body === undefined ? '' : body, res.times || 0);
    },
    requests: function () {
      return n.httpRequests().map(function (r) {
        Object.defineProperty(r, 'json', {
          enumerable: false,
          get: function () { try { return JSON.parse(r.body); } catch (e) { return undefined; } }
        });
        return r;
      });
    }
  };

  g.snapshot = function (name, value) {
    if (arguments.length < 2) { value = name; name = ''; }
    var failure = n.snapshot(String(name), value);
    if (failure) throw AssertionError(failure.message, failure.diff);
  };

  function notifyObject(d) {
    // form: an Alipay notify's fields; json: a WeChat notify's envelope.
    Object.defineProperty(d, 'form', {
      enumerable: false,
      get: function () {
        var out = {};
        d.body.split('&').forEach(function (kv) {
          if (!kv) return;
          var i = kv.indexOf('=');
          var k = i < 0 ? kv : kv.slice(0, i), v = i < 0 ? '' : kv.slice(i + 1);
          out[decodeURIComponent(k.replace(/\+/g, ' '))] = decodeURIComponent(v.replace(/\+/g, ' '));
        });
        return out;
      }
    });
    Object.defineProperty(d, 'json', {
      enumerable: false,
      get: function () { try { return JSON.parse(d.body); } catch (e) { return undefined; } }
    });
    return d;
  }
  function triggered(r) { r.notifies = r.notifies.map(notifyObject); return r; }
  var sandboxKeys;
  g.sandbox = {
    get keys() { return sandboxKeys || (sandboxKeys = n.sandboxKeys()); },
    pay: function (opts) { return triggered(n.sandboxTrigger('pay', opts || {})); },
    close: function (opts) { return triggered(n.sandboxTrigger('close', opts || {})); },
    refund: function (opts) { return triggered(n.sandboxTrigger('refund', opts || {})); },
    trades: function () { return n.sandboxTrades(); },
    notifies: function () { return n.sandboxNotifies().map(notifyObject); },
    replay: function (id) { return notifyObject(n.sandboxReplay(String(id && id.id !== undefined ? id.id : id))); }
  };

  g.keys = { rsa: function (bits) { return n.rsa(bits || 2048); } };

  function fail(msg, what, diff) { throw AssertionError(label(msg, what), diff); }
  var assert = function (value, msg) { if (!value) fail(msg, 'expected a truthy value, got ' + n.show(value)); };
  assert.ok = assert;
  assert.equal = function (actual, expected, msg) {
    if (!Object.is(actual, expected) && !(actual === expected)) {
      var c = n.compare(actual, expected);
      fail(msg, 'equal: expected ' + n.show(expected) + ', got ' + n.show(actual), c && c.multiline ? c.diff : '');
    }
  };
  assert.notEqual = function (actual, expected, msg) {
    if (actual === expected) fail(msg, 'notEqual: both are ' + n.show(actual));
  };
  assert.deepEqual = function (actual, expected, msg) {
    var c = n.compare(actual, expected);
    if (c) fail(msg, 'deepEqual: values differ (- expected, + actual)', c.diff);
  };
  assert.notDeepEqual = function (actual, expected, msg) {
    if (!n.compare(actual, expected)) fail(msg, 'notDeepEqual: both are ' + n.show(actual));
  };
  assert.match = function (actual, pattern, msg) {
    var s = String(actual);
    var ok = pattern instanceof RegExp ? pattern.test(s) : s.indexOf(String(pattern)) >= 0;
    if (!ok) fail(msg, 'match: ' + n.show(s) + ' does not match ' + (pattern instanceof RegExp ? String(pattern) : n.show(String(pattern))));
  };
  assert.includes = function (haystack, needle, msg) {
    var ok = Array.isArray(haystack)
      ? haystack.some(function (x) { return !n.compare(x, needle); })
      : String(haystack).indexOf(String(needle)) >= 0;
    if (!ok) fail(msg, 'includes: ' + n.show(haystack) + ' does not include ' + n.show(needle));
  };
  assert.throws = function (fn, expected, msg) {
    var threw = false, err;
    try { fn(); } catch (e) { threw = true; err = e; }
    if (!threw) fail(msg, 'throws: the function did not throw');
    if (expected === undefined) return err;
    var text = err && err.message !== undefined ? String(err.message) : String(err);
    if (expected instanceof RegExp) {
      if (!expected.test(text) && !expected.test(String(err))) fail(msg, 'throws: ' + n.show(String(err)) + ' does not match ' + String(expected));
    } else if (typeof expected === 'function') {
      if (!(err instanceof expected)) fail(msg, 'throws: ' + n.show(String(err)) + ' is not a ' + (expected.name || 'the expected class'));
    } else if (text.indexOf(String(expected)) < 0) {
      fail(msg, 'throws: ' + n.show(String(err)) + ' does not contain ' + n.show(String(expected)));
    }
    return err;
  };
  assert.fail = function (msg) { fail('', msg || 'failed'); };
  g.assert = assert;
})
