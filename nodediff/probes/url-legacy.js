var url = require('url');
var u = url.parse('https://user:pw@Example.com:8080/p/a/t/h?query=string&a=1#hash', true);
['protocol', 'slashes', 'auth', 'host', 'port', 'hostname', 'hash', 'search', 'pathname', 'path', 'href'].forEach(function (k) {
  show('parse ' + k, function () { return u[k]; });
});
show('parse query object', function () { return u.query; });
show('parse no query object', function () { return url.parse('/a?x=1&x=2').query; });
show('parse relative', function () { var r = url.parse('/pay/notify?x=1'); return [r.pathname, r.search, r.host]; });
show('format object', function () { return url.format({ protocol: 'https', hostname: 'a.com', pathname: '/x', query: { a: 1, b: 'c d' } }); });
show('format URL', function () { return url.format(new URL('https://a.com/b?c=d#e'), { fragment: false }); });
show('resolve', function () { return [url.resolve('http://a.com/b/c', '../d'), url.resolve('http://a.com/b/', 'e?f=1'), url.resolve('/one/two', 'three')]; });
show('parse spaces', function () { return url.parse('http://a.com/a b').href; });
show('domainToASCII', function () { return url.domainToASCII('中文.com'); });
show('fileURLToPath', function () { return typeof url.fileURLToPath; });
