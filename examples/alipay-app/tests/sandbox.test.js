// The Alipay app payment through bmobemu's payment sandbox: the functions carry
// the sandbox keys (as a reader pastes `bmobemu sandbox keys`), createOrder's
// signed orderStr reaches the Alipay simulator as the phone app would submit it,
// and the simulator signs and delivers the trade_status_sync notify itself.
var A = sandbox.keys.alipay;
configure({
  replace: {
    __ALIPAY_APP_ID__: A.appId,
    __APP_PRIVATE_KEY__: A.privateKeyBare,
    __ALIPAY_PUBLIC_KEY__: A.alipayPublicKeyBare
  }
});

function createOrder() {
  var r = call('createOrder', { json: { productId: 'P1', subject: '一个月会员', amount: '9.90' } });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

function order(no) { return db.find('PayOrder', { outTradeNo: no })[0]; }

test('the simulator took the signed app order; paying it notifies alipayNotify, which marks the order paid', function () {
  var o = createOrder();
  assert.deepEqual(sandbox.trades().map(function (t) { return [t.provider, t.kind, t.outTradeNo, t.status, t.amount]; }),
    [['alipay', 'app', o.outTradeNo, 'WAIT_BUYER_PAY', '9.90']]);
  clock.advance(60 * 1000); // the buyer pays a minute later
  var paid = sandbox.pay({ outTradeNo: o.outTradeNo });
  assert.equal(paid.trade.status, 'TRADE_SUCCESS');
  assert.equal(paid.notifies.length, 1);
  var n = paid.notifies[0];
  assert.deepEqual([n.event, n.state, n.acknowledged, n.answer, n.attempts.length], ['pay', 'acknowledged', true, 'success', 1]);
  assert.equal(n.url, 'https://cloud.example.com/__SECRET__/alipayNotify');
  assert.deepEqual([n.form.out_trade_no, n.form.total_amount, n.form.trade_status, n.form.app_id, n.form.sign_type],
    [o.outTradeNo, '9.90', 'TRADE_SUCCESS', A.appId, 'RSA2']);
  var row = order(o.outTradeNo);
  assert.deepEqual([row.status, row.tradeNo, row.paidAt.iso, row.updatedAt],
    ['PAID', paid.trade.tradeNo, '2026-01-01 10:01:00', '2026-01-01 10:01:00']);
});

test('a notify answered fail is retried on Alipay\'s schedule as the clock advances', function () {
  var o = createOrder();
  // The stored amount disagrees with the trade: alipayNotify answers fail.
  db.update('PayOrder', order(o.outTradeNo).objectId, { amount: '19.90' });
  var n = sandbox.pay({ outTradeNo: o.outTradeNo }).notifies[0];
  assert.deepEqual([n.state, n.answer, n.nextAttemptAt], ['retrying', 'fail', '2026-01-01 10:04:00']);
  assert.equal(order(o.outTradeNo).status, 'WAIT_BUYER_PAY');

  clock.advance(3 * 60 * 1000); // not yet due
  assert.equal(sandbox.notifies()[0].attempts.length, 1);

  db.update('PayOrder', order(o.outTradeNo).objectId, { amount: '9.90' }); // the merchant fixes the row
  clock.advance(60 * 1000); // 10:04: Alipay's first retry
  var after = sandbox.notifies()[0];
  assert.deepEqual(after.attempts.map(function (a) { return [a.n, a.at, a.body, a.acknowledged]; }),
    [[1, '2026-01-01 10:00:00', 'fail', false], [2, '2026-01-01 10:04:00', 'success', true]]);
  assert.equal(after.state, 'acknowledged');
  assert.equal(order(o.outTradeNo).status, 'PAID');
});

test('replaying a notify is idempotent: acknowledged again, the row unchanged', function () {
  var o = createOrder();
  var n = sandbox.pay({ outTradeNo: o.outTradeNo }).notifies[0];
  var before = order(o.outTradeNo);
  clock.advance(10 * 60 * 1000);
  var again = sandbox.replay(n.id);
  assert.deepEqual([again.replayOf, again.acknowledged, again.answer, again.body], [n.id, true, 'success', n.body]);
  assert.deepEqual(order(o.outTradeNo), before);
  assert.equal(sandbox.notifies().length, 2);
});

test('closing the unpaid trade notifies TRADE_CLOSED: the order is closed and a later pay is refused', function () {
  var o = createOrder();
  var closed = sandbox.close({ outTradeNo: o.outTradeNo });
  assert.equal(closed.trade.status, 'TRADE_CLOSED');
  assert.deepEqual(closed.notifies.map(function (n) { return [n.event, n.form.trade_status, n.answer]; }),
    [['close', 'TRADE_CLOSED', 'success']]);
  assert.equal(order(o.outTradeNo).status, 'CLOSED');
  assert.throws(function () { sandbox.pay({ outTradeNo: o.outTradeNo }); }, /ACQ.TRADE_HAS_CLOSE/);
});

test('an order number the simulator never saw cannot be paid without an amount', function () {
  assert.throws(function () { sandbox.pay({ outTradeNo: 'AP0' }); }, /no trade "AP0"/);
});
