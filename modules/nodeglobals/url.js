// WHATWG URL and URLSearchParams as Node 16 exposes them globally and on require('url').
// Written here rather than reusing goja_nodejs's (built on net/url), whose
// URLSearchParams.toString leaves '+' unescaped, whose href ignores searchParams.set
// and whose origin drops the port. Covers what scripts use: special schemes (http,
// https, ws, wss, ftp, file) with authority, opaque URLs (mailto:, data:),
// relative resolution against a base, and the application/x-www-form-urlencoded
// serializer.
(function (domainToASCII) {
  'use strict';
  var SPECIAL = { 'ftp:': '21', 'file:': '', 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };

  function invalid(input) {
    // Node 16's text; Node 18.17+ says only "Invalid URL" and adds err.input.
    var err = new TypeError('Invalid URL: ' + input);
    err.code = 'ERR_INVALID_URL';
    err.input = input;
    return err;
  }

  // Percent-encode sets (WHATWG URL §1.3).
  function inC0(c) { return c < 0x20 || c > 0x7e; }
  function inFragment(c) { return inC0(c) || c === 0x20 || c === 0x22 || c === 0x3c || c === 0x3e || c === 0x60; }
  function inQuery(c) { return inC0(c) || c === 0x20 || c === 0x22 || c === 0x23 || c === 0x3c || c === 0x3e; }
  function inSpecialQuery(c) { return inQuery(c) || c === 0x27; }
  function inPath(c) { return inQuery(c) || c === 0x3f || c === 0x60 || c === 0x7b || c === 0x7d; }
  function inUserinfo(c) {
    return inPath(c) || c === 0x2f || c === 0x3a || c === 0x3b || c === 0x3d || c === 0x40 ||
      (c >= 0x5b && c <= 0x5e) || c === 0x7c;
  }

  function utf8Escape(ch) {
    var out = '';
    var enc;
    try { enc = encodeURIComponent(ch); } catch (e) { enc = '%EF%BF%BD'; }
    if (enc.charAt(0) !== '%') { // an ASCII char encodeURIComponent keeps
      var h = ch.charCodeAt(0).toString(16).toUpperCase();
      return '%' + (h.length < 2 ? '0' : '') + h;
    }
    out += enc;
    return out;
  }

  function encodeSet(s, inSet) {
    var out = '';
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        out += utf8Escape(s.slice(i, i + 2));
        i++;
      } else if (inSet(c)) {
        out += utf8Escape(s.charAt(i));
      } else {
        out += s.charAt(i);
      }
    }
    return out;
  }

  function parseHost(host, special, input) {
    if (host === '') {
      if (special) throw invalid(input);
      return '';
    }
    if (host.charAt(0) === '[') {
      if (host.charAt(host.length - 1) !== ']') throw invalid(input);
      return host.toLowerCase();
    }
    if (!special) return encodeSet(host, inC0);
    var decoded;
    try { decoded = decodeURIComponent(host); } catch (e) { throw invalid(input); }
    if (/[\u0000\t\n\r #%/:<>?@[\\\]^|]/.test(decoded)) throw invalid(input);
    var ascii = decoded.toLowerCase();
    if (/[^\x00-\x7f]/.test(ascii)) {
      ascii = domainToASCII ? domainToASCII(ascii) : '';
      if (!ascii) throw invalid(input);
    }
    var ipv4 = parseIPv4(ascii);
    if (ipv4 === false) throw invalid(input);
    return ipv4 === null ? ascii : ipv4;
  }

  // An all-numeric host is an IPv4 address (parts may be hex or octal); null means "not IPv4".
  function parseIPv4(host) {
    var parts = host.split('.');
    if (parts[parts.length - 1] === '' && parts.length > 1) parts.pop();
    var last = parts[parts.length - 1];
    if (!/^(0[xX][0-9a-fA-F]*|[0-9]+)$/.test(last)) return null;
    if (parts.length > 4) return false;
    var nums = [];
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i];
      var n;
      if (/^0[xX][0-9a-fA-F]*$/.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
      else if (/^0[0-7]+$/.test(p)) n = parseInt(p.slice(1), 8);
      else if (/^[0-9]+$/.test(p)) n = parseInt(p, 10);
      else return false;
      nums.push(n);
    }
    for (i = 0; i < nums.length - 1; i++) if (nums[i] > 255) return false;
    if (nums[nums.length - 1] >= Math.pow(256, 5 - nums.length)) return false;
    var v = nums[nums.length - 1];
    for (i = 0; i < nums.length - 1; i++) v += nums[i] * Math.pow(256, 3 - i);
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }

  function normalizePath(segments, special) {
    var out = [];
    for (var i = 0; i < segments.length; i++) {
      var seg = segments[i];
      var lower = seg.toLowerCase();
      var isLast = i === segments.length - 1;
      if (lower === '..' || lower === '.%2e' || lower === '%2e.' || lower === '%2e%2e') {
        if (out.length) out.pop();
        if (isLast) out.push('');
      } else if (lower === '.' || lower === '%2e') {
        if (isLast) out.push('');
      } else {
        out.push(encodeSet(seg, inPath));
      }
    }
    return out;
  }

  // parse fills rec {protocol, username, password, hostname, port, path (array or
  // opaque string), query (null or string), fragment (null or string)}.
  function parse(input, base) {
    var original = input;
    input = String(input).replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
    var rec = { protocol: '', username: '', password: '', hostname: null, port: '', path: [], query: null, fragment: null };
    var m = /^([a-zA-Z][a-zA-Z0-9+.\-]*):/.exec(input);
    var rest;
    if (m) {
      rec.protocol = m[1].toLowerCase() + ':';
      rest = input.slice(m[0].length);
    } else {
      if (!base) throw invalid(original);
      if (typeof base.path === 'string') {
        if (input.charAt(0) !== '#') throw invalid(original);
        var copy = cloneRec(base);
        copy.fragment = encodeSet(input.slice(1), inFragment);
        return copy;
      }
      rec.protocol = base.protocol;
      rest = input;
      return relative(rec, rest, base, original);
    }
    var special = SPECIAL.hasOwnProperty(rec.protocol);
    if (special) {
      if (base && base.protocol === rec.protocol && !/^[\/\\]/.test(rest) && rec.protocol !== 'file:') {
        return relative(rec, rest, base, original);
      }
      if (rec.protocol === 'file:') {
        rest = rest.replace(/\\/g, '/');
        if (rest.slice(0, 2) === '//') return fileURL(rec, rest.slice(2), original);
        rec.hostname = '';
        return pathAndRest(rec, rest.charAt(0) === '/' ? rest : '/' + rest, true);
      }
      rest = rest.replace(/^[\/\\]*/, '');
      return authority(rec, rest, true, original);
    }
    if (rest.slice(0, 2) === '//') return authority(rec, rest.slice(2), false, original);
    // An opaque path (mailto:, data:, urn:).
    var q = splitQF(rest);
    if (q.path.charAt(0) === '/') {
      rec.path = normalizePath(q.path.slice(1).split('/'), false);
    } else {
      rec.path = encodeSet(q.path, inC0);
    }
    setQF(rec, q, false);
    return rec;
  }

  function cloneRec(r) {
    return {
      protocol: r.protocol, username: r.username, password: r.password, hostname: r.hostname, port: r.port,
      path: typeof r.path === 'string' ? r.path : r.path.slice(), query: r.query, fragment: r.fragment,
    };
  }

  function splitQF(s) {
    var out = { path: s, query: null, fragment: null };
    var h = s.indexOf('#');
    if (h >= 0) { out.fragment = s.slice(h + 1); s = s.slice(0, h); }
    var q = s.indexOf('?');
    if (q >= 0) { out.query = s.slice(q + 1); s = s.slice(0, q); }
    out.path = s;
    return out;
  }

  function setQF(rec, q, special) {
    rec.query = q.query === null ? null : encodeSet(q.query, special ? inSpecialQuery : inQuery);
    rec.fragment = q.fragment === null ? null : encodeSet(q.fragment, inFragment);
  }

  function authority(rec, rest, special, original) {
    var end = rest.search(special ? /[\/\\?#]/ : /[\/?#]/);
    var auth = end < 0 ? rest : rest.slice(0, end);
    var after = end < 0 ? '' : rest.slice(end);
    var at = auth.lastIndexOf('@');
    if (at >= 0) {
      var info = auth.slice(0, at);
      auth = auth.slice(at + 1);
      var colon = info.indexOf(':');
      rec.username = encodeSet(colon < 0 ? info : info.slice(0, colon), inUserinfo);
      rec.password = colon < 0 ? '' : encodeSet(info.slice(colon + 1), inUserinfo);
    }
    var pm = /:([^\]:]*)$/.exec(auth);
    var host = auth;
    if (pm) {
      host = auth.slice(0, pm.index);
      if (pm[1] !== '') {
        if (!/^[0-9]+$/.test(pm[1]) || Number(pm[1]) > 65535) throw invalid(original);
        rec.port = String(Number(pm[1]));
        if (special && SPECIAL[rec.protocol] === rec.port) rec.port = '';
      }
    }
    rec.hostname = parseHost(host, special, original);
    return pathAndRest(rec, after, special);
  }

  function pathAndRest(rec, after, special) {
    var q = splitQF(after);
    var p = q.path;
    if (special) p = p.replace(/\\/g, '/');
    if (p === '') rec.path = special ? [''] : [];
    else rec.path = normalizePath(p.replace(/^\//, '').split('/'), special);
    setQF(rec, q, special);
    return rec;
  }

  function fileURL(rec, rest, original) {
    var end = rest.search(/[\/\\?#]/);
    var host = end < 0 ? rest : rest.slice(0, end);
    if (/^[a-zA-Z][:|]$/.test(host)) {
      rec.hostname = '';
      return pathAndRest(rec, '/' + rest, true);
    }
    rec.hostname = host === '' ? '' : parseHost(host, true, original);
    if (rec.hostname === 'localhost') rec.hostname = '';
    return pathAndRest(rec, end < 0 ? '' : rest.slice(end), true);
  }

  function relative(rec, rest, base, original) {
    var special = SPECIAL.hasOwnProperty(rec.protocol);
    var norm = special ? rest.replace(/\\/g, '/') : rest;
    if (norm.slice(0, 2) === '//') {
      if (rec.protocol === 'file:') return fileURL(rec, norm.slice(2), original);
      return authority(rec, norm.slice(2), special, original);
    }
    rec.username = base.username;
    rec.password = base.password;
    rec.hostname = base.hostname;
    rec.port = base.port;
    var q = splitQF(rest);
    if (q.path === '') {
      rec.path = base.path.slice();
      if (q.query === null) {
        rec.query = base.query;
        rec.fragment = q.fragment === null ? null : encodeSet(q.fragment, inFragment);
        return rec;
      }
      setQF(rec, q, special);
      return rec;
    }
    var p = special ? q.path.replace(/\\/g, '/') : q.path;
    var segs;
    if (p.charAt(0) === '/') {
      segs = p.slice(1).split('/');
    } else {
      segs = base.path.slice(0, Math.max(0, base.path.length - 1)).concat(p.split('/'));
    }
    rec.path = normalizePath(segs.map(function (s) { return s; }), special);
    setQF(rec, q, special);
    return rec;
  }

  function serializePath(rec) {
    if (typeof rec.path === 'string') return rec.path;
    return rec.path.length ? '/' + rec.path.join('/') : '';
  }

  function serializeHost(rec) {
    if (rec.hostname === null) return '';
    return rec.hostname + (rec.port ? ':' + rec.port : '');
  }

  function serialize(rec, noFragment) {
    var out = rec.protocol;
    if (rec.hostname !== null) {
      out += '//';
      if (rec.username || rec.password) {
        out += rec.username + (rec.password ? ':' + rec.password : '') + '@';
      }
      out += serializeHost(rec);
    }
    out += serializePath(rec);
    if (rec.query !== null) out += '?' + rec.query;
    if (!noFragment && rec.fragment !== null) out += '#' + rec.fragment;
    return out;
  }

  // ---- application/x-www-form-urlencoded ----
  function formEncode(s) {
    s = String(s);
    var out = '';
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
        c === 0x2a || c === 0x2d || c === 0x2e || c === 0x5f) {
        out += s.charAt(i);
      } else if (c === 0x20) {
        out += '+';
      } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        out += utf8Escape(s.slice(i, i + 2));
        i++;
      } else {
        out += utf8Escape(s.charAt(i));
      }
    }
    return out;
  }

  function formDecode(s) {
    s = s.replace(/\+/g, ' ');
    // Decode percent runs, leaving invalid escapes as they are.
    return s.replace(/(%[0-9a-fA-F]{2})+/g, function (run) {
      try { return decodeURIComponent(run); } catch (e) {
        var out = '';
        var parts = run.match(/%[0-9a-fA-F]{2}/g);
        for (var i = 0; i < parts.length; i++) {
          try { out += decodeURIComponent(parts[i]); } catch (e2) { out += '\ufffd'; }
        }
        return out;
      }
    });
  }

  function parseForm(s) {
    var list = [];
    if (!s) return list;
    var parts = s.split('&');
    for (var i = 0; i < parts.length; i++) {
      if (parts[i] === '') continue;
      var eq = parts[i].indexOf('=');
      var k = eq < 0 ? parts[i] : parts[i].slice(0, eq);
      var v = eq < 0 ? '' : parts[i].slice(eq + 1);
      list.push([formDecode(k), formDecode(v)]);
    }
    return list;
  }

  var LIST = typeof Symbol === 'function' ? Symbol('list') : '__list';
  var OWNER = typeof Symbol === 'function' ? Symbol('owner') : '__owner';
  var REC = typeof Symbol === 'function' ? Symbol('rec') : '__rec';
  var PARAMS = typeof Symbol === 'function' ? Symbol('params') : '__params';

  function URLSearchParams(init) {
    if (!(this instanceof URLSearchParams)) throw new TypeError("Class constructor URLSearchParams cannot be invoked without 'new'");
    var list = [];
    if (init === undefined || init === null) {
      // empty
    } else if (typeof init === 'object' || typeof init === 'function') {
      var iter = init[Symbol.iterator];
      if (typeof iter === 'function') {
        var it = iter.call(init);
        for (var step = it.next(); !step.done; step = it.next()) {
          var pair = step.value;
          if (pair === null || typeof pair !== 'object' || typeof pair[Symbol.iterator] !== 'function') {
            var e = new TypeError('Each query pair must be an iterable [name, value] tuple');
            e.code = 'ERR_INVALID_TUPLE';
            throw e;
          }
          var arr = Array.from(pair);
          if (arr.length !== 2) {
            var e2 = new TypeError('Each query pair must be an iterable [name, value] tuple');
            e2.code = 'ERR_INVALID_TUPLE';
            throw e2;
          }
          list.push([String(arr[0]), String(arr[1])]);
        }
      } else {
        var keys = Object.keys(init);
        for (var i = 0; i < keys.length; i++) list.push([keys[i], String(init[keys[i]])]);
      }
    } else {
      var s = String(init);
      if (s.charAt(0) === '?') s = s.slice(1);
      list = parseForm(s);
    }
    this[LIST] = list;
    this[OWNER] = null;
  }

  function updateOwner(sp) {
    var owner = sp[OWNER];
    if (!owner) return;
    var s = serializeList(sp[LIST]);
    owner[REC].query = s === '' ? null : s;
  }

  function serializeList(list) {
    var out = [];
    for (var i = 0; i < list.length; i++) out.push(formEncode(list[i][0]) + '=' + formEncode(list[i][1]));
    return out.join('&');
  }

  function checkArgs(n, got, names) {
    if (got < n) {
      var e = new TypeError('The "' + names + '" argument' + (n > 1 ? 's' : '') + ' must be specified');
      e.code = 'ERR_MISSING_ARGS';
      throw e;
    }
  }

  var SP = URLSearchParams.prototype;
  SP.append = function (name, value) {
    checkArgs(2, arguments.length, 'name" and "value');
    this[LIST].push([String(name), String(value)]);
    updateOwner(this);
  };
  SP['delete'] = function (name) {
    checkArgs(1, arguments.length, 'name');
    name = String(name);
    this[LIST] = this[LIST].filter(function (p) { return p[0] !== name; });
    updateOwner(this);
  };
  SP.get = function (name) {
    checkArgs(1, arguments.length, 'name');
    name = String(name);
    for (var i = 0; i < this[LIST].length; i++) if (this[LIST][i][0] === name) return this[LIST][i][1];
    return null;
  };
  SP.getAll = function (name) {
    checkArgs(1, arguments.length, 'name');
    name = String(name);
    return this[LIST].filter(function (p) { return p[0] === name; }).map(function (p) { return p[1]; });
  };
  SP.has = function (name) {
    checkArgs(1, arguments.length, 'name');
    name = String(name);
    return this[LIST].some(function (p) { return p[0] === name; });
  };
  SP.set = function (name, value) {
    checkArgs(2, arguments.length, 'name" and "value');
    name = String(name);
    value = String(value);
    var out = [];
    var done = false;
    for (var i = 0; i < this[LIST].length; i++) {
      var p = this[LIST][i];
      if (p[0] !== name) out.push(p);
      else if (!done) { out.push([name, value]); done = true; }
    }
    if (!done) out.push([name, value]);
    this[LIST] = out;
    updateOwner(this);
  };
  SP.sort = function () {
    var indexed = this[LIST].map(function (p, i) { return [p, i]; });
    indexed.sort(function (a, b) {
      if (a[0][0] < b[0][0]) return -1;
      if (a[0][0] > b[0][0]) return 1;
      return a[1] - b[1];
    });
    this[LIST] = indexed.map(function (x) { return x[0]; });
    updateOwner(this);
  };
  SP.forEach = function (cb, thisArg) {
    if (typeof cb !== 'function') {
      var e = new TypeError('The "callback" argument must be of type function. Received ' + (cb === undefined ? 'undefined' : typeof cb));
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
    for (var i = 0; i < this[LIST].length; i++) cb.call(thisArg, this[LIST][i][1], this[LIST][i][0], this);
  };
  function iterator(sp, pick) {
    var i = 0;
    var it = {
      next: function () {
        if (i >= sp[LIST].length) return { value: undefined, done: true };
        var p = sp[LIST][i++];
        return { value: pick(p), done: false };
      },
    };
    it[Symbol.iterator] = function () { return it; };
    if (Symbol.toStringTag) it[Symbol.toStringTag] = 'URLSearchParams Iterator';
    return it;
  }
  SP.keys = function () { return iterator(this, function (p) { return p[0]; }); };
  SP.values = function () { return iterator(this, function (p) { return p[1]; }); };
  SP.entries = function () { return iterator(this, function (p) { return [p[0], p[1]]; }); };
  SP[Symbol.iterator] = SP.entries;
  SP.toString = function () { return serializeList(this[LIST]); };
  if (Symbol.toStringTag) Object.defineProperty(SP, Symbol.toStringTag, { value: 'URLSearchParams', configurable: true });
  hideMethods(SP);

  function URL(input, base) {
    if (!(this instanceof URL)) throw new TypeError("Class constructor URL cannot be invoked without 'new'");
    var baseRec = null;
    if (base !== undefined) baseRec = base instanceof URL ? base[REC] : parse(String(base), null);
    this[REC] = parse(String(input), baseRec);
    this[PARAMS] = null;
  }

  function rec(u) {
    if (!u || !u[REC]) throw new TypeError('Receiver must be an instance of class URL');
    return u[REC];
  }

  function syncParams(u) {
    var sp = u[PARAMS];
    if (sp) sp[LIST] = parseForm(u[REC].query || '');
  }

  function accessor(name, get, set) {
    Object.defineProperty(URL.prototype, name, { get: get, set: set, enumerable: true, configurable: true });
  }
  accessor('href', function () { return serialize(rec(this)); }, function (v) {
    this[REC] = parse(String(v), null);
    syncParams(this);
  });
  accessor('origin', function () {
    var r = rec(this);
    if (r.protocol === 'blob:') {
      try { return new URL(serializePath(r)).origin; } catch (e) { return 'null'; }
    }
    if (!SPECIAL.hasOwnProperty(r.protocol) || r.protocol === 'file:') return 'null';
    return r.protocol + '//' + serializeHost(r);
  });
  accessor('protocol', function () { return rec(this).protocol; }, function (v) {
    var r = rec(this);
    var m = /^([a-zA-Z][a-zA-Z0-9+.\-]*)/.exec(String(v));
    if (!m) return;
    var p = m[1].toLowerCase() + ':';
    if (SPECIAL.hasOwnProperty(p) !== SPECIAL.hasOwnProperty(r.protocol)) return;
    if (p === 'file:' && (r.username || r.password || r.port)) return;
    r.protocol = p;
    if (SPECIAL[p] === r.port) r.port = '';
  });
  accessor('username', function () { return rec(this).username; }, function (v) {
    var r = rec(this);
    if (!r.hostname || r.protocol === 'file:') return;
    r.username = encodeSet(String(v), inUserinfo);
  });
  accessor('password', function () { return rec(this).password; }, function (v) {
    var r = rec(this);
    if (!r.hostname || r.protocol === 'file:') return;
    r.password = encodeSet(String(v), inUserinfo);
  });
  accessor('host', function () { return serializeHost(rec(this)); }, function (v) {
    var r = rec(this);
    if (typeof r.path === 'string') return;
    try {
      var t = parse(r.protocol + '//' + String(v), null);
      r.hostname = t.hostname;
      if (/:/.test(String(v).replace(/\[.*\]/, ''))) r.port = t.port;
    } catch (e) { /* ignored, as in Node */ }
  });
  accessor('hostname', function () { var h = rec(this).hostname; return h === null ? '' : h; }, function (v) {
    var r = rec(this);
    if (typeof r.path === 'string') return;
    try {
      r.hostname = parse(r.protocol + '//' + String(v).replace(/[:\/?#].*$/, ''), null).hostname;
    } catch (e) { /* ignored */ }
  });
  accessor('port', function () { return rec(this).port; }, function (v) {
    var r = rec(this);
    if (!r.hostname || r.protocol === 'file:') return;
    var m = /^[0-9]*/.exec(String(v))[0];
    if (m === '') { if (String(v) === '') r.port = ''; return; }
    if (Number(m) > 65535) return;
    r.port = SPECIAL[r.protocol] === String(Number(m)) ? '' : String(Number(m));
  });
  accessor('pathname', function () { return serializePath(rec(this)); }, function (v) {
    var r = rec(this);
    if (typeof r.path === 'string') return;
    var special = SPECIAL.hasOwnProperty(r.protocol);
    var p = String(v);
    if (special) p = p.replace(/\\/g, '/');
    r.path = normalizePath(p.replace(/^\//, '').split('/'), special);
  });
  accessor('search', function () {
    var q = rec(this).query;
    return q === null || q === '' ? '' : '?' + q;
  }, function (v) {
    var r = rec(this);
    var s = String(v);
    if (s.charAt(0) === '?') s = s.slice(1);
    r.query = s === '' ? null : encodeSet(s, SPECIAL.hasOwnProperty(r.protocol) ? inSpecialQuery : inQuery);
    syncParams(this);
  });
  accessor('searchParams', function () {
    rec(this);
    if (!this[PARAMS]) {
      var sp = new URLSearchParams(this[REC].query || '');
      sp[OWNER] = this;
      this[PARAMS] = sp;
    }
    return this[PARAMS];
  });
  accessor('hash', function () {
    var f = rec(this).fragment;
    return f === null || f === '' ? '' : '#' + f;
  }, function (v) {
    var s = String(v);
    if (s.charAt(0) === '#') s = s.slice(1);
    rec(this).fragment = s === '' ? null : encodeSet(s, inFragment);
  });
  URL.prototype.toString = function () { return serialize(rec(this)); };
  URL.prototype.toJSON = function () { return serialize(rec(this)); };
  if (Symbol.toStringTag) Object.defineProperty(URL.prototype, Symbol.toStringTag, { value: 'URL', configurable: true });
  hideMethods(URL.prototype);

  function hideMethods(proto) {
    Object.getOwnPropertyNames(proto).forEach(function (k) {
      var d = Object.getOwnPropertyDescriptor(proto, k);
      if (typeof d.value === 'function') Object.defineProperty(proto, k, { enumerable: false });
    });
  }

  return { URL: URL, URLSearchParams: URLSearchParams };
})
