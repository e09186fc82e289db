// Node's http and https client (request, get, Agent, STATUS_CODES, METHODS) over
// bmobemu's outbound router, so calls take the same --upstream routes, payment
// sandbox and logging as oHttp. No server side: a Bmob function is the server.
(function (EventEmitter, Stream, Buffer, native, defaultProtocol, URLClass) {
  'use strict';
  var STATUS_CODES = native.statusCodes;
  var METHODS = ['ACL', 'BIND', 'CHECKOUT', 'CONNECT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE',
    'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH', 'PURGE', 'PUT',
    'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK', 'UNLOCK', 'UNSUBSCRIBE'];

  function Agent(options) {
    if (!(this instanceof Agent)) return new Agent(options);
    EventEmitter.call(this);
    this.options = Object.assign({ path: null }, options);
    this.keepAlive = !!(options && options.keepAlive);
    this.maxSockets = (options && options.maxSockets) || Infinity;
    this.defaultPort = defaultProtocol === 'https:' ? 443 : 80;
    this.protocol = defaultProtocol;
  }
  Agent.prototype = Object.create(EventEmitter.prototype, { constructor: { value: Agent, writable: true, configurable: true } });
  Agent.prototype.destroy = function () { };
  var globalAgent = new Agent();

  function IncomingMessage(status, statusText, pairs, body) {
    Stream.Readable.call(this);
    this.statusCode = status;
    this.statusMessage = statusText;
    this.httpVersion = '1.1';
    this.httpVersionMajor = 1;
    this.httpVersionMinor = 1;
    this.complete = false;
    var headers = {};
    var raw = [];
    for (var i = 0; i < pairs.length; i++) {
      var k = pairs[i][0].toLowerCase();
      var v = pairs[i][1];
      raw.push(pairs[i][0], v);
      if (k === 'set-cookie') (headers[k] = headers[k] || []).push(v);
      else if (headers[k] === undefined) headers[k] = v;
      else if (k !== 'content-type' && k !== 'content-length' && k !== 'user-agent' && k !== 'referer' && k !== 'host' &&
        k !== 'authorization' && k !== 'location' && k !== 'etag' && k !== 'last-modified' && k !== 'server' && k !== 'age' && k !== 'expires') {
        headers[k] += (k === 'cookie' ? '; ' : ', ') + v;
      }
    }
    this.headers = headers;
    this.rawHeaders = raw;
    this.trailers = {};
    var self = this;
    this._body = body;
    this._read = function () {
      if (self._body !== null) {
        var b = self._body;
        self._body = null;
        if (b.length) self.push(b);
        self.complete = true;
        self.push(null);
      }
    };
  }
  IncomingMessage.prototype = Object.create(Stream.Readable.prototype, { constructor: { value: IncomingMessage, writable: true, configurable: true } });

  function invalidArg(name, want, got) {
    var e = new TypeError('The "' + name + '" argument must be ' + want + '. Received ' + (got === null ? 'null' : 'type ' + typeof got));
    e.code = 'ERR_INVALID_ARG_TYPE';
    return e;
  }

  function ClientRequest(input, options, cb) {
    EventEmitter.call(this);
    if (typeof input === 'string') {
      input = urlToOptions(new URLClass(input));
    } else if (input instanceof URLClass) {
      input = urlToOptions(input);
    } else {
      cb = options;
      options = input;
      input = null;
    }
    if (typeof options === 'function') { cb = options; options = {}; }
    options = Object.assign({}, input || {}, options || {});
    var protocol = options.protocol || defaultProtocol;
    if (protocol !== defaultProtocol) {
      var pe = new TypeError('Protocol "' + protocol + '" not supported. Expected "' + defaultProtocol + '"');
      pe.code = 'ERR_INVALID_PROTOCOL';
      throw pe;
    }
    var host = options.hostname || (options.host ? String(options.host).replace(/:\d+$/, '') : 'localhost');
    var port = options.port || (options.host && /:(\d+)$/.test(options.host) ? RegExp.$1 : (options.defaultPort || (protocol === 'https:' ? 443 : 80)));
    var path = options.path || '/';
    if (/[\u0000-\u0020]/.test(path)) {
      var ue = new TypeError('Request path contains unescaped characters');
      ue.code = 'ERR_UNESCAPED_CHARACTERS';
      throw ue;
    }
    this.method = String(options.method || 'GET').toUpperCase();
    if (METHODS.indexOf(this.method) < 0) {
      var me = new TypeError('Method must be a valid HTTP token ["' + options.method + '"]');
      me.code = 'ERR_INVALID_HTTP_TOKEN';
      throw me;
    }
    this.path = path;
    this.host = host;
    this.protocol = protocol;
    this._url = protocol + '//' + (host.indexOf(':') >= 0 ? '[' + host + ']' : host) +
      (String(port) === (protocol === 'https:' ? '443' : '80') ? '' : ':' + port) + path;
    this._headers = {};
    this._names = {};
    var h = options.headers || {};
    if (Array.isArray(h)) { for (var i = 0; i + 1 < h.length; i += 2) this.setHeader(h[i], h[i + 1]); }
    else Object.keys(h).forEach(function (k) { this.setHeader(k, h[k]); }, this);
    if (options.auth && !this.getHeader('authorization')) this.setHeader('Authorization', 'Basic ' + Buffer.from(options.auth).toString('base64'));
    this._chunks = [];
    this.finished = false;
    this.writableEnded = false;
    this.aborted = false;
    this.destroyed = false;
    this.reusedSocket = false;
    this._timeout = options.timeout;
    if (cb) this.once('response', cb);
  }
  ClientRequest.prototype = Object.create(EventEmitter.prototype, { constructor: { value: ClientRequest, writable: true, configurable: true } });
  ClientRequest.prototype.setHeader = function (name, value) {
    if (this._sent) {
      var e = new Error('Cannot set headers after they are sent to the client');
      e.code = 'ERR_HTTP_HEADERS_SENT';
      throw e;
    }
    if (value === undefined) {
      var ie = new TypeError('Invalid value "undefined" for header "' + name + '"');
      ie.code = 'ERR_HTTP_INVALID_HEADER_VALUE';
      throw ie;
    }
    this._headers[String(name).toLowerCase()] = value;
    this._names[String(name).toLowerCase()] = String(name);
    return this;
  };
  ClientRequest.prototype.getHeader = function (name) { return this._headers[String(name).toLowerCase()]; };
  ClientRequest.prototype.getHeaders = function () { return Object.assign({}, this._headers); };
  ClientRequest.prototype.getHeaderNames = function () { return Object.keys(this._headers); };
  ClientRequest.prototype.hasHeader = function (name) { return this._headers[String(name).toLowerCase()] !== undefined; };
  ClientRequest.prototype.removeHeader = function (name) { delete this._headers[String(name).toLowerCase()]; delete this._names[String(name).toLowerCase()]; };
  ClientRequest.prototype.setTimeout = function (ms, cb) {
    this._timeout = ms;
    if (cb) this.once('timeout', cb);
    return this;
  };
  ClientRequest.prototype.setNoDelay = function () { };
  ClientRequest.prototype.setSocketKeepAlive = function () { };
  ClientRequest.prototype.flushHeaders = function () { };
  ClientRequest.prototype.write = function (chunk, encoding, cb) {
    if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
    if (this.writableEnded) {
      var e = new Error('write after end');
      e.code = 'ERR_STREAM_WRITE_AFTER_END';
      var self0 = this;
      process.nextTick(function () { self0.emit('error', e); });
      return false;
    }
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) throw invalidArg('chunk', 'of type string or an instance of Buffer or Uint8Array', chunk);
    this._chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding || 'utf8') : Buffer.from(chunk));
    if (cb) process.nextTick(cb);
    return true;
  };
  ClientRequest.prototype.end = function (chunk, encoding, cb) {
    if (typeof chunk === 'function') { cb = chunk; chunk = undefined; }
    else if (typeof encoding === 'function') { cb = encoding; encoding = undefined; }
    if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
    if (this.writableEnded) return this;
    this.writableEnded = true;
    this.finished = true;
    if (cb) this.once('finish', cb);
    var self = this;
    var body = Buffer.concat(this._chunks);
    var pairs = [];
    Object.keys(this._headers).forEach(function (k) {
      var v = self._headers[k];
      if (Array.isArray(v)) v.forEach(function (x) { pairs.push([self._names[k], String(x)]); });
      else pairs.push([self._names[k], String(v)]);
    });
    if (body.length && !this.hasHeader('content-length') && !this.hasHeader('transfer-encoding')) pairs.push(['Content-Length', String(body.length)]);
    this._sent = true;
    var timer = null;
    if (this._timeout > 0) timer = setTimeout(function () { self.emit('timeout'); }, this._timeout);
    this._cancel = native.send(this.method, this._url, pairs, body, function (err, status, statusText, headers, resBody) {
      if (timer) clearTimeout(timer);
      if (self.aborted) return;
      if (err) {
        self.destroyed = true;
        self.emit('error', err);
        self.emit('close');
        return;
      }
      var res = new IncomingMessage(status, statusText, headers, Buffer.from(resBody));
      res.req = self;
      self.res = res;
      res.on('end', function () { process.nextTick(function () { self.emit('close'); }); });
      if (!self.emit('response', res)) res.resume();
    });
    process.nextTick(function () { self.emit('finish'); });
    return this;
  };
  ClientRequest.prototype.abort = function () {
    if (this.aborted) return;
    this.aborted = true;
    if (this._cancel) this._cancel();
    var self = this;
    process.nextTick(function () { self.emit('abort'); self.emit('close'); });
  };
  ClientRequest.prototype.destroy = function (err) {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.aborted = true;
    if (this._cancel) this._cancel();
    var self = this;
    process.nextTick(function () {
      if (err) self.emit('error', err);
      self.emit('close');
    });
    return this;
  };

  function urlToOptions(u) {
    var o = {
      protocol: u.protocol, hostname: u.hostname.charAt(0) === '[' ? u.hostname.slice(1, -1) : u.hostname,
      hash: u.hash, search: u.search, pathname: u.pathname, path: (u.pathname || '/') + (u.search || ''), href: u.href,
    };
    if (u.port !== '') o.port = Number(u.port);
    if (u.username || u.password) o.auth = decodeURIComponent(u.username) + ':' + decodeURIComponent(u.password);
    return o;
  }

  function request(input, options, cb) { return new ClientRequest(input, options, cb); }
  function get(input, options, cb) {
    var req = request(input, options, cb);
    req.end();
    return req;
  }
  function notAvailable(name) {
    return function () {
      throw new Error((defaultProtocol === 'https:' ? 'https' : 'http') + '.' + name + ' is not available in bmobemu: a Bmob function answers through its response argument, it cannot listen');
    };
  }
  return {
    request: request, get: get, Agent: Agent, globalAgent: globalAgent, ClientRequest: ClientRequest,
    IncomingMessage: IncomingMessage, STATUS_CODES: STATUS_CODES, METHODS: METHODS, maxHeaderSize: 16384,
    createServer: notAvailable('createServer'), Server: notAvailable('Server'),
    validateHeaderName: function (n) { if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(n)) { var e = new TypeError('Header name must be a valid HTTP token ["' + n + '"]'); e.code = 'ERR_INVALID_HTTP_TOKEN'; throw e; } },
  };
})
