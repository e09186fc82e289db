// Node's legacy url API (parse, format, resolve, resolveObject, Url), written for
// bmobemu. Evaluates to a function taking (querystring, toASCII) and returning the
// legacy exports; the Go side adds URL and URLSearchParams.
(function (querystring, toASCII, domainToUnicode) {
  'use strict';
  var slashedProtocol = { http: 1, 'http:': 1, https: 1, 'https:': 1, ftp: 1, 'ftp:': 1, gopher: 1, 'gopher:': 1, file: 1, 'file:': 1, ws: 1, 'ws:': 1, wss: 1, 'wss:': 1 };
  var hostless = { javascript: 1, 'javascript:': 1 };
  var protocolPattern = /^[a-z0-9.+-]+:/i;
  var simplePath = /^(\/\/?(?!\/)[^?\s]*)(\?[^\s]*)?$/;
  var autoEscape = { '\t': '%09', '\n': '%0A', '\r': '%0D', ' ': '%20', '"': '%22', "'": '%27', '<': '%3C', '>': '%3E', '\\': '%5C', '^': '%5E', '`': '%60', '{': '%7B', '|': '%7C', '}': '%7D' };
  var notInHost = '\t\n\r "%\';<>\\^`{|}';
  var wsChars = ' \t\n\r\f\v\u00a0\ufeff';

  // received describes a bad argument the way Node's ERR_INVALID_ARG_TYPE does.
  function received(v) {
    if (v === null || v === undefined) return 'Received ' + v;
    if (typeof v === 'function') return 'Received function ' + (v.name || '');
    if (typeof v === 'object') return 'Received an instance of ' + (v.constructor && v.constructor.name || 'Object');
    var shown = typeof v === 'string' ? "'" + v + "'" : typeof v === 'bigint' ? v + 'n' : String(v);
    if (shown.length > 28) shown = shown.slice(0, 25) + '...';
    return 'Received type ' + typeof v + ' (' + shown + ')';
  }

  function invalidArg(name, types, v) {
    var e = new TypeError('The "' + name + '" argument must be ' + types + '. ' + received(v));
    e.code = 'ERR_INVALID_ARG_TYPE';
    return e;
  }

  function Url() {
    this.protocol = null;
    this.slashes = null;
    this.auth = null;
    this.host = null;
    this.port = null;
    this.hostname = null;
    this.hash = null;
    this.search = null;
    this.query = null;
    this.pathname = null;
    this.path = null;
    this.href = null;
  }

  function isIPv6(h) { return h.charAt(0) === '[' && h.charAt(h.length - 1) === ']'; }

  // clean trims whitespace and turns backslashes before the query or hash into slashes.
  function clean(s) {
    var start = 0, end = s.length;
    while (start < end && wsChars.indexOf(s[start]) !== -1) start++;
    while (end > start && wsChars.indexOf(s[end - 1]) !== -1) end--;
    s = s.slice(start, end);
    var out = '', split = false;
    for (var i = 0; i < s.length; i++) {
      var c = s[i];
      if (c === '?' || c === '#') split = true;
      out += !split && c === '\\' ? '/' : c;
    }
    return out;
  }

  Url.prototype.parse = function (url, parseQueryString, slashesDenoteHost) {
    if (typeof url !== 'string') throw invalidArg('url', 'of type string', url);
    var rest = clean(url);
    if (!slashesDenoteHost && url.indexOf('#') === -1 && url.indexOf('@') === -1) {
      var simple = simplePath.exec(rest);
      if (simple) {
        this.path = rest;
        this.href = rest;
        this.pathname = simple[1];
        if (simple[2]) {
          this.search = simple[2];
          this.query = parseQueryString ? querystring.parse(this.search.slice(1)) : this.search.slice(1);
        } else if (parseQueryString) {
          this.search = null;
          this.query = Object.create(null);
        }
        return this;
      }
    }
    var proto = protocolPattern.exec(rest), lowerProto = '';
    if (proto) {
      proto = proto[0];
      lowerProto = proto.toLowerCase();
      this.protocol = lowerProto;
      rest = rest.slice(proto.length);
    }
    var slashes = false;
    if (slashesDenoteHost || proto || /^\/\/[^@/]+@[^@/]+/.test(rest)) {
      slashes = rest.slice(0, 2) === '//';
      if (slashes && !(proto && hostless[lowerProto])) {
        rest = rest.slice(2);
        this.slashes = true;
      }
    }
    if (!hostless[lowerProto] && (slashes || (proto && !slashedProtocol[proto]))) {
      var hostEnd = -1, atSign = -1, nonHost = -1;
      for (var i = 0; i < rest.length && hostEnd === -1; i++) {
        var c = rest[i];
        if (notInHost.indexOf(c) !== -1) {
          if (nonHost === -1) nonHost = i;
        } else if (c === '#' || c === '/' || c === '?') {
          if (nonHost === -1) nonHost = i;
          hostEnd = i;
        } else if (c === '@') {
          atSign = i;
          nonHost = -1;
        }
      }
      var start = 0;
      if (atSign !== -1) {
        this.auth = decodeURIComponent(rest.slice(0, atSign));
        start = atSign + 1;
      }
      if (nonHost === -1) {
        this.host = rest.slice(start);
        rest = '';
      } else {
        this.host = rest.slice(start, nonHost);
        rest = rest.slice(nonHost);
      }
      this.parseHost();
      if (typeof this.hostname !== 'string') this.hostname = '';
      var hostname = this.hostname, v6 = isIPv6(hostname);
      if (!v6) {
        for (var j = 0; j < hostname.length; j++) {
          if ('/\\#?:'.indexOf(hostname[j]) !== -1) {
            this.hostname = hostname.slice(0, j);
            rest = '/' + hostname.slice(j) + rest;
            break;
          }
        }
      }
      this.hostname = this.hostname.length > 255 ? '' : this.hostname.toLowerCase();
      if (this.hostname !== '' && !v6) this.hostname = toASCII(this.hostname) || this.hostname;
      this.host = (this.hostname || '') + (this.port ? ':' + this.port : '');
      if (v6) {
        this.hostname = this.hostname.slice(1, -1);
        if (rest[0] !== '/') rest = '/' + rest;
      }
    }
    if (!hostless[lowerProto]) {
      var escaped = '';
      for (var k = 0; k < rest.length; k++) escaped += autoEscape[rest[k]] || rest[k];
      rest = escaped;
    }
    var q = -1, h = -1;
    for (var m = 0; m < rest.length; m++) {
      if (rest[m] === '#') {
        this.hash = rest.slice(m);
        h = m;
        break;
      }
      if (rest[m] === '?' && q === -1) q = m;
    }
    if (q !== -1) {
      this.search = h === -1 ? rest.slice(q) : rest.slice(q, h);
      this.query = this.search.slice(1);
      if (parseQueryString) this.query = querystring.parse(this.query);
    } else if (parseQueryString) {
      this.search = null;
      this.query = Object.create(null);
    }
    var first = q !== -1 ? q : h;
    if (first === -1) {
      if (rest.length > 0) this.pathname = rest;
    } else if (first > 0) {
      this.pathname = rest.slice(0, first);
    }
    if (slashedProtocol[lowerProto] && this.hostname && !this.pathname) this.pathname = '/';
    if (this.pathname || this.search) this.path = (this.pathname || '') + (this.search || '');
    this.href = this.format();
    return this;
  };

  Url.prototype.parseHost = function () {
    var host = this.host, port = /:[0-9]*$/.exec(host);
    if (port) {
      port = port[0];
      if (port !== ':') this.port = port.slice(1);
      host = host.slice(0, host.length - port.length);
    }
    if (host) this.hostname = host;
  };

  function encodeAuth(s) {
    return encodeURIComponent(s).replace(/%3A/g, ':');
  }

  Url.prototype.format = function () {
    var auth = this.auth || '';
    if (auth) auth = encodeAuth(auth) + '@';
    var protocol = this.protocol || '', pathname = this.pathname || '', hash = this.hash || '', host = '', query = '';
    if (this.host) {
      host = auth + this.host;
    } else if (this.hostname) {
      host = auth + (this.hostname.indexOf(':') !== -1 && !isIPv6(this.hostname) ? '[' + this.hostname + ']' : this.hostname);
      if (this.port) host += ':' + this.port;
    }
    if (this.query !== null && typeof this.query === 'object') query = querystring.stringify(this.query);
    var search = this.search || (query && '?' + query) || '';
    if (protocol && protocol.charAt(protocol.length - 1) !== ':') protocol += ':';
    pathname = pathname.replace(/[#?]/g, function (c) { return c === '#' ? '%23' : '%3F'; });
    if (this.slashes || slashedProtocol[protocol]) {
      if (this.slashes || host) {
        if (pathname && pathname.charAt(0) !== '/') pathname = '/' + pathname;
        host = '//' + host;
      } else if (protocol.slice(0, 4) === 'file') {
        host = '//';
      }
    }
    search = search.replace(/#/g, '%23');
    if (hash && hash.charAt(0) !== '#') hash = '#' + hash;
    if (search && search.charAt(0) !== '?') search = '?' + search;
    return protocol + host + pathname + search + hash;
  };

  // removeDots applies RFC 3986 dot-segment removal; above the root of an absolute
  // path '..' is dropped, in a relative path it is kept.
  function removeDots(path, absolute) {
    var segs = path.split('/'), out = [];
    var trailing = segs.length > 0 && (segs[segs.length - 1] === '.' || segs[segs.length - 1] === '..');
    for (var i = 0; i < segs.length; i++) {
      var s = segs[i];
      if (s === '.') continue;
      if (s === '..') {
        if (out.length > 0 && out[out.length - 1] !== '..' && out[out.length - 1] !== '') out.pop();
        else if (!absolute) out.push('..');
        continue;
      }
      out.push(s);
    }
    var res = out.join('/');
    if (trailing && res !== '' && res.charAt(res.length - 1) !== '/') res += '/';
    return res;
  }

  Url.prototype.resolveObject = function (relative) {
    if (typeof relative === 'string') relative = urlParse(relative, false, true);
    var result = new Url(), self = this;
    Object.keys(this).forEach(function (k) { result[k] = self[k]; });
    result.hash = relative.hash;
    if (relative.href === '') {
      result.href = result.format();
      return result;
    }
    if (relative.protocol && relative.protocol !== result.protocol) {
      // Another scheme: the relative URL stands on its own.
      Object.keys(relative).forEach(function (k) { result[k] = relative[k]; });
      result.href = result.format();
      return result;
    }
    if (relative.slashes || relative.host) {
      Object.keys(relative).forEach(function (k) { if (k !== 'protocol') result[k] = relative[k]; });
      if (!result.pathname && slashedProtocol[result.protocol] && result.hostname) result.pathname = '/';
      result.path = result.pathname || result.search ? (result.pathname || '') + (result.search || '') : null;
      result.href = result.format();
      return result;
    }
    if (relative.pathname) {
      var path;
      if (relative.pathname.charAt(0) === '/') {
        path = relative.pathname;
      } else {
        var basePath = result.pathname || (result.host ? '/' : '');
        path = basePath.slice(0, basePath.lastIndexOf('/') + 1) + relative.pathname;
      }
      var absolute = path.charAt(0) === '/';
      path = removeDots(path, absolute || !!result.host);
      if (absolute && path.charAt(0) !== '/') path = '/' + path;
      result.pathname = path || null;
      result.search = relative.search;
      result.query = relative.query;
    } else if (relative.search !== null) {
      result.search = relative.search;
      result.query = relative.query;
    }
    result.path = result.pathname || result.search ? (result.pathname || '') + (result.search || '') : null;
    result.href = result.format();
    return result;
  };

  Url.prototype.resolve = function (relative) {
    return this.resolveObject(urlParse(relative, false, true)).format();
  };

  function urlParse(url, parseQueryString, slashesDenoteHost) {
    if (url instanceof Url) return url;
    var u = new Url();
    u.parse(url, parseQueryString, slashesDenoteHost);
    return u;
  }

  // format of a WHATWG URL, with Node's options (auth, fragment, search, unicode).
  function whatwgFormat(u, options) {
    options = options || {};
    var auth = options.auth !== false, fragment = options.fragment !== false, search = options.search !== false;
    var out = u.protocol;
    if (u.host !== '' || u.protocol === 'file:') {
      out += '//';
      if (auth && (u.username || u.password)) out += u.username + (u.password ? ':' + u.password : '') + '@';
      out += options.unicode && typeof domainToUnicode === 'function' ? domainToUnicode(u.hostname) + (u.port ? ':' + u.port : '') : u.host;
    }
    out += u.pathname;
    if (search) out += u.search;
    if (fragment) out += u.hash;
    return out;
  }

  function urlFormat(obj, options) {
    if (typeof URL === 'function' && obj instanceof URL) return whatwgFormat(obj, options);
    if (typeof obj === 'string') {
      obj = urlParse(obj);
    } else if (typeof obj !== 'object' || obj === null) {
      throw invalidArg('urlObject', 'one of type object or string', obj);
    } else if (!(obj instanceof Url)) {
      return Url.prototype.format.call(obj);
    }
    return obj.format();
  }

  function fileURLToPath(u) {
    if (typeof u === 'string') u = new URL(u);
    else if (!(u instanceof URL)) throw invalidArg('path', 'of type string or an instance of URL', u);
    if (u.protocol !== 'file:') {
      var e = new TypeError('The URL must be of scheme file');
      e.code = 'ERR_INVALID_URL_SCHEME';
      throw e;
    }
    if (u.hostname !== '') {
      var h = new TypeError('File URL host must be "localhost" or empty on linux');
      h.code = 'ERR_INVALID_FILE_URL_HOST';
      throw h;
    }
    if (/%2f/i.test(u.pathname)) {
      var p = new TypeError('File URL path must not include encoded / characters');
      p.code = 'ERR_INVALID_FILE_URL_PATH';
      throw p;
    }
    return decodeURIComponent(u.pathname);
  }

  function pathToFileURL(p) {
    var abs = String(p).charAt(0) === '/' ? String(p) : '/' + String(p);
    var enc = abs.replace(/%/g, '%25').replace(/\\/g, '%5C').replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/\t/g, '%09');
    return new URL('file://' + enc);
  }

  return {
    Url: Url,
    parse: urlParse,
    format: urlFormat,
    fileURLToPath: fileURLToPath,
    pathToFileURL: pathToFileURL,
    resolve: function (source, relative) { return urlParse(source, false, true).resolve(relative); },
    resolveObject: function (source, relative) {
      if (!source) return relative;
      return urlParse(source, false, true).resolveObject(relative);
    },
  };
})
