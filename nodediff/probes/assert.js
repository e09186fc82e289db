var assert = require('assert');
function check(label, fn) {
  try { fn(); console.log(label + ': no throw'); } catch (e) {
    console.log(label + ': ' + JSON.stringify([e.name, e.message, e.code, e.operator, e.generatedMessage, e instanceof assert.AssertionError]));
  }
}
check('strictEqual numbers', function () { assert.strictEqual(1, 2); });
check('strictEqual long strings', function () { assert.strictEqual('hello world', 'hello there'); });
check('strictEqual short strings', function () { assert.strictEqual('a', 'b'); });
check('strictEqual types', function () { assert.strictEqual(1, '1'); });
check('strictEqual null undefined', function () { assert.strictEqual(null, undefined); });
check('strictEqual same objects', function () { assert.strictEqual({ a: 1 }, { a: 1 }); });
check('strictEqual NaN', function () { assert.strictEqual(NaN, NaN); });
check('strictEqual message', function () { assert.strictEqual(1, 2, 'one is not two'); });
check('strictEqual error message', function () { assert.strictEqual(1, 2, new TypeError('custom')); });
check('equal', function () { assert.equal(1, 2); });
check('equal loose', function () { assert.equal(1, '1'); });
check('notEqual', function () { assert.notEqual(1, 1); });
check('notStrictEqual', function () { assert.notStrictEqual(1, 1); });
check('deepStrictEqual object', function () { assert.deepStrictEqual({ a: 1 }, { a: 2 }); });
check('deepStrictEqual array', function () { assert.deepStrictEqual([1, 2], [1, 3]); });
check('deepStrictEqual ok', function () { assert.deepStrictEqual({ a: [1, { b: 2 }], d: new Date(0) }, { a: [1, { b: 2 }], d: new Date(0) }); });
check('deepStrictEqual buffers', function () { assert.deepStrictEqual(Buffer.from('ab'), Buffer.from('ab')); });
check('deepStrictEqual map set', function () { assert.deepStrictEqual(new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]])); assert.deepStrictEqual(new Set([1, 2]), new Set([2, 1])); });
check('deepEqual loose', function () { assert.deepEqual({ a: 1 }, { a: '1' }); });
check('deepEqual fails', function () { assert.deepEqual({ a: 1 }, { a: '2' }); });
check('deepEqual numbers', function () { assert.deepEqual(1, 2); });
check('notDeepStrictEqual', function () { assert.notDeepStrictEqual({ a: 1 }, { a: 1 }); });
check('ok message', function () { assert.ok(0, 'zero'); });
check('ok no args', function () { assert.ok(); });
check('assert true', function () { assert(true); assert.ok(1); });
check('throws none', function () { assert.throws(function () { }); });
check('throws none typed', function () { assert.throws(function () { }, TypeError); });
check('throws none message', function () { assert.throws(function () { }, /x/, 'msg'); });
check('throws matching', function () { assert.throws(function () { throw new TypeError('bad thing'); }, TypeError); assert.throws(function () { throw new Error('bad thing'); }, /bad/); assert.throws(function () { throw new Error('bad'); }, { message: 'bad' }); });
check('throws wrong class', function () { assert.throws(function () { throw new RangeError('r'); }, TypeError); });
check('doesNotThrow', function () { assert.doesNotThrow(function () { throw new Error('x'); }); });
check('match', function () { assert.match('xyz', /abc/); });
check('doesNotMatch', function () { assert.doesNotMatch('abc', /b/); });
check('ifError', function () { assert.ifError(new Error('boom')); });
check('ifError null', function () { assert.ifError(null); });
check('fail', function () { assert.fail(); });
check('fail message', function () { assert.fail('custom'); });
check('strict equal', function () { assert.strict.equal(1, '1'); });
check('assert/strict', function () { require('assert/strict').deepEqual([1], ['1']); });
check('toString', function () { try { assert.strictEqual(1, 2); } catch (e) { throw new Error(String(e).split('\n')[0]); } });
assert.rejects(Promise.reject(new Error('no')), /no/).then(function () { console.log('rejects: ok'); });
assert.rejects(Promise.resolve(1)).catch(function (e) { console.log('rejects resolved: ' + e.message); });
