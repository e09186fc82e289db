// Error texts scripts forward to clients, in a catch block.
var cases = {
  'undefined.x': function () { var a; return a.x; },
  'null.x': function () { var a = null; return a.x; },
  'undefined[0]': function () { var a; return a[0]; },
  'nested': function () { var o = {}; return o.a.b; },
  'call missing method': function () { var o = {}; return o.method(); },
  'call undefined var': function () { var f; return f(); },
  'call index': function () { var l = [1]; return l[0](); },
  'set on undefined': function () { var u; u.k = 1; },
  'not defined': function () { return notDefinedAnywhere; },
  'const assignment': function () { const c = 1; c = 2; },
  'JSON.parse undefined': function () { return JSON.parse(undefined); },
  'JSON.parse empty': function () { return JSON.parse(''); },
  'JSON.parse bad key': function () { return JSON.parse('{a:1}'); },
  'JSON.parse two values': function () { return JSON.parse('{"a":1 "b":2}'); },
  'JSON.parse cut': function () { return JSON.parse('{"a":'); },
  'JSON.parse html': function () { return JSON.parse('<html>'); },
  'JSON.parse leading zero': function () { return JSON.parse('01'); },
  'JSON.stringify circular': function () { var o = {}; o.o = o; return JSON.stringify(o); },
  'new Array(-1)': function () { return new Array(-1); },
  'toFixed(101)': function () { return (1).toFixed(101); },
  'toPrecision(0)': function () { return (1).toPrecision(0); },
  'repeat(-1)': function () { return 'a'.repeat(-1); },
  'decodeURIComponent(%)': function () { return decodeURIComponent('%'); },
  'Symbol to string': function () { return Symbol('s') + ''; },
  'BigInt mix': function () { return 1n + 1; },
  'in on string': function () { return 'a' in 'b'; },
  'instanceof non-callable': function () { return ({}) instanceof {}; },
  'new non-constructor': function () { var o = {}; return new o.x(); },
  'Object.defineProperty non-object': function () { return Object.defineProperty(1, 'a', {}); },
  'Object.keys(undefined)': function () { return Object.keys(undefined); },
  'reduce empty': function () { return [].reduce(function (a, b) { return a + b; }); },
  'Buffer.from(undefined)': function () { return Buffer.from(undefined); },
  'Buffer bad encoding': function () { return Buffer.from('a', 'nope'); },
  'require missing': function () { return require('./definitely-missing'); },
  'throw string': function () { throw 'plain'; },
  'custom error class': function () { class MyErr extends Error { constructor(m) { super(m); this.name = 'MyErr'; } } throw new MyErr('mine'); },
};
Object.keys(cases).forEach(function (k) {
  try { cases[k](); console.log(k + ': no throw'); } catch (e) {
    console.log(k + ': ' + (e instanceof Error ? e.constructor.name + ' | ' + e.name + ' | ' + e.message.split('\n')[0] : typeof e + ' ' + e));
  }
});
show('error toString', function () { return String(new TypeError('t')); });
show('error cause', function () { return new Error('x', { cause: 'y' }).cause; });
show('error stack first line', function () { return new RangeError('r').stack.split('\n')[0]; });
show('stack frame layout', function () { return /^    at /.test(new Error('x').stack.split('\n')[1]); });
show('AggregateError', function () { return new AggregateError([new Error('a')], 'agg').errors.length; });
new Promise(function () { var u; return u.p; }).catch(function (e) { console.log('promise executor: ' + e.message); });
Promise.resolve().then(function () { null.q; }).then(null, function (e) { console.log('then handler: ' + e.message); });
(async function () { try { await Promise.resolve(); var z; z.w; } catch (e) { console.log('async catch: ' + e.message); } })();
