// Node's http client against a loopback echo server (PROBE_URL).
var http = require('http');
var base = process.env.PROBE_URL;
show('exports', function () { return ['request', 'get', 'Agent', 'STATUS_CODES', 'METHODS', 'globalAgent'].map(function (k) { return typeof http[k]; }); });
show('STATUS_CODES', function () { return [http.STATUS_CODES[200], http.STATUS_CODES[404], http.STATUS_CODES[418], http.STATUS_CODES[500]]; });
show('METHODS has POST', function () { return http.METHODS.indexOf('POST') >= 0; });
show('https module', function () { return typeof require('https').request; });
show('https rejects http:', function () { return require('https').request('http://127.0.0.1/'); });
show('http rejects https:', function () { return http.request('https://127.0.0.1/'); });
show('createServer', function () { try { http.createServer(); return 'created'; } catch (e) { return typeof e.message; } });
function collect(res, done) {
  var body = [];
  res.on('data', function (c) { body.push(c); });
  res.on('end', function () { done(body.map(String).join('')); });
}
http.get(base + '/echo?x=1', function (res) {
  console.log('get status: ' + res.statusCode + ' ' + res.statusMessage);
  console.log('get headers: ' + res.headers['content-type'] + ' ' + res.headers['x-probe']);
  collect(res, function (body) {
    var j = JSON.parse(body);
    console.log('get body: ' + [j.method, j.path, j.query, j.body].join(' '));
    var req = http.request(base + '/post', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Custom': 'c' } }, function (res2) {
      collect(res2, function (b2) {
        var j2 = JSON.parse(b2);
        console.log('post body: ' + [j2.method, j2.contentType, j2.custom, j2.body].join(' '));
        var u = new URL(base);
        http.request({ hostname: u.hostname, port: u.port, path: '/status/404', method: 'GET' }, function (res3) {
          console.log('404 status: ' + res3.statusCode);
          res3.setEncoding('utf8');
          collect(res3, function (b3) {
            console.log('404 body: ' + b3);
            http.get(base + '/redirect', function (res4) {
              console.log('redirect not followed: ' + res4.statusCode + ' ' + res4.headers.location);
              res4.resume();
              var bad = http.get('http://127.0.0.1:1/', function () { console.log('refused: connected?'); });
              bad.on('error', function (e) { console.log('refused: ' + [e.code, e.message, e.syscall, e.address, e.port].join(' ')); });
            });
          });
        }).end();
      });
    });
    req.write('{"a":');
    req.end('1}');
  });
});
