// string_decoder, os, timers, process, and modules bmobemu does not provide.
var StringDecoder = require('string_decoder').StringDecoder;
show('decoder split utf8', function () { var d = new StringDecoder('utf8'); var b = Buffer.from('中文'); return [d.write(b.slice(0, 2)), d.write(b.slice(2, 4)), d.end(b.slice(4))]; });
show('decoder end partial', function () { var d = new StringDecoder('utf8'); return [d.write(Buffer.from([0xe4, 0xb8])), d.end()]; });
show('decoder base64', function () { var d = new StringDecoder('base64'); return [d.write(Buffer.from('ab')), d.write(Buffer.from('cd')), d.end()]; });
show('decoder hex', function () { return new StringDecoder('hex').write(Buffer.from([1, 255])); });
show('decoder default', function () { return new StringDecoder().encoding; });
show('decoder bad', function () { return new StringDecoder('nope'); });
var os = require('os');
show('os EOL', function () { return os.EOL; });
show('os platform', function () { return [os.platform(), os.type(), typeof os.arch(), typeof os.hostname(), typeof os.tmpdir(), typeof os.homedir()]; });
show('os numbers', function () { return [typeof os.totalmem(), typeof os.freemem(), typeof os.uptime(), Array.isArray(os.cpus()), os.loadavg().length, os.endianness()]; });
show('os userInfo', function () { return typeof os.userInfo().username; });
var timers = require('timers');
show('timers', function () { return [timers.setTimeout === setTimeout, timers.clearTimeout === clearTimeout, typeof timers.setImmediate]; });
require('timers/promises').setTimeout(5, 'v').then(function (v) { console.log('timers/promises: ' + v); });
show('process module', function () { return require('process') === process; });
show('buffer module', function () { var b = require('buffer'); return [b.Buffer === Buffer, typeof b.kMaxLength]; });
show('events module', function () { return typeof require('events').EventEmitter; });
['fs', 'left-pad'].forEach(function (name) {
  show('require ' + name + ' code', function () { try { require(name); return 'loaded'; } catch (e) { return e.code; } });
});
