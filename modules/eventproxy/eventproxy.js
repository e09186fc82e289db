// EventProxy 0.3.x semantics, written for bmobemu. Evaluates to a function that
// returns a new EventProxy constructor.
(function () {
  'use strict';
  // later runs fn after the current turn, as eventproxy's process.nextTick does.
  function later(fn) {
    if (typeof process === 'object' && process && typeof process.nextTick === 'function') return process.nextTick(fn);
    if (typeof setImmediate === 'function') return setImmediate(fn);
    Promise.resolve().then(fn);
  }
  var ALL = '__all__';
  var slice = Array.prototype.slice;

  function EventProxy() {
    if (!(this instanceof EventProxy)) return new EventProxy();
    this._callbacks = {};
    this._fired = {};
  }
  var p = EventProxy.prototype;

  p.addListener = function (ev, callback) {
    (this._callbacks[ev] = this._callbacks[ev] || []).push(callback);
    return this;
  };
  p.bind = p.on = p.subscribe = p.addListener;

  p.headbind = function (ev, callback) {
    (this._callbacks[ev] = this._callbacks[ev] || []).unshift(callback);
    return this;
  };

  p.removeListener = function (ev, callback) {
    if (!ev) {
      this._callbacks = {};
      return this;
    }
    var list = this._callbacks[ev];
    if (!list) return this;
    if (!callback) {
      this._callbacks[ev] = [];
      return this;
    }
    // Blank the slot rather than splicing: trigger may be walking this list.
    for (var i = 0; i < list.length; i++) {
      if (list[i] === callback) list[i] = null;
    }
    return this;
  };
  p.unbind = p.removeListener;
  p.removeAllListeners = function (ev) { return this.unbind(ev); };
  p.bindForAll = function (callback) { return this.bind(ALL, callback); };
  p.unbindForAll = function (callback) { return this.unbind(ALL, callback); };

  function run(proxy, ev, args) {
    var list = proxy._callbacks[ev];
    if (!list) return;
    for (var i = 0; i < list.length; i++) {
      var cb = list[i];
      if (!cb) {
        list.splice(i, 1);
        i--;
        continue;
      }
      cb.apply(proxy, args);
    }
  }

  p.trigger = function (ev) {
    var rest = slice.call(arguments, 1);
    run(this, ev, rest);
    run(this, ALL, [ev].concat(rest));
    return this;
  };
  p.emit = p.fire = p.trigger;

  p.once = function (ev, callback) {
    var self = this;
    var wrapper = function () {
      self.unbind(ev, wrapper);
      callback.apply(self, arguments);
    };
    return this.bind(ev, wrapper);
  };

  p.emitLater = function () {
    var self = this, args = arguments;
    later(function () { self.trigger.apply(self, args); });
  };

  p.immediate = function (ev, callback, data) {
    this.bind(ev, callback);
    this.trigger(ev, data);
    return this;
  };
  p.asap = p.immediate;

  // assign wires events -> callback; once=false keeps calling with the latest data.
  function assign(proxy, events, callback, once) {
    if (typeof callback !== 'function' || events.length === 0) return proxy;
    var seen = {}, count = 0;
    events.forEach(function (ev) {
      proxy[once ? 'once' : 'bind'](ev, function (data) {
        proxy._fired[ev] = proxy._fired[ev] || {};
        proxy._fired[ev].data = data;
        if (!seen[ev]) {
          seen[ev] = true;
          count++;
        }
      });
    });
    var onAny = function (ev) {
      if (count < events.length || !seen[ev]) return;
      var data = events.map(function (e) { return proxy._fired[e].data; });
      if (once) proxy.unbindForAll(onAny);
      callback.apply(null, data);
    };
    proxy.bindForAll(onAny);
    return proxy;
  }

  function splitArgs(args) {
    var all = slice.call(args);
    var callback = all.pop();
    var events = [].concat.apply([], all);
    return { events: events, callback: callback };
  }

  p.all = p.assign = function () {
    var a = splitArgs(arguments);
    return assign(this, a.events, a.callback, true);
  };
  p.tail = p.assignAll = p.assignAlways = function () {
    var a = splitArgs(arguments);
    return assign(this, a.events, a.callback, false);
  };

  p.after = function (ev, times, callback) {
    if (times === 0) {
      callback.call(null, []);
      return this;
    }
    var proxy = this, list = [], group = ev + '_group';
    this._after = this._after || {};
    this._after[group] = { index: 0, results: [] };
    var onAny = function (name, data) {
      if (name === ev) {
        times--;
        list.push(data);
        if (times < 1) {
          proxy.unbindForAll(onAny);
          callback.call(null, list);
        }
      }
      if (name === group) {
        times--;
        proxy._after[group].results[data.index] = data.result;
        if (times < 1) {
          proxy.unbindForAll(onAny);
          callback.call(null, proxy._after[group].results);
        }
      }
    };
    return this.bindForAll(onAny);
  };

  p.group = function (ev, callback) {
    var proxy = this, group = ev + '_group';
    if (!this._after || !this._after[group]) {
      throw new Error('group(' + JSON.stringify(ev) + ') needs after(' + JSON.stringify(ev) + ', times, callback) first');
    }
    var index = this._after[group].index++;
    return function (err, data) {
      if (err) return proxy.emit('error', err);
      var result = callback ? callback.apply(null, slice.call(arguments, 1)) : data;
      proxy.emit(group, { index: index, result: result });
    };
  };

  p.any = function () {
    var proxy = this;
    var a = splitArgs(arguments);
    var name = a.events.join('_');
    proxy.once(name, a.callback);
    a.events.forEach(function (ev) {
      proxy.bind(ev, function (data) { proxy.trigger(name, { data: data, eventName: ev }); });
    });
    return proxy;
  };

  p.not = function (ev, callback) {
    return this.bindForAll(function (name, data) {
      if (name !== ev) callback(data);
    });
  };

  function doneWith(proxy, emit, handler, callback) {
    return function (err) {
      if (err) return proxy.emit('error', err);
      var rest = slice.call(arguments, 1);
      if (typeof handler === 'string') {
        if (callback) return emit(handler, [callback.apply(null, rest)]);
        return emit(handler, rest);
      }
      if (typeof handler === 'function') return handler.apply(null, rest);
    };
  }

  p.done = function (handler, callback) {
    var proxy = this;
    return doneWith(proxy, function (ev, args) { proxy.emit.apply(proxy, [ev].concat(args)); }, handler, callback);
  };

  p.doneLater = function (handler, callback) {
    var proxy = this;
    return doneWith(proxy, function (ev, args) { proxy.emitLater.apply(proxy, [ev].concat(args)); }, handler, callback);
  };

  p.fail = function (callback) {
    var proxy = this;
    proxy.once('error', function () {
      proxy.unbind();
      callback.apply(null, arguments);
    });
    return this;
  };

  p['throw'] = function () {
    this.emit.apply(this, ['error'].concat(slice.call(arguments)));
  };

  EventProxy.create = function () {
    var proxy = new EventProxy();
    var args = [].concat.apply([], arguments);
    if (args.length) {
      var onError = args[args.length - 1], callback = args[args.length - 2];
      if (typeof onError === 'function' && typeof callback === 'function') {
        args.pop();
        proxy.fail(onError);
      }
      proxy.assign.apply(proxy, args);
    }
    return proxy;
  };
  // Scripts written for Bmob's local debugger call modules.oEvent.create().
  p.create = EventProxy.create;
  EventProxy.EventProxy = EventProxy;
  return EventProxy;
})
