// The mini-program payment end to end: mpPay (a ctx-style function) opens the trade
// with ctx.cloud.payment.common.create in the Alipay simulator, the simulator pays it
// and signs the notify, mpNotify (a Bmob function) marks the order paid, and
// mpOrderStatus reports it. The sandbox keys are pasted as `bmobemu sandbox keys`
// prints them; ctx.cloud signs with the same sandbox app by default.
var A = sandbox.keys.alipay;
configure({
  replace: {
    __ALIPAY_APP_ID__: A.appId,
    __APP_PRIVATE_KEY__: A.privateKeyBare,
    __ALIPAY_PUBLIC_KEY__: A.alipayPublicKeyBare
  }
});

var BUYER = '2088102177846880';

function pay(item, buyer) {
  return call('mpPay', { json: { item: item }, headers: { 'X-Bmobemu-Alipay-User-Id': buyer || BUYER } });
}

function order(no) { return db.find('MpOrder', { outTradeNo: no })[0]; }

test('mpPay opens a trade in the simulator and records a pending order', function () {
  var r = pay('latte');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.ok, true);
  assert.match(r.json.outTradeNo, /^MP\d{19}$/);
  assert.match(r.json.tradeNo, /^\d{28}$/);
  assert.deepEqual(sandbox.trades().map(function (t) { return [t.kind, t.outTradeNo, t.tradeNo, t.status, t.amount]; }),
    [['create', r.json.outTradeNo, r.json.tradeNo, 'WAIT_BUYER_PAY', '0.01']]);
  var row = order(r.json.outTradeNo);
  assert.deepEqual([row.status, row.amount, row.item, row.buyerId, row.tradeNo], ['PENDING', '0.01', 'latte', BUYER, r.json.tradeNo]);
});

test('paying in the simulator notifies mpNotify, which marks the order paid once', function () {
  var o = pay('cake').json;
  clock.advance(30 * 1000);
  var paid = sandbox.pay({ outTradeNo: o.outTradeNo });
  assert.equal(paid.trade.status, 'TRADE_SUCCESS');
  var n = paid.notifies[0];
  assert.deepEqual([n.url, n.state, n.answer, n.form.total_amount, n.form.app_id],
    ['https://cloud.example.com/mp/mpNotify', 'acknowledged', 'success', '12.50', A.appId]);
  var row = order(o.outTradeNo);
  assert.deepEqual([row.status, row.paidAt.iso], ['PAID', '2026-01-01 10:00:30']);
  // A repeated notify changes nothing and is acknowledged.
  clock.advance(60 * 1000);
  var again = sandbox.replay(n.id);
  assert.equal(again.answer, 'success');
  assert.equal(order(o.outTradeNo).paidAt.iso, '2026-01-01 10:00:30');

  var status = call('mpOrderStatus', { query: { outTradeNo: o.outTradeNo } });
  assert.equal(status.status, 200, status.text);
  assert.deepEqual(status.json, {
    order: { outTradeNo: o.outTradeNo, item: 'cake', amount: '12.50', status: 'PAID', paidAt: '2026-01-01 10:00:30' },
    tradeStatus: 'TRADE_SUCCESS'
  });
});

test('a forged notify is refused and the order stays pending', function () {
  var o = pay('latte').json;
  var r = call('mpNotify', { form: { out_trade_no: o.outTradeNo, total_amount: '0.01', trade_status: 'TRADE_SUCCESS', app_id: A.appId, sign_type: 'RSA2', sign: 'Zm9yZ2Vk' } });
  assert.equal(r.text, 'fail');
  assert.equal(order(o.outTradeNo).status, 'PENDING');
});

test('an unpaid trade reports WAIT_BUYER_PAY', function () {
  var o = pay('latte').json;
  var s = call('mpOrderStatus', { json: { outTradeNo: o.outTradeNo } }).json;
  assert.deepEqual([s.order.status, s.tradeStatus], ['PENDING', 'WAIT_BUYER_PAY']);
});

test('errors answer as the platform does: an unknown item, an anonymous caller', function () {
  var r = call('mpPay', { json: { item: 'tea' }, headers: { 'X-Bmobemu-Alipay-User-Id': BUYER } });
  assert.equal(r.status, 500);
  assert.equal(r.headers['x-fc-error-type'], 'UnhandledInvocationError');
  assert.deepEqual([r.json.errorType, r.json.errorMessage], ['Error', 'unknown item: tea']);
  assert.match(r.json.stackTrace.join('\n'), /mpPay\.js:\d+/);
  var anon = call('mpPay', { json: { item: 'latte' } });
  assert.equal(anon.status, 500);
  assert.match(anon.json.errorMessage, /no signed-in user/);
  assert.equal(sandbox.trades().length, 0);
  assert.equal(db.count('MpOrder'), 0);
});
