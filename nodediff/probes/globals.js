// Which globals exist, as `typeof`.
['URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'AbortController', 'AbortSignal',
  'EventTarget', 'Event', 'performance', 'WeakRef', 'FinalizationRegistry', 'Intl', 'Buffer', 'process',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask',
  'console', 'global', 'require', 'module', 'exports', '__filename', '__dirname', 'globalThis', 'Promise', 'Proxy',
  'Reflect', 'Symbol', 'Map', 'Set', 'WeakMap', 'WeakSet', 'BigInt', 'SharedArrayBuffer', 'Atomics', 'DataView',
  'escape', 'unescape', 'encodeURIComponent', 'decodeURIComponent', 'AggregateError'].forEach(function (name) {
    show('typeof ' + name, function () { return eval('typeof ' + name); });
  });
show('__filename is absolute .js', function () { return /^\/.*\.js$/.test(__filename); });
show('__dirname is its folder', function () { return __filename.slice(0, __dirname.length) === __dirname && __filename.charAt(__dirname.length) === '/'; });
show('global === globalThis', function () { return global === globalThis; });
show('performance.now is a small number', function () { var n = performance.now(); return typeof n === 'number' && n >= 0 && n < 60000; });
show('performance.timeOrigin near Date.now', function () { return Math.abs(performance.timeOrigin - Date.now()) < 60000; });
show('performance.now increases', function () { var a = performance.now(); for (var i = 0; i < 1e5; i++); return performance.now() >= a; });
show('WeakRef deref', function () { var o = { a: 1 }; return new WeakRef(o).deref() === o; });
show('WeakRef of a number', function () { return new WeakRef(1); });
show('WeakRef without new', function () { return WeakRef({}); });
show('FinalizationRegistry register', function () { var r = new FinalizationRegistry(function () {}); return r.register({}, 'x'); });
show('FinalizationRegistry bad callback', function () { return new FinalizationRegistry(1); });
show('WeakRef toStringTag', function () { return Object.prototype.toString.call(new WeakRef({})); });
