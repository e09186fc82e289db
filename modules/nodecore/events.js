// Node's EventEmitter, written for bmobemu. Evaluates to a function taking
// (inspect, warn) and returning the EventEmitter constructor, which is also the module.
(function (inspect, warn) {
  'use strict';

  function EventEmitter(opts) {
    EventEmitter.init.call(this, opts);
  }
  EventEmitter.defaultMaxListeners = 10;
  EventEmitter.init = function () {
    if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
      this._events = Object.create(null);
      this._eventsCount = 0;
    }
    this._maxListeners = this._maxListeners || undefined;
  };

  function events(self) {
    // Objects that inherit without calling the constructor get their table lazily.
    if (!self._events || self._events === Object.getPrototypeOf(self)._events) EventEmitter.init.call(self);
    return self._events;
  }

  function checkListener(fn) {
    if (typeof fn !== 'function') {
      var e = new TypeError('The "listener" argument must be of type function. Received ' +
        (fn === null || fn === undefined ? String(fn) : 'type ' + typeof fn + ' (' + inspect(fn) + ')'));
      e.code = 'ERR_INVALID_ARG_TYPE';
      throw e;
    }
  }

  var p = EventEmitter.prototype;
  p._events = undefined;
  p._eventsCount = 0;
  p._maxListeners = undefined;

  p.setMaxListeners = function (n) {
    if (typeof n !== 'number' || n < 0 || n !== n) {
      var e = new RangeError('The value of "n" is out of range. It must be a non-negative number. Received ' + inspect(n));
      e.code = 'ERR_OUT_OF_RANGE';
      throw e;
    }
    this._maxListeners = n;
    return this;
  };
  p.getMaxListeners = function () {
    return this._maxListeners === undefined ? EventEmitter.defaultMaxListeners : this._maxListeners;
  };

  function add(self, type, listener, prepend) {
    checkListener(listener);
    var evs = events(self);
    if (evs.newListener !== undefined) {
      self.emit('newListener', type, listener.listener ? listener.listener : listener);
      evs = events(self);
    }
    var list = evs[type];
    if (list === undefined) {
      evs[type] = [listener];
      self._eventsCount++;
      list = evs[type];
    } else if (prepend) {
      list.unshift(listener);
    } else {
      list.push(listener);
    }
    var max = self.getMaxListeners();
    if (max > 0 && list.length > max && !list.warned) {
      list.warned = true;
      warn('MaxListenersExceededWarning: Possible EventEmitter memory leak detected. ' + list.length + ' ' +
        String(type) + ' listeners added to [' + (self.constructor && self.constructor.name || 'EventEmitter') +
        ']. MaxListeners is ' + max + '. Use emitter.setMaxListeners() to increase limit');
    }
    return self;
  }

  p.addListener = p.on = function (type, listener) { return add(this, type, listener, false); };
  p.prependListener = function (type, listener) { return add(this, type, listener, true); };

  function onceWrapper(self, type, listener) {
    var fired = false;
    var wrapped = function () {
      if (fired) return undefined;
      fired = true;
      self.removeListener(type, wrapped);
      return listener.apply(self, arguments);
    };
    wrapped.listener = listener;
    return wrapped;
  }
  p.once = function (type, listener) {
    checkListener(listener);
    return this.on(type, onceWrapper(this, type, listener));
  };
  p.prependOnceListener = function (type, listener) {
    checkListener(listener);
    return this.prependListener(type, onceWrapper(this, type, listener));
  };

  p.removeListener = p.off = function (type, listener) {
    checkListener(listener);
    var evs = events(this), list = evs[type];
    if (list === undefined) return this;
    for (var i = list.length - 1; i >= 0; i--) {
      if (list[i] === listener || list[i].listener === listener) {
        var removed = list[i].listener || list[i];
        // Copy so that an emit in progress keeps its own snapshot.
        list = list.slice(0, i).concat(list.slice(i + 1));
        if (list.length === 0) {
          delete evs[type];
          this._eventsCount--;
        } else {
          evs[type] = list;
        }
        if (evs.removeListener !== undefined) this.emit('removeListener', type, removed);
        break;
      }
    }
    return this;
  };

  p.removeAllListeners = function (type) {
    var evs = events(this), self = this;
    if (evs.removeListener === undefined) {
      if (arguments.length === 0) {
        this._events = Object.create(null);
        this._eventsCount = 0;
      } else if (evs[type] !== undefined) {
        delete evs[type];
        this._eventsCount--;
      }
      return this;
    }
    if (arguments.length === 0) {
      Reflect.ownKeys(evs).forEach(function (k) { if (k !== 'removeListener') self.removeAllListeners(k); });
      this.removeAllListeners('removeListener');
      this._events = Object.create(null);
      this._eventsCount = 0;
      return this;
    }
    var list = evs[type];
    if (list !== undefined) {
      for (var i = list.length - 1; i >= 0; i--) this.removeListener(type, list[i]);
    }
    return this;
  };

  p.emit = function (type) {
    var evs = events(this), args = Array.prototype.slice.call(arguments, 1);
    var list = evs[type];
    if (type === 'error' && list === undefined) {
      var er = args[0];
      if (er instanceof Error) throw er;
      var err = new Error('Unhandled error. (' + inspect(er) + ')');
      err.code = 'ERR_UNHANDLED_ERROR';
      err.context = er;
      throw err;
    }
    if (list === undefined) return false;
    list = list.slice();
    for (var i = 0; i < list.length; i++) list[i].apply(this, args);
    return true;
  };

  p.listeners = function (type) {
    var list = events(this)[type];
    return list === undefined ? [] : list.map(function (l) { return l.listener || l; });
  };
  p.rawListeners = function (type) {
    var list = events(this)[type];
    return list === undefined ? [] : list.slice();
  };
  p.listenerCount = function (type) {
    var list = events(this)[type];
    return list === undefined ? 0 : list.length;
  };
  p.eventNames = function () { return this._eventsCount > 0 ? Reflect.ownKeys(events(this)) : []; };

  EventEmitter.listenerCount = function (emitter, type) { return emitter.listenerCount(type); };
  EventEmitter.once = function (emitter, name) {
    return new Promise(function (resolve, reject) {
      function onError(err) {
        emitter.removeListener(name, onEvent);
        reject(err);
      }
      function onEvent() {
        if (name !== 'error') emitter.removeListener('error', onError);
        resolve(Array.prototype.slice.call(arguments));
      }
      emitter.once(name, onEvent);
      if (name !== 'error') emitter.once('error', onError);
    });
  };
  EventEmitter.EventEmitter = EventEmitter;
  return EventEmitter;
})
