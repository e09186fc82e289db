var path = require('path');
var cases = {
  join: [['/a', 'b', '../c', './d'], ['a', '', 'b/'], [], ['', ''], ['/a/', '/b/'], ['a', '..', '..', 'b']],
  resolve: [['/a/b', './c'], ['/a/b', '/c', 'd'], ['a', 'b'], [''], ['/a/b/', '..']],
  normalize: [['/a//b/../c/.'], ['./a/'], [''], ['..//..'], ['/..'], ['a/b/../../..']],
  dirname: [['/a/b/c'], ['/a/b/'], ['a'], ['/'], [''], ['//a'], ['a/b']],
  basename: [['/a/b/c.txt'], ['/a/b/c.txt', '.txt'], ['/a/b/'], ['c.txt', 'c.txt'], [''], ['.bashrc']],
  extname: [['a.js'], ['a.tar.gz'], ['.bashrc'], ['a.'], ['a'], ['a/b.c/d'], ['..']],
  isAbsolute: [['/a'], ['a'], ['']],
  relative: [['/a/b/c', '/a/d'], ['/a', '/a/b/c'], ['/a/b', '/a/b'], ['/', '/x'], ['a', 'b']],
  parse: [['/home/u/file.txt'], ['file'], ['/'], ['./a.b.c'], ['/a/b/']],
};
Object.keys(cases).forEach(function (fn) {
  cases[fn].forEach(function (args) {
    show(fn + '(' + JSON.stringify(args).slice(1, -1) + ')', function () { return path[fn].apply(path, args); });
  });
});
show('format', function () { return path.format({ root: '/', dir: '/home/u', base: 'f.txt' }); });
show('format name ext', function () { return path.format({ name: 'f', ext: '.js' }); });
show('sep delimiter', function () { return [path.sep, path.delimiter]; });
show('posix', function () { return path.posix === path || path.posix.join === path.join; });
show('join non-string', function () { return path.join('a', 1); });
show('basename non-string', function () { return path.basename(null); });
show('node: prefix', function () { return require('node:path').join('x', 'y'); });
