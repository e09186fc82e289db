// The parts of Node's util module around inspect/format, written for bmobemu.
// Evaluates to a function taking (core, helpers) where core is {inspect, format}
// and helpers is {warn(msg), utf8Encode(str), utf8Decode(bytes)}; it returns the module.
(function (core, helpers) {
  'use strict';
  var objToString = Object.prototype.toString;

  function typeError(code, message) {
    var e = new TypeError(message);
    e.code = code;
    return e;
  }
  function received(v) {
    if (v == null) return ' Received ' + v;
    if (typeof v === 'function') return ' Received function ' + (v.name || '');
    if (typeof v === 'object') {
      if (v.constructor && v.constructor.name) return ' Received an instance of ' + v.constructor.name;
      return ' Received ' + core.inspect(v, { depth: -1 });
    }
    var shown = core.inspect(v);
    if (shown.length > 28) shown = shown.slice(0, 25) + '...';
    return ' Received type ' + typeof v + ' (' + shown + ')';
  }
  function mustBeFunction(name, v) {
    if (typeof v !== 'function') {
      throw typeError('ERR_INVALID_ARG_TYPE', 'The "' + name + '" argument must be of type function.' + received(v));
    }
  }

  var util = {};
  util.format = core.format;
  util.inspect = core.inspect;

  util.inherits = function (ctor, superCtor) {
    if (ctor === undefined || ctor === null) {
      throw typeError('ERR_INVALID_ARG_TYPE', 'The "ctor" argument must be of type function.' + received(ctor));
    }
    if (superCtor === undefined || superCtor === null) {
      throw typeError('ERR_INVALID_ARG_TYPE', 'The "superCtor" argument must be of type function.' + received(superCtor));
    }
    if (superCtor.prototype === undefined) {
      throw typeError('ERR_INVALID_ARG_TYPE', 'The "superCtor.prototype" property must be of type object.' + received(superCtor.prototype));
    }
    Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true });
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  };

  var customPromisify = Symbol.for('nodejs.util.promisify.custom');
  util.promisify = function (original) {
    mustBeFunction('original', original);
    if (original[customPromisify]) {
      var fn = original[customPromisify];
      mustBeFunction('util.promisify.custom', fn);
      return fn;
    }
    function promisified() {
      var self = this, args = Array.prototype.slice.call(arguments);
      return new Promise(function (resolve, reject) {
        args.push(function (err, value) {
          if (err) return reject(err);
          resolve(value);
        });
        original.apply(self, args);
      });
    }
    Object.setPrototypeOf(promisified, Object.getPrototypeOf(original));
    Object.defineProperty(promisified, customPromisify, { value: promisified, configurable: true });
    return promisified;
  };
  util.promisify.custom = customPromisify;

  util.callbackify = function (original) {
    mustBeFunction('original', original);
    return function () {
      var args = Array.prototype.slice.call(arguments), cb = args.pop(), self = this;
      mustBeFunction('last argument', cb);
      Promise.resolve(original.apply(self, args)).then(
        function (v) { cb(null, v); },
        function (e) { cb(e || Object.assign(new Error('Promise was rejected with a falsy value'), { reason: e })); });
    };
  };

  util.deprecate = function (fn, msg, code) {
    mustBeFunction('fn', fn);
    var warned = false;
    return function () {
      if (!warned) {
        warned = true;
        helpers.warn((code ? '[' + code + '] ' : '') + 'DeprecationWarning: ' + msg);
      }
      return new.target ? Reflect.construct(fn, arguments, new.target) : fn.apply(this, arguments);
    };
  };

  function tag(v) { return objToString.call(v).slice(8, -1); }
  var types = {
    isDate: function (v) { return v instanceof Date || (v !== null && typeof v === 'object' && tag(v) === 'Date'); },
    isRegExp: function (v) { return v instanceof RegExp || (v !== null && typeof v === 'object' && tag(v) === 'RegExp'); },
    isPromise: function (v) { return v instanceof Promise; },
    isMap: function (v) { return v instanceof Map; },
    isSet: function (v) { return v instanceof Set; },
    isNativeError: function (v) { return v instanceof Error; },
    isTypedArray: function (v) { return ArrayBuffer.isView(v) && !(v instanceof DataView); },
    isUint8Array: function (v) { return v instanceof Uint8Array; },
    isArrayBuffer: function (v) { return v instanceof ArrayBuffer; },
    isAsyncFunction: function (v) { return typeof v === 'function' && v.constructor && v.constructor.name === 'AsyncFunction'; },
    isGeneratorFunction: function (v) { return typeof v === 'function' && v.constructor && /GeneratorFunction$/.test(v.constructor.name); },
  };
  util.types = types;

  // The legacy predicates Node still exports.
  util.isArray = Array.isArray;
  util.isBoolean = function (v) { return typeof v === 'boolean'; };
  util.isNull = function (v) { return v === null; };
  util.isNullOrUndefined = function (v) { return v === null || v === undefined; };
  util.isNumber = function (v) { return typeof v === 'number'; };
  util.isString = function (v) { return typeof v === 'string'; };
  util.isSymbol = function (v) { return typeof v === 'symbol'; };
  util.isUndefined = function (v) { return v === undefined; };
  util.isRegExp = types.isRegExp;
  util.isObject = function (v) { return v !== null && typeof v === 'object'; };
  util.isDate = types.isDate;
  util.isError = function (v) { return v instanceof Error || tag(v) === 'Error'; };
  util.isFunction = function (v) { return typeof v === 'function'; };
  util.isPrimitive = function (v) { return v === null || (typeof v !== 'object' && typeof v !== 'function'); };

  function TextEncoder() {}
  TextEncoder.prototype.encoding = 'utf-8';
  TextEncoder.prototype.encode = function (s) { return helpers.utf8Encode(s === undefined ? '' : String(s)); };
  function TextDecoder(encoding) {
    var enc = encoding === undefined ? 'utf-8' : String(encoding).toLowerCase();
    if (enc !== 'utf-8' && enc !== 'utf8') {
      var e = new RangeError('The "' + encoding + '" encoding is not supported');
      e.code = 'ERR_ENCODING_NOT_SUPPORTED';
      throw e;
    }
    this.encoding = 'utf-8';
  }
  TextDecoder.prototype.decode = function (input) { return input === undefined ? '' : helpers.utf8Decode(input); };
  util.TextEncoder = TextEncoder;
  util.TextDecoder = TextDecoder;
  return util;
})
