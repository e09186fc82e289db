// Handler tests of the guestbook example, run by `bmobemu test examples/guestbook`.
// Every test starts from fixtures/messages.json on a fresh store, with the clock
// frozen at 2026-01-01 10:00:00 (Beijing) and seeded randomness.

test('sign stores a message and counts the author through oFunctions.run', function () {
  var r = call('sign', { json: { author: 'ada', text: 'hello again' } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, {
    code: 200, objectId: r.json.objectId, createdAt: '2026-01-01 10:00:00', authorTotal: 2
  });
  var mine = db.find('Message', { author: 'ada' }, { order: 'createdAt' });
  assert.equal(mine.length, 2);
  assert.equal(mine[1].text, 'hello again');
  assert.equal(mine[1].likes, 0);
});

test('sign rejects an empty text and stores nothing', function () {
  var r = call('sign', { form: { author: 'ada', text: '   ' } });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json, { code: 400, msg: 'author and text are required' });
  assert.equal(db.count('Message'), 2);
});

test('like increments atomically and answers the new count', function () {
  assert.equal(call('like', { json: { objectId: 'm000000002' } }).json.likes, 8);
  assert.equal(call('like', { json: { objectId: 'm000000002' } }).json.likes, 9);
  assert.equal(db.get('Message', 'm000000002').likes, 9);
});

test('like of an unknown message is a 404 with Bmob\'s error', function () {
  var r = call('like', { json: { objectId: 'nope000000' } });
  assert.equal(r.status, 404);
  assert.equal(r.json.code, 101);
});

test('messages lists newest first and joins the most liked (snapshot)', function () {
  clock.advance(60 * 1000);
  call('sign', { json: { author: 'linus', text: 'a minute later' } });
  var r = call('messages', { query: { limit: '2' } });
  assert.equal(r.status, 200);
  snapshot('messages?limit=2', r.json);
});

test('messages validates limit', function () {
  assert.equal(call('messages', { query: { limit: '0' } }).status, 400);
  assert.match(call('messages', { query: { limit: 'x' } }).text, /limit must be between 1 and 100/);
});

test('count works by query and through the REST form', function () {
  assert.deepEqual(call('count', { query: { author: 'grace' } }).json, { author: 'grace', count: 1 });
  var r = rest('count', { author: 'ada' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.result, { author: 'ada', count: 1 });
});

test('the store\'s timestamps follow the frozen clock', function () {
  clock.set('2026-02-03 04:05:06');
  var r = call('sign', { json: { author: 'ada', text: 'later' } });
  assert.equal(r.json.createdAt, '2026-02-03 04:05:06');
  assert.equal(new Date().getTime(), clock.now());
});
