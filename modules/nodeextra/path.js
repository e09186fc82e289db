// Node's path module, POSIX flavour (Bmob runs on Linux). The working directory
// is "/", as process.cwd() says.
(function () {
  'use strict';
  function check(name, v) {
    if (typeof v !== 'string') {
      var desc = v === undefined ? 'undefined' : v === null ? 'null' : typeof v === 'object' ? 'an instance of ' + ((v.constructor && v.constructor.name) || 'Object') : 'type ' + typeof v + ' (' + String(v) + ')';
      var e = new TypeError('The "' + name + '" argument must be of type string. Received ' + desc);
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
  }

  // normalizeString resolves . and .. in a path without its leading slash.
  function normalizeString(path, allowAboveRoot) {
    var out = [];
    var parts = path.split('/');
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i];
      if (p === '' || p === '.') continue;
      if (p === '..') {
        if (out.length && out[out.length - 1] !== '..') out.pop();
        else if (allowAboveRoot) out.push('..');
      } else {
        out.push(p);
      }
    }
    return out.join('/');
  }

  var posix = {
    sep: '/',
    delimiter: ':',
    resolve: function () {
      var resolved = '';
      var absolute = false;
      for (var i = arguments.length - 1; i >= -1 && !absolute; i--) {
        var p = i >= 0 ? arguments[i] : '/';
        check('paths[' + i + ']', p);
        if (p === '') continue;
        resolved = p + '/' + resolved;
        absolute = p.charAt(0) === '/';
      }
      resolved = normalizeString(resolved, !absolute);
      return '/' + resolved;
    },
    normalize: function (p) {
      check('path', p);
      if (p === '') return '.';
      var abs = p.charAt(0) === '/';
      var trailing = p.charAt(p.length - 1) === '/';
      var out = normalizeString(p, !abs);
      if (out === '' && !abs) out = '.';
      if (out !== '' && trailing) out += '/';
      return abs ? '/' + out : out;
    },
    isAbsolute: function (p) { check('path', p); return p.length > 0 && p.charAt(0) === '/'; },
    join: function () {
      if (arguments.length === 0) return '.';
      var parts = [];
      for (var i = 0; i < arguments.length; i++) {
        check('path', arguments[i]);
        if (arguments[i] !== '') parts.push(arguments[i]);
      }
      if (parts.length === 0) return '.';
      return posix.normalize(parts.join('/'));
    },
    relative: function (from, to) {
      check('from', from);
      check('to', to);
      if (from === to) return '';
      from = posix.resolve(from);
      to = posix.resolve(to);
      if (from === to) return '';
      var f = from === '/' ? [] : from.slice(1).split('/');
      var t = to === '/' ? [] : to.slice(1).split('/');
      var i = 0;
      while (i < f.length && i < t.length && f[i] === t[i]) i++;
      var up = [];
      for (var k = i; k < f.length; k++) up.push('..');
      return up.concat(t.slice(i)).join('/');
    },
    toNamespacedPath: function (p) { return p; },
    dirname: function (p) {
      check('path', p);
      if (p === '') return '.';
      var abs = p.charAt(0) === '/';
      var end = -1;
      var matched = true;
      for (var i = p.length - 1; i >= 1; --i) {
        if (p.charAt(i) === '/') {
          if (!matched) { end = i; break; }
        } else {
          matched = false;
        }
      }
      if (end === -1) return abs ? '/' : '.';
      if (abs && end === 1) return '//';
      return p.slice(0, end);
    },
    basename: function (p, ext) {
      if (ext !== undefined) check('ext', ext);
      check('path', p);
      var end = p.length;
      while (end > 0 && p.charAt(end - 1) === '/') end--;
      if (end === 0) return '';
      var start = p.lastIndexOf('/', end - 1) + 1;
      var base = p.slice(start, end);
      if (ext !== undefined && base.slice(base.length - ext.length) === ext && ext.length > 0) {
        base = base.slice(0, base.length - ext.length);
      }
      return base;
    },
    extname: function (p) {
      check('path', p);
      var base = posix.basename(p);
      var dot = base.lastIndexOf('.');
      if (dot <= 0 || (base === '..')) return '';
      return base.slice(dot);
    },
    format: function (o) {
      if (o === null || typeof o !== 'object') {
        var e = new TypeError('The "pathObject" argument must be of type object. Received ' + (o === null ? 'null' : 'type ' + typeof o + ' (' + String(o) + ')'));
        e.code = 'ERR_INVALID_ARG_TYPE';
        throw e;
      }
      var dir = o.dir || o.root;
      var base = o.base || ((o.name || '') + (o.ext || ''));
      if (!dir) return base;
      return dir === o.root ? dir + base : dir + '/' + base;
    },
    parse: function (p) {
      check('path', p);
      var ret = { root: '', dir: '', base: '', ext: '', name: '' };
      if (p === '') return ret;
      if (p.charAt(0) === '/') ret.root = '/';
      var end = p.length;
      while (end > 1 && p.charAt(end - 1) === '/') end--;
      var trimmed = p.slice(0, end);
      var start = trimmed.lastIndexOf('/') + 1;
      ret.base = trimmed.slice(start);
      if (ret.base === '' && ret.root) { ret.dir = '/'; return ret; }
      var dot = ret.base.lastIndexOf('.');
      if (dot <= 0 || ret.base === '..') {
        ret.name = ret.base;
      } else {
        ret.name = ret.base.slice(0, dot);
        ret.ext = ret.base.slice(dot);
      }
      if (start > 1) ret.dir = trimmed.slice(0, start - 1);
      else if (ret.root) ret.dir = '/';
      return ret;
    },
  };
  posix.posix = posix;
  Object.defineProperty(posix, 'win32', {
    get: function () { throw new Error('path.win32 is not available in bmobemu (Bmob runs on Linux: use path or path.posix)'); },
    enumerable: false,
  });
  return posix;
})
