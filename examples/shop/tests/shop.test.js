// Handler tests of the shop example: a leaderboard recomputed by a timed task
// and an Order table guarded by the data hook (functions/bmobemu.yaml). The
// clock starts frozen at 2026-01-01 10:00:00 Beijing time.

test('the project file declares the tasks with their next runs on the frozen clock', function () {
  var list = tasks.list();
  assert.deepEqual(list.map(function (t) { return [t.name, t.rule, t.enabled]; }), [
    ['leaderboard', '0 0 * * * *', true],
    ['expire-orders', '0 30 3 * * *', true],
    ['weekly-report', '0 0 9 * * 1', false]
  ]);
  assert.equal(list[0].next, '2026-01-01T11:00:00+08:00');
  assert.equal(list[1].next, '2026-01-02T03:30:00+08:00');
});

test('advancing the clock an hour runs the leaderboard task once, at the top of the hour', function () {
  assert.equal(db.count('Leaderboard'), 0);
  clock.advance('59m');
  assert.equal(db.count('Leaderboard'), 0, 'not due before 11:00');
  clock.advance('1m');
  var board = call('leaderboard').json;
  assert.deepEqual(board.top, [
    { rank: 1, player: 'grace', score: 340 },
    { rank: 2, player: 'ada', score: 120 },
    { rank: 3, player: 'linus', score: 75 }
  ]);
  assert.equal(board.computedAt, '2026-01-01T03:00:00.000Z'); // 11:00 Beijing
  var runs = tasks.runs('leaderboard');
  assert.equal(runs.length, 1);
  assert.equal(runs[0].outcome, 'ok');
});

test('a day of clock runs every due tick in order, each to completion', function () {
  db.insert('Score', { player: 'ken', score: 500 });
  clock.advance('1d');
  // 24 hourly runs; the last 20 are kept.
  var runs = tasks.runs('leaderboard');
  assert.equal(runs.length, 20);
  assert.equal(runs[0].scheduled, '2026-01-01T15:00:00+08:00');
  assert.equal(runs[19].scheduled, '2026-01-02T10:00:00+08:00');
  assert.equal(tasks.runs('expire-orders').length, 1);
  assert.equal(db.count('Leaderboard'), 1, 'one row, updated each hour');
  assert.equal(call('leaderboard').json.top[0].player, 'ken');
  // expire-orders ran at 03:30 on the 2nd: A-1 (unpaid since the 30th) expired;
  // A-2 (unpaid since 09:00 on the 1st) was not a day old yet; A-3 is paid.
  assert.equal(db.get('Order', 'o000000001').status, 'expired');
  assert.equal(db.get('Order', 'o000000002').status, 'unpaid');
  assert.equal(db.get('Order', 'o000000003').status, 'paid');
});

test('tasks.run runs a task now, even a disabled one', function () {
  var r = tasks.run('weekly-report');
  assert.equal(r.outcome, 'ok');
  assert.equal(db.count('Leaderboard'), 1);
});

test('the hook refuses the AdminNote table to clients, but not to cloud functions', function () {
  var r = api('GET', '/1/classes/AdminNote');
  assert.equal(r.status, 400);
  assert.deepEqual(r.json, { code: 324, error: 'AdminNote is not open to clients' });
  assert.equal(api('POST', '/1/classes/AdminNote', { json: { text: 'x' } }).json.code, 324);
  assert.equal(db.count('AdminNote'), 1);
  // Another table is not covered by the hook.
  assert.equal(api('GET', '/1/classes/Score').json.results.length, 3);
});

test('the hook rewrites payWith into channel on create and update', function () {
  var r = api('POST', '/1/classes/Order', { json: { orderNo: 'B-1', status: 'unpaid', payWith: '支付宝' } });
  assert.equal(r.status, 201);
  var row = db.get('Order', r.json.objectId);
  assert.equal(row.channel, 1);
  assert.equal(row.payWith, undefined);
  assert.equal(api('PUT', '/1/classes/Order/' + r.json.objectId, { json: { payWith: '微信' } }).status, 200);
  assert.equal(db.get('Order', r.json.objectId).channel, 2);
});

test('the hook reads its own table to refuse a second order with the same number', function () {
  var r = api('POST', '/1/classes/Order', { json: { orderNo: 'A-2', payWith: '微信' } });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json, { code: 324, error: 'order A-2 exists already' });
  assert.equal(db.count('Order'), 3);
});

test('the hook refuses writes from the iOS SDK and lets its queries through', function () {
  var ios = { 'X-Bmob-SDK-Type': 'iOS' };
  assert.equal(api('POST', '/1/classes/Order', { json: { orderNo: 'C-1' }, headers: ios }).json.error, 'orders from iOS are paused');
  assert.equal(api('GET', '/1/classes/Order', { query: { where: { status: 'paid' } }, headers: ios }).json.results.length, 1);
  assert.equal(api('POST', '/1/classes/Order', { json: { orderNo: 'C-1' }, headers: { 'X-Bmob-SDK-Type': 'Android' } }).status, 201);
});

test('batch sub-requests pass through the hook one by one', function () {
  var r = api('POST', '/1/batch', { json: { requests: [
    { method: 'POST', path: '/1/classes/Order', body: { orderNo: 'D-1', payWith: '支付宝' } },
    { method: 'POST', path: '/1/classes/AdminNote', body: { text: 'sneaky' } },
    { method: 'POST', path: '/1/classes/Score', body: { player: 'x', score: 1 } }
  ] } });
  assert.equal(r.status, 200);
  assert.ok(r.json[0].success.objectId);
  assert.deepEqual(r.json[1].error, { code: 324, error: 'AdminNote is not open to clients' });
  assert.ok(r.json[2].success.objectId);
  assert.equal(db.find('Order', { orderNo: 'D-1' })[0].channel, 1);
});

test('BQL passes through the hook as the operation it is', function () {
  var r = api('GET', '/1/cloudQuery', { query: { bql: 'select * from AdminNote' } });
  assert.deepEqual(r.json, { code: 324, error: 'AdminNote is not open to clients' });
  r = api('GET', '/1/cloudQuery', { query: { bql: "insert into AdminNote(text) values('sneaky')" } });
  assert.deepEqual(r.json, { code: 324, error: 'AdminNote is not open to clients' });
  assert.equal(db.count('AdminNote'), 1);
  r = api('GET', '/1/cloudQuery', { query: { bql: 'select count(*) from Score' } });
  assert.equal(r.json.count, 3);
});
