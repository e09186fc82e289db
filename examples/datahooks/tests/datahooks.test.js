// The four data hooks of Bmob's docs, through REST calls as a client makes
// them (api()), in `bmobemu test`.

test('denyOrder refuses the Order table with its message and lets other tables through', function () {
  var r = api('POST', '/1/classes/Order', { json: { item: 'pen' } });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json, { code: 324, error: 'Order表禁止操作' });
  assert.equal(api('GET', '/1/classes/Order').json.error, 'Order表禁止操作');
  assert.equal(db.count('Order'), 0);
  assert.equal(api('POST', '/1/classes/Item', { json: { name: 'pen' } }).status, 201);
  assert.equal(db.count('Item'), 1);
});

test('writersByIP lets anyone query and only 112.112.112.112 write', function () {
  datahook.use('writersByIP');
  var id = db.insert('Item', { name: 'pen' }).objectId;
  assert.equal(api('GET', '/1/classes/Item/' + id, { ip: '10.0.0.9' }).json.name, 'pen');
  var r = api('PUT', '/1/classes/Item/' + id, { json: { name: 'cup' }, ip: '10.0.0.9' });
  assert.deepEqual(r.json, { code: 324, error: '禁止操作' });
  assert.equal(api('DELETE', '/1/classes/Item/' + id, { ip: '10.0.0.9' }).json.code, 324);
  assert.equal(api('PUT', '/1/classes/Item/' + id, { json: { name: 'cup' }, ip: '112.112.112.112' }).status, 200);
  assert.equal(db.get('Item', id).name, 'cup');
});

test('refuseIOS refuses the iOS SDK and serves Android and plain REST', function () {
  datahook.use('refuseIOS');
  assert.deepEqual(api('GET', '/1/classes/Item', { headers: { 'X-Bmob-SDK-Type': 'IOS' } }).json, { code: 324, error: '禁止IOS访问' });
  assert.equal(api('GET', '/1/classes/Item', { headers: { 'X-Bmob-SDK-Type': 'Android' } }).status, 200);
  assert.equal(api('GET', '/1/classes/Item').status, 200);
});

test('sexToNumber rewrites sexText into sex before the row is saved', function () {
  datahook.use('sexToNumber');
  var id = api('POST', '/1/classes/Person', { json: { name: 'li', sexText: '男' } }).json.objectId;
  assert.equal(db.get('Person', id).sex, 1);
  assert.equal(api('PUT', '/1/classes/Person/' + id, { json: { sexText: '女' } }).status, 200);
  assert.equal(db.get('Person', id).sex, 0);
  assert.equal(db.get('Person', id).sexText, '女');
});

test('the hook is given Bmob\'s fields built from the real request', function () {
  datahook.use('echoHook');
  var r = api('PUT', '/1/classes/Item/abc', {
    json: { n: { __op: 'Increment', amount: 2 } }, ip: '1.2.3.4',
    headers: { 'User-Agent': 'shop-app/1.0', 'X-Bmob-SDK-Type': 'Android', 'X-Bmob-Session-Token': 'tok' }
  });
  var seen = JSON.parse(r.json.error);
  assert.deepEqual(seen, {
    table: 'Item', operation: 'update', caller: 'Android', ip: '1.2.3.4', ua: 'shop-app/1.0', token: 'tok',
    data: '{"$set":{"n":{"__op":"Increment","amount":2}},"objectId":"abc"}'
  });
  seen = JSON.parse(api('GET', '/1/classes/Item', { query: { where: { n: { $gt: 1 } }, limit: '5' } }).json.error);
  assert.equal(seen.operation, 'query');
  assert.deepEqual(JSON.parse(seen.data), { where: { n: { $gt: 1 } }, limit: '5' });
  seen = JSON.parse(api('DELETE', '/1/classes/Item/abc').json.error);
  assert.deepEqual([seen.operation, seen.data, seen.caller], ['delete', '{"objectId":"abc"}', '']);
});

test('a hook that throws fails closed and fails the test with its log', function () {
  datahook.use('throwingHook');
  assert.throws(function () { api('GET', '/1/classes/Item'); },
    /the data hook failed: data hook error: data hook throwingHook: .*no hook today.*throwingHook\.js:3/);
});
