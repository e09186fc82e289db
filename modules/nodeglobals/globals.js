// The globals of Node 16 that goja lacks, or has differently: events (EventTarget,
// Event, AbortController, AbortSignal), text (TextEncoder, TextDecoder, atob,
// btoa), performance, WeakRef, FinalizationRegistry, and fixes to built-ins
// (TypedArray.from over strings, Date#toString's zone name, JSON.parse's error
// texts, the toLocale*String methods). `native` holds the Go helpers.
(function (global, native, loadURL) {
  'use strict';

  function define(name, value) {
    Object.defineProperty(global, name, { value: value, writable: true, configurable: true, enumerable: false });
  }
  // lazy defines a global built on first read (or replaced by a write).
  function lazy(name, make) {
    Object.defineProperty(global, name, {
      get: function () { var v = make(); define(name, v); return v; },
      set: function (v) { define(name, v); },
      configurable: true, enumerable: false,
    });
  }

  function argType(name, want, got) {
    var desc;
    if (got === undefined) desc = 'undefined';
    else if (got === null) desc = 'null';
    else if (typeof got === 'function') desc = 'function ' + (got.name || '');
    else if (typeof got === 'object') desc = 'an instance of ' + ((got.constructor && got.constructor.name) || 'Object');
    else if (typeof got === 'string') desc = "type string ('" + got + "')";
    else desc = 'type ' + typeof got + ' (' + String(got) + ')';
    var e = new TypeError('The "' + name + '" argument must be ' + want + '. Received ' + desc);
    e.code = 'ERR_INVALID_ARG_TYPE';
    return e;
  }

  // ---- DOMException (Node 16 has it only internally; errors carry its shape) ----
  function DOMException(message, name) {
    var e = new Error(message === undefined ? '' : String(message));
    Object.setPrototypeOf(e, DOMException.prototype);
    Object.defineProperty(e, 'name', { value: name === undefined ? 'Error' : String(name), configurable: true, writable: true });
    var codes = { AbortError: 20, InvalidCharacterError: 5, TimeoutError: 23, NotSupportedError: 9 };
    Object.defineProperty(e, 'code', { value: codes[e.name] || 0, configurable: true });
    return e;
  }
  DOMException.prototype = Object.create(Error.prototype, { constructor: { value: DOMException, writable: true, configurable: true } });

  // A listener's throw surfaces as an uncaught exception on a later turn, as in Node.
  function uncaught(err) { setTimeout(function () { throw err; }, 0); }

  // ---- Event and EventTarget ----
  var kStop = Symbol('stop');
  function Event(type, options) {
    if (arguments.length === 0) {
      var e = new TypeError('The "type" argument must be specified');
      e.code = 'ERR_MISSING_ARGS';
      throw e;
    }
    options = options || {};
    Object.defineProperty(this, 'type', { value: String(type), enumerable: true });
    this._cancelable = !!options.cancelable;
    this._bubbles = !!options.bubbles;
    this._defaultPrevented = false;
    this._timeStamp = native.now();
    this._target = null;
    this._current = null;
    this[kStop] = false;
  }
  Object.defineProperties(Event.prototype, {
    cancelable: { get: function () { return this._cancelable; }, enumerable: true },
    bubbles: { get: function () { return this._bubbles; }, enumerable: true },
    defaultPrevented: { get: function () { return this._cancelable && this._defaultPrevented; }, enumerable: true },
    timeStamp: { get: function () { return this._timeStamp; }, enumerable: true },
    target: { get: function () { return this._target; }, enumerable: true },
    currentTarget: { get: function () { return this._current; }, enumerable: true },
    srcElement: { get: function () { return this._target; }, enumerable: true },
    isTrusted: { get: function () { return false; }, enumerable: true },
    eventPhase: { get: function () { return this._current ? 2 : 0; }, enumerable: true },
    composed: { get: function () { return false; }, enumerable: true },
    returnValue: { get: function () { return !this.defaultPrevented; }, enumerable: true },
    cancelBubble: { get: function () { return this[kStop]; }, set: function (v) { if (v) this[kStop] = true; }, enumerable: true },
  });
  Event.prototype.preventDefault = function () { this._defaultPrevented = true; };
  Event.prototype.stopPropagation = function () { };
  Event.prototype.stopImmediatePropagation = function () { this[kStop] = true; };
  Event.prototype.composedPath = function () { return this._current ? [this._current] : []; };
  Event.NONE = 0; Event.CAPTURING_PHASE = 1; Event.AT_TARGET = 2; Event.BUBBLING_PHASE = 3;
  Object.defineProperty(Event.prototype, Symbol.toStringTag, { value: 'Event', configurable: true });

  var kListeners = Symbol('listeners');
  function EventTarget() {
    this[kListeners] = {};
  }
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (arguments.length < 2) {
      var e = new TypeError('The "type" and "listener" arguments must be specified');
      e.code = 'ERR_MISSING_ARGS';
      throw e;
    }
    if (listener === null || listener === undefined) return;
    if (typeof options === 'boolean') options = { capture: options };
    options = options || {};
    var list = this[kListeners][type] || (this[kListeners][type] = []);
    var capture = !!options.capture;
    for (var i = 0; i < list.length; i++) if (list[i].listener === listener && list[i].capture === capture) return;
    var entry = { listener: listener, once: !!options.once, capture: capture };
    list.push(entry);
    if (options.signal) {
      var self = this;
      options.signal.addEventListener('abort', function () { self.removeEventListener(type, listener, options); }, { once: true });
    }
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    var list = this[kListeners] && this[kListeners][type];
    if (!list) return;
    var capture = typeof options === 'boolean' ? options : !!(options && options.capture);
    for (var i = 0; i < list.length; i++) {
      if (list[i].listener === listener && list[i].capture === capture) { list[i].removed = true; list.splice(i, 1); return; }
    }
  };
  EventTarget.prototype.dispatchEvent = function (event) {
    if (!(event instanceof Event)) throw argType('event', 'an instance of Event', event);
    event._target = this;
    event._current = this;
    var list = (this[kListeners][event.type] || []).slice();
    for (var i = 0; i < list.length; i++) {
      var entry = list[i];
      if (entry.removed) continue;
      if (entry.once) this.removeEventListener(event.type, entry.listener, entry);
      try {
        if (typeof entry.listener === 'function') entry.listener.call(this, event);
        else if (entry.listener && typeof entry.listener.handleEvent === 'function') entry.listener.handleEvent(event);
      } catch (err) {
        // Node reports a listener's throw as an uncaught exception on the next turn.
        uncaught(err);
      }
      if (event[kStop]) break;
    }
    event._current = null;
    return !event.defaultPrevented;
  };
  Object.defineProperty(EventTarget.prototype, Symbol.toStringTag, { value: 'EventTarget', configurable: true });

  // ---- AbortController and AbortSignal ----
  var kInternal = Symbol('internal');
  function AbortSignal(key) {
    if (key !== kInternal) {
      var e = new TypeError('Illegal constructor');
      e.code = 'ERR_ILLEGAL_CONSTRUCTOR';
      throw e;
    }
    EventTarget.call(this);
    this._aborted = false;
    this._reason = undefined;
    this.onabort = null;
  }
  AbortSignal.prototype = Object.create(EventTarget.prototype, { constructor: { value: AbortSignal, writable: true, configurable: true } });
  Object.defineProperties(AbortSignal.prototype, {
    aborted: { get: function () { return this._aborted; }, enumerable: true },
    reason: { get: function () { return this._reason; }, enumerable: true },
  });
  Object.defineProperty(AbortSignal.prototype, Symbol.toStringTag, { value: 'AbortSignal', configurable: true });
  function abortSignal(signal, reason) {
    if (signal._aborted) return;
    signal._aborted = true;
    signal._reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    var ev = new Event('abort');
    if (typeof signal.onabort === 'function') {
      try { signal.onabort.call(signal, ev); } catch (err) { uncaught(err); }
    }
    signal.dispatchEvent(ev);
  }
  AbortSignal.abort = function (reason) {
    var s = new AbortSignal(kInternal);
    abortSignal(s, reason);
    return s;
  };
  AbortSignal.timeout = function (ms) {
    var s = new AbortSignal(kInternal);
    var t = setTimeout(function () { abortSignal(s, new DOMException('The operation was aborted due to timeout', 'TimeoutError')); }, ms);
    if (t && typeof t.unref === 'function') t.unref();
    return s;
  };
  function AbortController() {
    this._signal = new AbortSignal(kInternal);
  }
  Object.defineProperty(AbortController.prototype, 'signal', { get: function () { return this._signal; }, enumerable: true });
  AbortController.prototype.abort = function (reason) { abortSignal(this._signal, reason); };
  Object.defineProperty(AbortController.prototype, Symbol.toStringTag, { value: 'AbortController', configurable: true });

  // ---- TextEncoder and TextDecoder (UTF-8, the encoding Node ships without ICU data) ----
  function TextEncoder() { }
  Object.defineProperty(TextEncoder.prototype, 'encoding', { get: function () { return 'utf-8'; }, enumerable: true });
  TextEncoder.prototype.encode = function (input) {
    return new Uint8Array(native.utf8Encode(input === undefined ? '' : String(input)));
  };
  TextEncoder.prototype.encodeInto = function (src, dest) {
    var bytes = new Uint8Array(native.utf8Encode(String(src)));
    var read = 0;
    var written = 0;
    var s = String(src);
    for (var i = 0; i < s.length; i++) {
      var c = s.codePointAt(i);
      var n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      if (written + n > dest.length) break;
      for (var k = 0; k < n; k++) dest[written + k] = bytes[written + k];
      written += n;
      read += c >= 0x10000 ? 2 : 1;
      if (c >= 0x10000) i++;
    }
    return { read: read, written: written };
  };
  Object.defineProperty(TextEncoder.prototype, Symbol.toStringTag, { value: 'TextEncoder', configurable: true });

  var utf8Labels = ['utf-8', 'utf8', 'unicode-1-1-utf-8'];
  var latin1Labels = ['latin1', 'iso-8859-1', 'ascii', 'us-ascii', 'windows-1252', 'l1', 'iso8859-1', 'cp1252'];
  var utf16Labels = ['utf-16le', 'utf-16'];
  function TextDecoder(label, options) {
    label = label === undefined ? 'utf-8' : String(label).trim().toLowerCase();
    var enc = utf8Labels.indexOf(label) >= 0 ? 'utf-8' : latin1Labels.indexOf(label) >= 0 ? 'windows-1252' :
      utf16Labels.indexOf(label) >= 0 ? 'utf-16le' : null;
    if (enc === null) {
      var e = new RangeError('The "' + label + '" encoding is not supported');
      e.code = 'ERR_ENCODING_NOT_SUPPORTED';
      throw e;
    }
    options = options || {};
    this._encoding = enc;
    this._fatal = !!options.fatal;
    this._ignoreBOM = !!options.ignoreBOM;
  }
  Object.defineProperties(TextDecoder.prototype, {
    encoding: { get: function () { return this._encoding; }, enumerable: true },
    fatal: { get: function () { return this._fatal; }, enumerable: true },
    ignoreBOM: { get: function () { return this._ignoreBOM; }, enumerable: true },
  });
  TextDecoder.prototype.decode = function (input, options) {
    if (options && options.stream) throw new Error('TextDecoder streaming is not available in bmobemu');
    var bytes;
    if (input === undefined) bytes = new Uint8Array(0);
    else if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
    else if (ArrayBuffer.isView(input)) bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    else throw argType('input', 'an instance of ArrayBuffer or ArrayBufferView', input);
    var out = native.decode(this._encoding, bytes, this._fatal, this._ignoreBOM);
    if (out === null) {
      var e = new TypeError('The encoded data was not valid for encoding ' + this._encoding);
      e.code = 'ERR_ENCODING_INVALID_ENCODED_DATA';
      throw e;
    }
    return out;
  };
  Object.defineProperty(TextDecoder.prototype, Symbol.toStringTag, { value: 'TextDecoder', configurable: true });

  // ---- atob and btoa (Node 16 texts) ----
  function btoa(input) {
    if (arguments.length === 0) {
      var e = new TypeError('The "input" argument must be specified');
      e.code = 'ERR_MISSING_ARGS';
      throw e;
    }
    var out = native.btoa(String(input));
    if (out === null) throw new DOMException('Invalid character', 'InvalidCharacterError');
    return out;
  }
  function atob(input) {
    if (arguments.length === 0) {
      var e = new TypeError('The "input" argument must be specified');
      e.code = 'ERR_MISSING_ARGS';
      throw e;
    }
    var out = native.atob(String(input));
    if (out === null) throw new DOMException('Invalid character', 'InvalidCharacterError');
    return out;
  }

  // ---- performance ----
  var timeOrigin = native.timeOrigin();
  var performance = {};
  Object.defineProperty(performance, 'timeOrigin', { value: timeOrigin, enumerable: true });
  performance.now = function () { return native.now(); };
  performance.toJSON = function () { return { timeOrigin: timeOrigin }; };
  var marks = {};
  performance.mark = function (name) { marks[name] = native.now(); return undefined; };
  performance.clearMarks = function (name) { if (name === undefined) marks = {}; else delete marks[name]; };
  Object.defineProperty(performance, Symbol.toStringTag, { value: 'Performance', configurable: true });

  // ---- WeakRef and FinalizationRegistry: goja has no weak references, so the
  // target is held strongly and cleanup callbacks never run (in Node, when they run
  // is up to the garbage collector, which scripts cannot rely on either). ----
  var kTarget = Symbol('target');
  function WeakRef(target) {
    if (!new.target) throw new TypeError("Constructor WeakRef requires 'new'");
    if (target === null || (typeof target !== 'object' && typeof target !== 'function')) {
      throw new TypeError('WeakRef: target must be an object');
    }
    this[kTarget] = target;
  }
  WeakRef.prototype.deref = function () { return this[kTarget]; };
  Object.defineProperty(WeakRef.prototype, Symbol.toStringTag, { value: 'WeakRef', configurable: true });
  function FinalizationRegistry(cleanup) {
    if (!new.target) throw new TypeError("Constructor FinalizationRegistry requires 'new'");
    if (typeof cleanup !== 'function') throw new TypeError('FinalizationRegistry: cleanup must be callable');
  }
  FinalizationRegistry.prototype.register = function (target) {
    if (target === null || (typeof target !== 'object' && typeof target !== 'function')) {
      throw new TypeError('FinalizationRegistry.prototype.register: target must be an object');
    }
  };
  FinalizationRegistry.prototype.unregister = function () { return false; };
  Object.defineProperty(FinalizationRegistry.prototype, Symbol.toStringTag, { value: 'FinalizationRegistry', configurable: true });

  // ---- TypedArray.from over a string: goja wants an object; the spec iterates it. ----
  // Patched once on %TypedArray%, whose from every typed array inherits (touching
  // each constructor would make goja build all eleven in every VM).
  (function () {
    var TypedArray = Object.getPrototypeOf(Uint8Array);
    var origFrom = TypedArray.from;
    Object.defineProperty(TypedArray, 'from', {
      value: function from(src) {
        var args = Array.prototype.slice.call(arguments);
        if (typeof src === 'string') args[0] = Array.from(src);
        return origFrom.apply(this, args);
      }, writable: true, configurable: true,
    });
  })();

  // ---- Date: Node prints the zone's long name, goja its abbreviation ----
  var zoneNames = { CST: 'China Standard Time', CDT: 'China Daylight Time', UTC: 'Coordinated Universal Time', GMT: 'Greenwich Mean Time' };
  ['toString', 'toTimeString'].forEach(function (m) {
    var orig = Date.prototype[m];
    Object.defineProperty(Date.prototype, m, {
      value: function () {
        var s = orig.call(this);
        return s.replace(/\(([A-Z]{3,4})\)$/, function (all, abbr) { return zoneNames[abbr] ? '(' + zoneNames[abbr] + ')' : all; });
      }, writable: true, configurable: true,
    });
  });

  // ---- JSON.parse: V8's (Node 16) error texts ----
  var parse = JSON.parse;
  Object.defineProperty(JSON, 'parse', {
    value: function parse_(text, reviver) {
      try {
        return parse.apply(JSON, arguments);
      } catch (e) {
        if (e instanceof SyntaxError) throw new SyntaxError(native.jsonError(String(text)));
        throw e;
      }
    }, writable: true, configurable: true,
  });
  Object.defineProperty(JSON.parse, 'name', { value: 'parse' });

  // ---- Timers return Timeout objects, as in Node (ref, unref, hasRef, refresh,
  // and a number when coerced); clearTimeout takes either. unref does not let a
  // call end earlier: an invocation always runs its timers. ----
  if (typeof global.setTimeout === 'function') {
    var rawSet = { setTimeout: global.setTimeout, setInterval: global.setInterval };
    var rawClear = global.clearTimeout;
    var kId = Symbol('timerId');
    var Timeout = function Timeout(id, kind, args) {
      this[kId] = id;
      this._kind = kind;
      this._args = args;
      this._ref = true;
    };
    Timeout.prototype.ref = function () { this._ref = true; return this; };
    Timeout.prototype.unref = function () { this._ref = false; return this; };
    Timeout.prototype.hasRef = function () { return this._ref; };
    Timeout.prototype.refresh = function () {
      rawClear(this[kId]);
      this[kId] = rawSet[this._kind].apply(global, this._args);
      return this;
    };
    Timeout.prototype.close = function () { rawClear(this[kId]); return this; };
    Timeout.prototype[Symbol.toPrimitive] = function () { return this[kId]; };
    ['setTimeout', 'setInterval'].forEach(function (kind) {
      var wrapped = {
        [kind]: function () {
          var args = Array.prototype.slice.call(arguments);
          return new Timeout(rawSet[kind].apply(global, args), kind, args);
        },
      }[kind];
      define(kind, wrapped);
    });
    var clear = function (t) {
      if (t instanceof Timeout) t = t[kId];
      return rawClear(t);
    };
    define('clearTimeout', { clearTimeout: function (t) { return clear(t); } }.clearTimeout);
    define('clearInterval', { clearInterval: function (t) { return clear(t); } }.clearInterval);
  }

  // ---- process: the members Node 16 scripts reach for, beyond the runtime's basics ----
  var proc = global.process;
  if (proc && typeof proc === 'object') {
    var setIfMissing = function (name, value) { if (proc[name] === undefined) proc[name] = value; };
    if (typeof proc.hrtime === 'function' && !proc.hrtime.bigint) {
      proc.hrtime.bigint = function () { return BigInt(Math.round(native.now() * 1e6)) + BigInt(Math.round(timeOrigin)) * 1000000n; };
    }
    setIfMissing('arch', 'x64');
    setIfMissing('title', 'node');
    setIfMissing('release', { name: 'node', lts: 'Gallium' });
    setIfMissing('exitCode', undefined);
    setIfMissing('memoryUsage', function memoryUsage() { return { rss: 50331648, heapTotal: 16777216, heapUsed: 8388608, external: 1048576, arrayBuffers: 65536 }; });
    setIfMissing('exit', function exit() { throw new Error('process.exit is not available in bmobemu: a function ends by answering through response'); });
    setIfMissing('abort', function abort() { throw new Error('process.abort is not available in bmobemu'); });
    setIfMissing('emitWarning', function emitWarning(w) { console.warn('(node) Warning: ' + (w && w.message ? w.message : String(w))); });
    // Listeners on process ('uncaughtException', 'exit', …) are accepted and never called.
    var listeners = {};
    ['on', 'addListener', 'once', 'prependListener'].forEach(function (m) {
      setIfMissing(m, function (ev, fn) { (listeners[ev] = listeners[ev] || []).push(fn); return proc; });
    });
    ['off', 'removeListener'].forEach(function (m) {
      setIfMissing(m, function (ev, fn) { var l = listeners[ev] || []; var i = l.indexOf(fn); if (i >= 0) l.splice(i, 1); return proc; });
    });
    setIfMissing('removeAllListeners', function (ev) { if (ev === undefined) listeners = {}; else delete listeners[ev]; return proc; });
    setIfMissing('listenerCount', function (ev) { return (listeners[ev] || []).length; });
    setIfMissing('listeners', function (ev) { return (listeners[ev] || []).slice(); });
    setIfMissing('emit', function () { return false; });
    var stream = function (log) {
      return { isTTY: false, write: function (chunk) { log(String(chunk).replace(/\n$/, '')); return true; } };
    };
    setIfMissing('stdout', stream(function (s) { console.log(s); }));
    setIfMissing('stderr', stream(function (s) { console.error(s); }));
    if (!Object.prototype.hasOwnProperty.call(proc, Symbol.toStringTag)) {
      Object.defineProperty(proc, Symbol.toStringTag, { value: 'process', configurable: true });
    }
  }

  // ---- Error.captureStackTrace (custom error classes call it) and Promise.any's text ----
  if (typeof Error.captureStackTrace !== 'function') {
    Object.defineProperty(Error, 'captureStackTrace', {
      value: function captureStackTrace(target) {
        if (target === null || typeof target !== 'object') {
          var e = new TypeError('Invalid argument');
          throw e;
        }
        var lines = new Error().stack.split('\n');
        lines.splice(1, 1); // this function's own frame
        var head = target.name === undefined ? 'Error' : String(target.name);
        if (target.message) head += ': ' + target.message;
        lines[0] = head;
        Object.defineProperty(target, 'stack', { value: lines.join('\n'), writable: true, configurable: true });
      }, writable: true, configurable: true,
    });
    Error.stackTraceLimit = 10;
  }
  if (typeof Promise.any === 'function') {
    var any = Promise.any;
    Object.defineProperty(Promise, 'any', {
      value: function any_(iterable) {
        return any.call(this, iterable).then(undefined, function (e) {
          if (e instanceof AggregateError && e.message === '') throw new AggregateError(e.errors, 'All promises were rejected');
          throw e;
        });
      }, writable: true, configurable: true,
    });
    Object.defineProperty(Promise.any, 'name', { value: 'any' });
  }

  // ---- V8's texts for the range errors of built-ins (goja words them differently) ----
  function rethrowing(obj, name, kind, text) {
    var orig = obj[name];
    if (typeof orig !== 'function') return;
    var wrapped = {
      [name]: function () {
        try {
          return orig.apply(this, arguments);
        } catch (e) {
          // "Invalid string length" is V8's own text already (bmobemu's bound on repeat).
          if (e instanceof kind && e.message !== 'Invalid string length') throw new kind(typeof text === 'function' ? text.apply(this, arguments) : text);
          throw e;
        }
      },
    }[name];
    Object.defineProperty(obj, name, { value: wrapped, writable: true, configurable: true });
  }
  rethrowing(Number.prototype, 'toFixed', RangeError, 'toFixed() digits argument must be between 0 and 100');
  rethrowing(Number.prototype, 'toPrecision', RangeError, 'toPrecision() argument must be between 1 and 100');
  rethrowing(Number.prototype, 'toExponential', RangeError, 'toExponential() argument must be between 0 and 100');
  rethrowing(String.prototype, 'repeat', RangeError, function (n) { return 'Invalid count value: ' + Number(n); });
  ['decodeURIComponent', 'decodeURI', 'encodeURIComponent', 'encodeURI'].forEach(function (name) {
    rethrowing(global, name, URIError, 'URI malformed');
  });

  lazy('URL', function () { return loadURL().URL; });
  lazy('URLSearchParams', function () { return loadURL().URLSearchParams; });
  define('Event', Event);
  define('EventTarget', EventTarget);
  define('AbortController', AbortController);
  define('AbortSignal', AbortSignal);
  define('TextEncoder', TextEncoder);
  define('TextDecoder', TextDecoder);
  define('atob', atob);
  define('btoa', btoa);
  define('performance', performance);
  if (typeof global.WeakRef !== 'function') define('WeakRef', WeakRef);
  if (typeof global.FinalizationRegistry !== 'function') define('FinalizationRegistry', FinalizationRegistry);
  return { DOMException: DOMException };
})
