// The part of Node's stream module that request-style code touches: Stream,
// Readable (push, read-less flowing mode, pipe, Readable.from, async iteration),
// Writable, Duplex, Transform, PassThrough, pipeline and finished. Data flows on
// later turns (process.nextTick), as in Node; there is no highWaterMark back-pressure.
(function (EventEmitter, Buffer) {
  'use strict';
  function inherits(C, P) {
    C.prototype = Object.create(P.prototype, { constructor: { value: C, writable: true, configurable: true } });
    Object.setPrototypeOf(C, P);
  }
  function Stream(opts) { EventEmitter.call(this, opts); }
  inherits(Stream, EventEmitter);
  Stream.prototype.pipe = function (dest, options) {
    var src = this;
    src.on('data', function (chunk) { dest.write(chunk); });
    if (!options || options.end !== false) src.on('end', function () { dest.end(); });
    dest.emit('pipe', src);
    if (typeof src.resume === 'function') src.resume();
    return dest;
  };

  function toChunk(stream, chunk, encoding) {
    if (stream._objectMode || chunk === null) return chunk;
    if (typeof chunk === 'string') return Buffer.from(chunk, encoding || 'utf8');
    return chunk;
  }

  function Readable(options) {
    if (!(this instanceof Readable)) return new Readable(options);
    Stream.call(this);
    options = options || {};
    this._objectMode = !!(options.objectMode || options.readableObjectMode);
    this._buffer = [];
    this._flowing = null;
    this._ended = false;
    this._endEmitted = false;
    this._encoding = null;
    this.readable = true;
    this.destroyed = false;
    if (typeof options.read === 'function') this._read = options.read;
    if (typeof options.destroy === 'function') this._destroy = options.destroy;
    this.on('newListener', function (ev) {
      if (ev === 'data' && this._flowing !== false) this.resume();
    });
  }
  inherits(Readable, Stream);
  Readable.prototype._read = function () { };
  Readable.prototype.push = function (chunk, encoding) {
    if (chunk === null) {
      this._ended = true;
    } else {
      this._buffer.push(toChunk(this, chunk, encoding));
    }
    this._schedule();
    return !this._ended;
  };
  Readable.prototype.unshift = function (chunk) { this._buffer.unshift(toChunk(this, chunk)); };
  Readable.prototype.setEncoding = function (enc) { this._encoding = enc; return this; };
  Readable.prototype._schedule = function () {
    if (this._scheduled) return;
    this._scheduled = true;
    var self = this;
    process.nextTick(function () { self._scheduled = false; self._flow(); });
  };
  Readable.prototype._flow = function () {
    if (this.destroyed) return;
    if (this._flowing) {
      if (!this._ended && this._buffer.length === 0 && !this._reading) {
        this._reading = true;
        this._read();
        this._reading = false;
      }
      while (this._flowing && this._buffer.length) {
        var c = this._buffer.shift();
        if (this._encoding && !this._objectMode && c instanceof Uint8Array) c = Buffer.from(c).toString(this._encoding);
        this.emit('data', c);
      }
      if (this._flowing && !this._ended && this._buffer.length === 0) {
        this._reading = true;
        this._read();
        this._reading = false;
        if (this._buffer.length || this._ended) this._schedule();
      }
    }
    if (this._ended && this._buffer.length === 0 && !this._endEmitted && this._flowing) {
      this._endEmitted = true;
      this.readable = false;
      this.emit('end');
      this.emit('close');
    }
  };
  Readable.prototype.read = function () {
    if (this._buffer.length === 0) {
      if (!this._ended) this._read();
      if (this._buffer.length === 0) return null;
    }
    var c = this._buffer.shift();
    if (this._encoding && c instanceof Uint8Array) c = Buffer.from(c).toString(this._encoding);
    return c;
  };
  Readable.prototype.resume = function () { this._flowing = true; this._schedule(); return this; };
  Readable.prototype.pause = function () { this._flowing = false; return this; };
  Readable.prototype.isPaused = function () { return this._flowing === false; };
  Readable.prototype.destroy = function (err) {
    if (this.destroyed) return this;
    this.destroyed = true;
    var self = this;
    var done = function (e) {
      process.nextTick(function () {
        if (e) self.emit('error', e);
        self.emit('close');
      });
    };
    if (this._destroy) this._destroy(err || null, done); else done(err);
    return this;
  };
  Readable.prototype[Symbol.asyncIterator] = function () {
    var self = this;
    var queue = [];
    var waiting = null;
    var finished = false;
    var failure = null;
    self.on('data', function (c) { if (waiting) { var w = waiting; waiting = null; w.resolve({ value: c, done: false }); } else queue.push(c); });
    self.on('end', function () { finished = true; if (waiting) { var w = waiting; waiting = null; w.resolve({ value: undefined, done: true }); } });
    self.on('error', function (e) { failure = e; if (waiting) { var w = waiting; waiting = null; w.reject(e); } });
    return {
      next: function () {
        if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
        if (failure) return Promise.reject(failure);
        if (finished) return Promise.resolve({ value: undefined, done: true });
        return new Promise(function (resolve, reject) { waiting = { resolve: resolve, reject: reject }; });
      },
      return: function () { self.destroy(); return Promise.resolve({ value: undefined, done: true }); },
    };
  };
  Readable.from = function (iterable, options) {
    var r = new Readable(Object.assign({ objectMode: true }, options));
    if (typeof iterable === 'string' || iterable instanceof Uint8Array) {
      r.push(iterable);
      r.push(null);
      return r;
    }
    var it = iterable[Symbol.iterator] ? iterable[Symbol.iterator]() : null;
    if (!it) throw new TypeError('The "iterable" argument must be an instance of Iterable. Received ' + typeof iterable);
    r._read = function () {
      var step = it.next();
      if (step.done) r.push(null); else r.push(step.value);
    };
    return r;
  };

  function Writable(options) {
    if (!(this instanceof Writable)) return new Writable(options);
    Stream.call(this);
    options = options || {};
    this._objectMode = !!(options.objectMode || options.writableObjectMode);
    this._decodeStrings = options.decodeStrings !== false;
    this.writable = true;
    this.writableEnded = false;
    this.writableFinished = false;
    this.destroyed = false;
    this._pending = 0;
    if (typeof options.write === 'function') this._write = options.write;
    if (typeof options.final === 'function') this._final = options.final;
    if (typeof options.destroy === 'function') this._destroy = options.destroy;
  }
  inherits(Writable, Stream);
  Writable.prototype._write = function (chunk, encoding, cb) { cb(); };
  Writable.prototype.write = function (chunk, encoding, cb) {
    if (typeof encoding === 'function') { cb = encoding; encoding = null; }
    if (this.writableEnded) {
      var err = new Error('write after end');
      err.code = 'ERR_STREAM_WRITE_AFTER_END';
      var self0 = this;
      process.nextTick(function () { if (cb) cb(err); self0.emit('error', err); });
      return false;
    }
    if (!this._objectMode && typeof chunk === 'string' && this._decodeStrings) { chunk = Buffer.from(chunk, encoding || 'utf8'); encoding = 'buffer'; }
    var self = this;
    this._pending++;
    this._write(chunk, encoding || (chunk instanceof Uint8Array ? 'buffer' : 'utf8'), function (e) {
      self._pending--;
      if (e) { process.nextTick(function () { self.emit('error', e); }); }
      if (cb) process.nextTick(cb, e || null);
      self._maybeFinish();
    });
    return true;
  };
  Writable.prototype.end = function (chunk, encoding, cb) {
    if (typeof chunk === 'function') { cb = chunk; chunk = null; }
    else if (typeof encoding === 'function') { cb = encoding; encoding = null; }
    if (chunk !== null && chunk !== undefined) this.write(chunk, encoding);
    if (this.writableEnded) return this;
    this.writableEnded = true;
    this.writable = false;
    if (cb) this.once('finish', cb);
    this._maybeFinish();
    return this;
  };
  Writable.prototype._maybeFinish = function () {
    if (!this.writableEnded || this._pending > 0 || this.writableFinished || this._finishing) return;
    this._finishing = true;
    var self = this;
    var finish = function (e) {
      if (e) { self.emit('error', e); return; }
      process.nextTick(function () {
        self.writableFinished = true;
        self.emit('finish');
        self.emit('close');
      });
    };
    if (this._final) this._final(finish); else finish();
  };
  Writable.prototype.destroy = Readable.prototype.destroy;
  Writable.prototype.cork = function () { };
  Writable.prototype.uncork = function () { };
  Writable.prototype.setDefaultEncoding = function () { return this; };

  function Duplex(options) {
    if (!(this instanceof Duplex)) return new Duplex(options);
    Readable.call(this, options);
    var r = this._objectMode;
    Writable.call(this, options);
    this._objectMode = r || this._objectMode;
  }
  inherits(Duplex, Readable);
  ['write', 'end', '_maybeFinish', 'cork', 'uncork', 'setDefaultEncoding'].forEach(function (m) { Duplex.prototype[m] = Writable.prototype[m]; });
  Duplex.prototype._write = Writable.prototype._write;

  function Transform(options) {
    if (!(this instanceof Transform)) return new Transform(options);
    Duplex.call(this, options);
    options = options || {};
    if (typeof options.transform === 'function') this._transform = options.transform;
    if (typeof options.flush === 'function') this._flush = options.flush;
    var self = this;
    this._final = function (done) {
      var end = function (e, data) {
        if (data !== undefined && data !== null) self.push(data);
        self.push(null);
        done(e);
      };
      if (self._flush) self._flush(end); else end();
    };
  }
  inherits(Transform, Duplex);
  Transform.prototype._transform = function (chunk, enc, cb) { cb(new Error('The _transform() method is not implemented')); };
  Transform.prototype._write = function (chunk, encoding, cb) {
    var self = this;
    this._transform(chunk, encoding, function (e, data) {
      if (data !== undefined && data !== null) self.push(data);
      cb(e);
    });
  };

  function PassThrough(options) {
    if (!(this instanceof PassThrough)) return new PassThrough(options);
    Transform.call(this, options);
  }
  inherits(PassThrough, Transform);
  PassThrough.prototype._transform = function (chunk, enc, cb) { cb(null, chunk); };

  function finished(stream, opts, cb) {
    if (typeof opts === 'function') cb = opts;
    var called = false;
    var done = function (e) { if (!called) { called = true; cb(e); } };
    stream.on('end', function () { done(); });
    stream.on('finish', function () { done(); });
    stream.on('error', function (e) { done(e); });
    return function () { };
  }
  function pipeline() {
    var streams = Array.prototype.slice.call(arguments);
    var cb = typeof streams[streams.length - 1] === 'function' ? streams.pop() : null;
    if (Array.isArray(streams[0])) streams = streams[0];
    var failed = false;
    streams.forEach(function (s) {
      s.on('error', function (e) {
        if (failed) return;
        failed = true;
        streams.forEach(function (x) { if (x !== s && typeof x.destroy === 'function') x.destroy(); });
        if (cb) cb(e);
      });
    });
    for (var i = 0; i < streams.length - 1; i++) streams[i].pipe(streams[i + 1]);
    var last = streams[streams.length - 1];
    if (cb) finished(last, function (e) { if (!failed) cb(e); });
    return last;
  }

  Stream.Stream = Stream;
  Stream.Readable = Readable;
  Stream.Writable = Writable;
  Stream.Duplex = Duplex;
  Stream.Transform = Transform;
  Stream.PassThrough = PassThrough;
  Stream.pipeline = pipeline;
  Stream.finished = finished;
  Stream.promises = {
    pipeline: function () {
      var args = Array.prototype.slice.call(arguments);
      return new Promise(function (resolve, reject) { pipeline.apply(null, args.concat(function (e) { if (e) reject(e); else resolve(); })); });
    },
    finished: function (s) { return new Promise(function (resolve, reject) { finished(s, function (e) { if (e) reject(e); else resolve(); }); }); },
  };
  return Stream;
})
