// util.inspect and util.format with Node 20's output for the default options,
// written for bmobemu. Evaluates to a function taking Go helpers
// ({promiseState(p) -> [state, result] | undefined}) and returning {inspect, format}.
(function (helpers) {
  'use strict';
  var hasOwn = Object.prototype.hasOwnProperty;
  var objToString = Object.prototype.toString;
  var keyIdent = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
  var customSymbol = Symbol.for('nodejs.util.inspect.custom');
  var builtIns = ['Object', 'Error', 'Array', 'Function', 'Date', 'RegExp', 'String', 'Number',
    'Boolean', 'Symbol', 'BigInt', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'ArrayBuffer',
    'DataView', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array',
    'Float32Array', 'Float64Array', 'Uint8ClampedArray', 'BigInt64Array', 'BigUint64Array',
    'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'Proxy', 'Reflect'];

  function tagOf(v) { return objToString.call(v).slice(8, -1); }
  function isError(v) { return v instanceof Error || tagOf(v) === 'Error'; }
  function isDate(v) { return v instanceof Date || tagOf(v) === 'Date'; }
  function isRegExp(v) { return v instanceof RegExp || tagOf(v) === 'RegExp'; }
  function isTypedArray(v) { return ArrayBuffer.isView(v) && !(v instanceof DataView); }
  function isBuffer(v) { return typeof Buffer === 'function' && v instanceof Buffer; }

  function escapeString(s) {
    var quote = "'";
    if (s.indexOf("'") !== -1) {
      if (s.indexOf('"') === -1) quote = '"';
      else if (s.indexOf('`') === -1 && s.indexOf('${') === -1) quote = '`';
    }
    var out = '';
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i), ch = s[i];
      if (ch === quote || ch === '\\') out += '\\' + ch;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\t') out += '\\t';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\b') out += '\\b';
      else if (ch === '\f') out += '\\f';
      else if (ch === '\v') out += '\\v';
      else if (c < 0x20 || c === 0x7f) out += '\\x' + (c < 16 ? '0' : '') + c.toString(16).toUpperCase();
      else if (c >= 0xd800 && c <= 0xdfff) {
        var next = s.charCodeAt(i + 1);
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) { out += ch + s[i + 1]; i++; } else out += '\\u' + c.toString(16).toUpperCase();
      } else out += ch;
    }
    return quote + out + quote;
  }

  function formatNumber(n) { return Object.is(n, -0) ? '-0' : String(n); }

  function formatPrimitive(ctx, v) {
    switch (typeof v) {
      case 'string':
        if (v.length > 16 && v.length > ctx.breakLength - ctx.indentationLvl - 4) {
          // Node splits long strings after each newline, one quoted piece a line.
          var lines = v.match(/[^\n]*\n|[^\n]+$/g) || [v];
          var pad = '\n' + ' '.repeat(ctx.indentationLvl + 2);
          return lines.map(escapeString).join(' +' + pad);
        }
        return escapeString(v);
      case 'number': return formatNumber(v);
      case 'bigint': return String(v) + 'n';
      case 'boolean': return String(v);
      case 'undefined': return 'undefined';
      case 'symbol': return v.toString();
    }
    return String(v);
  }

  function constructorName(obj) {
    var proto = Object.getPrototypeOf(obj);
    // Fast paths for the common cases; the walk below handles the rest.
    if (proto === Object.prototype && !hasOwn.call(obj, 'constructor')) return 'Object';
    if (proto === Array.prototype && !hasOwn.call(obj, 'constructor')) return 'Array';
    var o = obj;
    while (o) {
      var d = Object.getOwnPropertyDescriptor(o, 'constructor');
      if (d && typeof d.value === 'function' && d.value.name !== '') {
        try { if (obj instanceof d.value) return String(d.value.name); } catch (e) { /* not callable as instanceof target */ }
      }
      o = Object.getPrototypeOf(o);
    }
    return null;
  }

  function prefix(ctor, tag, fallback, size) {
    size = size || '';
    if (ctor === null) {
      if (tag !== '' && fallback !== tag) return '[' + fallback + size + ': null prototype] [' + tag + '] ';
      return '[' + fallback + size + ': null prototype] ';
    }
    if (tag !== '' && ctor !== tag) return ctor + size + ' [' + tag + '] ';
    return ctor + size + ' ';
  }

  function ownKeys(v, withIndexes) {
    var keys = Object.keys(v);
    if (!withIndexes) keys = keys.filter(function (k) { return !/^(0|[1-9][0-9]*)$/.test(k) || Number(k) >= 4294967295; });
    var syms = Object.getOwnPropertySymbols(v).filter(function (s) { return Object.prototype.propertyIsEnumerable.call(v, s); });
    return keys.concat(syms);
  }

  function functionBase(fn, ctor, tag) {
    var src = Function.prototype.toString.call(fn);
    if (src.slice(0, 5) === 'class' && /\}$/.test(src)) {
      var b = '[class ' + (fn.name || '(anonymous)');
      var sup = Object.getPrototypeOf(fn);
      if (sup && sup.name) b += ' extends ' + sup.name;
      return b + ']';
    }
    var type = 'Function';
    var cname = fn.constructor && fn.constructor.name;
    if (cname === 'GeneratorFunction' || cname === 'AsyncGeneratorFunction') type = 'Generator' + type;
    if (cname === 'AsyncFunction' || cname === 'AsyncGeneratorFunction') type = 'Async' + type;
    var base = '[' + type;
    if (ctor === null) base += ' (null prototype)';
    base += fn.name === '' || typeof fn.name !== 'string' ? ' (anonymous)' : ': ' + fn.name;
    base += ']';
    if (ctor !== type && ctor !== null && ctor !== 'Function') base += ' ' + ctor;
    if (tag !== '' && ctor !== tag) base += ' [' + tag + ']';
    return base;
  }

  function formatError(ctx, err) {
    var name = err.name != null ? String(err.name) : 'Error';
    var message = err.message != null ? String(err.message) : '';
    var stack = typeof err.stack === 'string' && err.stack !== '' ? err.stack : Error.prototype.toString.call(err);
    // goja indents frames with a tab; Node with four spaces.
    stack = stack.replace(/\n\tat /g, '\n    at ').replace(/\n+$/, '');
    var head = message ? name + ': ' + message : name;
    if (stack.indexOf(head) === -1 && stack.indexOf(name) === -1) stack = head + (stack ? '\n' + stack : '');
    if (stack.indexOf('\n    at') === -1) stack = '[' + stack + ']';
    if (ctx.indentationLvl !== 0) stack = stack.replace(/\n/g, '\n' + ' '.repeat(ctx.indentationLvl));
    return stack;
  }

  function formatValue(ctx, v, depth, typed) {
    if (v === null) return 'null';
    if (typeof v !== 'object' && typeof v !== 'function') return formatPrimitive(ctx, v);
    var custom = v[customSymbol];
    if (typeof custom === 'function' && custom !== inspect && !(v.constructor && v.constructor.prototype === v)) {
      var ret = custom.call(v, ctx.depth - depth, { depth: ctx.depth }, inspect);
      if (ret !== v) {
        if (typeof ret !== 'string') return formatValue(ctx, ret, depth);
        return ret.replace(/\n/g, '\n' + ' '.repeat(ctx.indentationLvl));
      }
    }
    if (ctx.seen.indexOf(v) !== -1) {
      var idx = ctx.circular.get(v);
      if (idx === undefined) {
        idx = ctx.circular.size + 1;
        ctx.circular.set(v, idx);
      }
      return '[Circular *' + idx + ']';
    }
    return formatRaw(ctx, v, depth, typed);
  }

  function formatRaw(ctx, v, depth) {
    var ctor = constructorName(v);
    var tag = v[Symbol.toStringTag];
    if (typeof tag !== 'string' || (tag !== '' && Object.prototype.propertyIsEnumerable.call(v, Symbol.toStringTag))) tag = '';
    var keys, base = '', braces, formatter = null, extras = 'object';
    if (isBuffer(v)) {
      var max = Math.min(v.length, 50), hex = [];
      for (var b = 0; b < max; b++) hex.push((v[b] < 16 ? '0' : '') + v[b].toString(16));
      var rest = v.length - max;
      var s = '<' + (ctor || 'Buffer') + ' ' + hex.join(' ') + (rest > 0 ? ' ... ' + rest + ' more byte' + (rest > 1 ? 's' : '') : '') + '>';
      return s;
    }
    if (Array.isArray(v)) {
      keys = ownKeys(v, false);
      var p = ctor !== 'Array' || tag !== '' ? prefix(ctor, tag, 'Array', '(' + v.length + ')') : '';
      braces = [p + '[', ']'];
      if (v.length === 0 && keys.length === 0) return braces[0] + ']';
      extras = 'array';
      formatter = formatArray;
    } else if (v instanceof Set) {
      keys = ownKeys(v, true);
      braces = [prefix(ctor, tag, 'Set', '(' + v.size + ')') + '{', '}'];
      if (v.size === 0 && keys.length === 0) return braces[0] + '}';
      formatter = formatSet;
    } else if (v instanceof Map) {
      keys = ownKeys(v, true);
      braces = [prefix(ctor, tag, 'Map', '(' + v.size + ')') + '{', '}'];
      if (v.size === 0 && keys.length === 0) return braces[0] + '}';
      formatter = formatMap;
    } else if (isTypedArray(v)) {
      keys = ownKeys(v, false);
      braces = [prefix(ctor, tag, tagOf(v), '(' + v.length + ')') + '[', ']'];
      if (v.length === 0 && keys.length === 0) return braces[0] + ']';
      extras = 'array';
      formatter = formatTyped;
    } else {
      keys = ownKeys(v, true);
      braces = ['{', '}'];
      if (typeof v === 'function') {
        base = functionBase(v, ctor, tag);
        if (keys.length === 0) return base;
      } else if (isRegExp(v)) {
        base = RegExp.prototype.toString.call(v);
        var rp = prefix(ctor, tag, 'RegExp');
        if (rp !== 'RegExp ') base = rp + base;
        if (keys.length === 0 || depth > ctx.depth) return base;
      } else if (isDate(v)) {
        base = isNaN(v.getTime()) ? Date.prototype.toString.call(v) : Date.prototype.toISOString.call(v);
        var dp = prefix(ctor, tag, 'Date');
        if (dp !== 'Date ') base = dp + base;
        if (keys.length === 0) return base;
      } else if (isError(v)) {
        base = formatError(ctx, v);
        keys = keys.filter(function (k) { return k !== 'stack' && k !== 'message'; });
        if (keys.length === 0) return base;
      } else if (v instanceof Promise) {
        braces[0] = prefix(ctor, tag, 'Promise') + '{';
        formatter = formatPromise;
      } else if (v instanceof String || v instanceof Number || v instanceof Boolean) {
        var prim = v.valueOf(), kind = v instanceof String ? 'String' : v instanceof Number ? 'Number' : 'Boolean';
        base = '[' + kind;
        if (kind !== ctor) base += ctor === null ? ' (null prototype)' : ' (' + ctor + ')';
        base += ': ' + formatPrimitive({ breakLength: Infinity, indentationLvl: 0 }, prim) + ']';
        if (kind === 'String') keys = keys.filter(function (k) { return !/^(0|[1-9][0-9]*)$/.test(k); });
        if (keys.length === 0) return base;
      } else if (ctor === 'Object') {
        if (tagOf(v) === 'Arguments') braces[0] = '[Arguments] [';
        else if (tag !== '') braces[0] = prefix(ctor, tag, 'Object') + '{';
        if (keys.length === 0) return braces[0] + '}';
      } else {
        braces[0] = prefix(ctor, tag, 'Object') + '{';
        if (keys.length === 0) return braces[0] + '}';
      }
    }
    if (depth > ctx.depth) {
      var name = prefix(ctor, tag, 'Object').slice(0, -1);
      if (Array.isArray(v)) name = prefix(ctor, tag, 'Array').slice(0, -1);
      return ctor !== null ? '[' + name + ']' : name;
    }
    depth++;
    ctx.seen.push(v);
    ctx.currentDepth = depth;
    var output = formatter ? formatter(ctx, v, depth) : [];
    for (var i = 0; i < keys.length; i++) output.push(formatProperty(ctx, v, depth, keys[i], extras));
    var ref = ctx.circular.get(v);
    if (ref !== undefined) base = base === '' ? '<ref *' + ref + '>' : '<ref *' + ref + '> ' + base;
    ctx.seen.pop();
    return reduceToSingleString(ctx, output, base, braces, extras, depth, v);
  }

  function formatArray(ctx, v, depth) {
    var len = Math.min(100, v.length), out = [], holes = 0;
    for (var i = 0; i < len; i++) {
      if (!hasOwn.call(v, i)) {
        holes++;
        continue;
      }
      if (holes > 0) {
        out.push('<' + holes + ' empty item' + (holes > 1 ? 's' : '') + '>');
        holes = 0;
      }
      out.push(formatProperty(ctx, v, depth, i, 'item'));
    }
    if (holes > 0) out.push('<' + holes + ' empty item' + (holes > 1 ? 's' : '') + '>');
    if (v.length > len) out.push('... ' + (v.length - len) + ' more item' + (v.length - len > 1 ? 's' : ''));
    return out;
  }

  function formatTyped(ctx, v) {
    var len = Math.min(100, v.length), out = [];
    for (var i = 0; i < len; i++) out.push(typeof v[i] === 'bigint' ? v[i] + 'n' : formatNumber(v[i]));
    if (v.length > len) out.push('... ' + (v.length - len) + ' more item' + (v.length - len > 1 ? 's' : ''));
    return out;
  }

  function formatSet(ctx, v, depth) {
    var out = [];
    ctx.indentationLvl += 2;
    v.forEach(function (x) { out.push(formatValue(ctx, x, depth)); });
    ctx.indentationLvl -= 2;
    return out;
  }

  function formatMap(ctx, v, depth) {
    var out = [];
    ctx.indentationLvl += 2;
    v.forEach(function (x, k) { out.push(formatValue(ctx, k, depth) + ' => ' + formatValue(ctx, x, depth)); });
    ctx.indentationLvl -= 2;
    return out;
  }

  function formatPromise(ctx, v, depth) {
    var st = helpers.promiseState(v);
    if (!st || st[0] === 'pending') return ['<pending>'];
    ctx.indentationLvl += 2;
    var s = formatValue(ctx, st[1], depth);
    ctx.indentationLvl -= 2;
    return [st[0] === 'rejected' ? '<rejected> ' + s : s];
  }

  function formatProperty(ctx, v, depth, key, extras) {
    var str, d = Object.getOwnPropertyDescriptor(v, key) || { value: v[key], enumerable: true };
    if (d.value !== undefined) {
      ctx.indentationLvl += 2;
      str = formatValue(ctx, d.value, depth);
      ctx.indentationLvl -= 2;
    } else if (d.get !== undefined) {
      str = d.set !== undefined ? '[Getter/Setter]' : '[Getter]';
    } else if (d.set !== undefined) {
      str = '[Setter]';
    } else {
      str = 'undefined';
    }
    if (extras === 'item') return str;
    var name;
    if (typeof key === 'symbol') name = '[' + key.toString() + ']';
    else if (key === '__proto__') name = "['__proto__']";
    else if (d.enumerable === false) name = '[' + key + ']';
    else if (keyIdent.test(key)) name = key;
    else name = escapeString(key);
    return name + ': ' + str;
  }

  function isBelowBreakLength(ctx, output, start, base) {
    var total = output.length + start;
    if (total + output.length > ctx.breakLength) return false;
    for (var i = 0; i < output.length; i++) {
      total += output[i].length;
      if (total > ctx.breakLength) return false;
    }
    return base === '' || base.indexOf('\n') === -1;
  }

  function groupArrayElements(ctx, output, value) {
    var total = 0, maxLen = 0, i, outLen = output.length;
    if (value && value.length > 100 && outLen > 100) outLen--;
    var sep = 2, lens = [];
    for (i = 0; i < outLen; i++) {
      lens[i] = output[i].length;
      total += lens[i] + sep;
      if (maxLen < lens[i]) maxLen = lens[i];
    }
    var actualMax = maxLen + sep;
    if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength && (total / actualMax > 5 || maxLen <= 6)) {
      var averageBias = Math.sqrt(actualMax - total / output.length);
      var biasedMax = Math.max(actualMax - 3 - averageBias, 1);
      var columns = Math.min(
        Math.round(Math.sqrt(2.5 * biasedMax * outLen) / biasedMax),
        Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
        3 * 4,
        15);
      if (columns <= 1) return output;
      var tmp = [], lineMax = [];
      for (i = 0; i < columns; i++) {
        var lineLen = 0;
        for (var j = i; j < output.length; j += columns) if (lens[j] > lineLen) lineLen = lens[j];
        lineMax.push(lineLen + sep);
      }
      var padStart = value !== undefined;
      if (padStart) {
        for (i = 0; i < output.length; i++) {
          if (typeof value[i] !== 'number' && typeof value[i] !== 'bigint') {
            padStart = false;
            break;
          }
        }
      }
      for (i = 0; i < outLen; i += columns) {
        var maxI = Math.min(i + columns, outLen), str = '', k = i;
        for (; k < maxI - 1; k++) {
          var cell = output[k] + ', ';
          str += padStart ? cell.padStart(lineMax[k - i], ' ') : cell.padEnd(lineMax[k - i], ' ');
        }
        str += padStart ? output[k].padStart(lineMax[k - i] - sep, ' ') : output[k];
        tmp.push(str);
      }
      if (outLen < output.length) tmp.push(output[outLen]);
      output = tmp;
    }
    return output;
  }

  function reduceToSingleString(ctx, output, base, braces, extras, depth, value) {
    var entries = output.length;
    if (extras === 'array' && entries > 6 && ctx.compact >= 1) output = groupArrayElements(ctx, output, value);
    if (ctx.currentDepth - depth < ctx.compact && entries === output.length) {
      var start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
      if (isBelowBreakLength(ctx, output, start, base)) {
        var joined = output.join(', ');
        if (joined.indexOf('\n') === -1) return (base ? base + ' ' : '') + braces[0] + ' ' + joined + ' ' + braces[1];
      }
    }
    var ind = '\n' + ' '.repeat(ctx.indentationLvl);
    return (base ? base + ' ' : '') + braces[0] + ind + '  ' + output.join(',' + ind + '  ') + ind + braces[1];
  }

  function inspect(v, opts) {
    var ctx = { seen: [], circular: new Map(), indentationLvl: 0, currentDepth: 0, depth: 2, breakLength: 80, compact: 3 };
    if (opts && typeof opts === 'object') {
      if (opts.depth === null) ctx.depth = Infinity;
      else if (typeof opts.depth === 'number') ctx.depth = opts.depth;
      if (typeof opts.breakLength === 'number') ctx.breakLength = opts.breakLength;
      if (opts.compact === false) ctx.compact = 0; // every entry on its own line (assert's diffs)
      else if (typeof opts.compact === 'number') ctx.compact = opts.compact;
    }
    return formatValue(ctx, v, 0);
  }

  function hasBuiltInToString(v) {
    if (typeof v.toString !== 'function') return true;
    if (hasOwn.call(v, 'toString')) return false;
    var p = v;
    do { p = Object.getPrototypeOf(p); } while (p && !hasOwn.call(p, 'toString'));
    if (!p) return true;
    var d = Object.getOwnPropertyDescriptor(p, 'constructor');
    return d !== undefined && typeof d.value === 'function' && builtIns.indexOf(d.value.name) !== -1;
  }

  function stringifySafe(v) {
    try {
      return JSON.stringify(v);
    } catch (e) {
      if (e instanceof TypeError && /circular/i.test(e.message)) return '[Circular]';
      throw e;
    }
  }

  function format() {
    var args = arguments, first = args[0], a = 0, str = '', join = '';
    if (typeof first === 'string') {
      if (args.length === 1) return first;
      var last = 0;
      for (var i = 0; i < first.length - 1; i++) {
        if (first.charCodeAt(i) !== 37) continue; // '%'
        var c = first[i + 1], tmp;
        if (a + 1 !== args.length) {
          var arg = args[a + 1];
          switch (c) {
            case 's':
              if (typeof arg === 'number') tmp = formatNumber(arg);
              else if (typeof arg === 'bigint') tmp = arg + 'n';
              else if (typeof arg !== 'object' || arg === null || !hasBuiltInToString(arg)) tmp = String(arg);
              else tmp = inspect(arg, { depth: 0 });
              break;
            case 'j': tmp = stringifySafe(arg); break;
            case 'd':
              if (typeof arg === 'bigint') tmp = arg + 'n';
              else if (typeof arg === 'symbol') tmp = 'NaN';
              else tmp = formatNumber(Number(arg));
              break;
            case 'O': tmp = inspect(arg); break;
            case 'o': tmp = inspect(arg, { depth: 4 }); break;
            case 'i':
              if (typeof arg === 'bigint') tmp = arg + 'n';
              else if (typeof arg === 'symbol') tmp = 'NaN';
              else tmp = formatNumber(parseInt(arg));
              break;
            case 'f': tmp = typeof arg === 'symbol' ? 'NaN' : formatNumber(parseFloat(arg)); break;
            case 'c': tmp = ''; break;
            case '%':
              str += first.slice(last, i);
              last = i + 1;
              i++;
              continue;
            default:
              continue;
          }
          if (last !== i) str += first.slice(last, i);
          str += tmp;
          last = i + 2;
          i++;
          a++;
        } else if (c === '%') {
          str += first.slice(last, i);
          last = i + 1;
          i++;
        }
      }
      if (last !== 0) {
        a++;
        join = ' ';
        if (last < first.length) str += first.slice(last);
      }
    }
    for (; a < args.length; a++) {
      var v = args[a];
      str += join + (typeof v === 'string' ? v : inspect(v));
      join = ' ';
    }
    return str;
  }

  inspect.custom = customSymbol;
  return { inspect: inspect, format: format };
})
