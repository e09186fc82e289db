// Results are printed at the end in a fixed order: when in the tick sequence each
// stream delivers is an internal detail of Node's implementation.
var stream = require('stream');
var results = {};
function report(line) { var i = line.indexOf(': '); results[line.slice(0, i)] = line; }
setTimeout(function () {
  Object.keys(results).sort().forEach(function (k) { console.log(results[k]); });
}, 100);
report('exports: ' + repr((function () { return ['Readable', 'Writable', 'Duplex', 'Transform', 'PassThrough', 'Stream', 'pipeline', 'finished'].map(function (k) { return typeof stream[k]; }); })()));
report('stream is Stream: ' + (stream === stream.Stream && new stream.Readable() instanceof stream));
var r = new stream.Readable({ read: function () { } });
var got = [];
r.on('data', function (c) { got.push(String(c)); });
r.on('end', function () { report('readable data: ' + got.join('|')); });
r.push('a'); r.push('b'); r.push(null);
var chunks = [];
var w = new stream.Writable({ write: function (c, enc, cb) { chunks.push(c.toString()); cb(); } });
w.on('finish', function () { report('writable finish: ' + chunks.join('|')); });
w.write('x'); w.end('y');
var upper = new stream.Transform({ transform: function (c, enc, cb) { cb(null, String(c).toUpperCase()); } });
var out = [];
upper.on('data', function (c) { out.push(String(c)); });
upper.on('end', function () { report('transform: ' + out.join('')); });
upper.write('abc'); upper.end('def');
var pt = new stream.PassThrough();
var sink = [];
stream.pipeline(stream.Readable.from(['p', 'q']), pt, new stream.Writable({ objectMode: true, write: function (c, e, cb) { sink.push(String(c)); cb(); } }), function (err) {
  report('pipeline: ' + (err ? err.message : sink.join(',')));
});
var fromArr = [];
stream.Readable.from([1, 2, 3]).on('data', function (v) { fromArr.push(v); }).on('end', function () { report('from: ' + fromArr.join(',')); });
