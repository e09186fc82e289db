// Prepended to every probe, in Node and in bmobemu alike: show(label, fn) prints
// "label: <value>" or "label: threw <Name>: <message> [<code>]".
function repr(v) {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' && v === 0 && 1 / v < 0) return '-0';
  if (typeof v === 'bigint') return v + 'n';
  if (typeof v === 'function') return 'function ' + v.name;
  if (typeof v === 'symbol') return v.toString();
  if (v instanceof Error) return 'Error ' + v.name + ': ' + v.message;
  if (v instanceof Uint8Array) return Object.prototype.toString.call(v) + ' [' + Array.prototype.join.call(v, ',') + ']';
  if (v && typeof v === 'object') {
    var tag = Object.prototype.toString.call(v);
    try { return tag + ' ' + JSON.stringify(v); } catch (e) { return tag; }
  }
  return String(v);
}
function threw(e) {
  if (e === null || typeof e !== 'object') return 'threw ' + repr(e);
  return 'threw ' + e.name + ': ' + e.message + (e.code !== undefined ? ' [' + e.code + ']' : '');
}
function show(label, f) {
  var out;
  try { out = repr(typeof f === 'function' ? f() : f); } catch (e) { out = threw(e); }
  console.log(label + ': ' + out);
}
