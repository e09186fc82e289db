// The order Node runs callbacks in: sync code, nextTick, promise jobs, then
// immediates; timers by due time. (Which of a 0 ms timer and an immediate runs
// first is not deterministic in Node's main module, so that pair is not probed.)
var order = [];
function log(x) { order.push(x); }
setImmediate(function () { log('immediate'); });
process.nextTick(function () { log('tick 1'); });
Promise.resolve().then(function () { log('promise 1'); process.nextTick(function () { log('tick from promise'); }); });
queueMicrotask(function () { log('microtask'); });
process.nextTick(function () { log('tick 2'); Promise.resolve().then(function () { log('promise from tick'); }); });
(async function () { log('async start'); await null; log('after await'); })();
log('sync end');
// Printed from a later immediate: a timer could come before the first immediate
// when start-up takes longer than its delay.
setImmediate(function () { setImmediate(function () { console.log('order: ' + order.join(', ')); }); });
var timers = [];
// Printed once all four have fired: on a loaded machine they may all be due at once.
function fired(x) { timers.push(x); if (timers.length === 4) setTimeout(function () { console.log('timers: ' + timers.sort().join(', ')); }, 20); }
setTimeout(function () { fired('timeout 60'); }, 60);
setTimeout(function () { fired('timeout 40'); }, 40);
setTimeout(function (a, b) { fired('timeout 80 args ' + a + b); }, 80, 'x', 'y');
var cleared = setTimeout(function () { fired('cleared timer ran'); }, 30);
clearTimeout(cleared);
var iv = 0;
var h = setInterval(function () { iv++; if (iv === 3) { clearInterval(h); fired('interval x3'); } }, 5);
show('setTimeout non-function', function () { return setTimeout('code', 1); });
show('clearTimeout junk', function () { return clearTimeout('nope'); });
show('setTimeout returns', function () { var t = setTimeout(function () { }, 1); clearTimeout(t); return typeof t; });
show('timer ref/unref', function () { var t = setTimeout(function () { }, 1); var r = [typeof t.ref, typeof t.unref, typeof t.hasRef, typeof t.refresh, t.unref() === t, t.hasRef()]; clearTimeout(t); return r; });
show('timer to number', function () { var t = setTimeout(function () { }, 1); clearTimeout(t); return typeof +t === 'number' && +t > 0; });
show('clearTimeout by number', function () { var ran = false; var t = setTimeout(function () { ran = true; }, 1); clearTimeout(+t); return 'ok'; });
show('setInterval returns', function () { var t = setInterval(function () { }, 1000); clearInterval(t); return typeof t; });
