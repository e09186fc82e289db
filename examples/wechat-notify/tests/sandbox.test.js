// The WeChat Pay v3 notify through bmobemu's payment sandbox: the function
// carries the sandbox's APIv3 key, platform public key and mchid, and the WeChat
// simulator encrypts, signs and delivers the TRANSACTION.SUCCESS notify itself
// for order wx_1 (fixtures/orders.json, 1.00 yuan).
var W = sandbox.keys.wechat;
configure({
  replace: {
    __APIV3_KEY__: W.apiV3Key,
    __MCHID__: W.mchid,
    __PLATFORM_PUBLIC_KEY__: JSON.stringify(W.platformPublicKey).slice(1, -1)
  }
});

var NOTIFY_URL = 'https://merchant.example.com/pay/wechatNotify';

function pay() {
  return sandbox.pay({ provider: 'wechat', outTradeNo: 'wx_1', amount: '1.00', notifyUrl: NOTIFY_URL });
}

test('paying in the simulator delivers a signed, encrypted notify that marks the order paid', function () {
  clock.advance(5000);
  var paid = pay();
  assert.deepEqual([paid.trade.provider, paid.trade.status, paid.trade.amount], ['wechat', 'TRADE_SUCCESS', '1.00']);
  var n = paid.notifies[0];
  assert.deepEqual([n.event, n.state, n.attempts[0].status, n.acknowledged], ['pay', 'acknowledged', 200, true]);
  assert.deepEqual([n.json.event_type, n.json.resource.algorithm], ['TRANSACTION.SUCCESS', 'AEAD_AES_256_GCM']);
  assert.equal(n.headers['wechatpay-serial'], W.platformSerial);
  var order = db.get('WxOrder', 'wx00000001');
  assert.deepEqual([order.status, order.transactionId, order.paidAt.iso],
    ['PAID', paid.trade.tradeNo, '2026-01-01 10:00:05']);
});

test('a notify answered 400 is retried after 15 s of the frozen clock', function () {
  db.update('WxOrder', 'wx00000001', { total: 200 }); // wechatNotify answers 400 amount mismatch
  var n = pay().notifies[0];
  assert.deepEqual([n.state, n.attempts[0].status, n.nextAttemptAt], ['retrying', 400, '2026-01-01 10:00:15']);
  assert.match(n.answer, /amount mismatch/);
  db.update('WxOrder', 'wx00000001', { total: 100 });
  clock.advance(15000);
  var after = sandbox.notifies()[0];
  assert.deepEqual(after.attempts.map(function (a) { return [a.at, a.status]; }),
    [['2026-01-01 10:00:00', 400], ['2026-01-01 10:00:15', 200]]);
  assert.equal(after.state, 'acknowledged');
  assert.equal(db.get('WxOrder', 'wx00000001').status, 'PAID');
});

test('a replayed notify is acknowledged and changes nothing', function () {
  var n = pay().notifies[0];
  var before = db.get('WxOrder', 'wx00000001');
  clock.advance(60 * 1000);
  var again = sandbox.replay(n.id);
  assert.deepEqual([again.replayOf, again.acknowledged, again.attempts[0].status], [n.id, true, 200]);
  assert.deepEqual(db.get('WxOrder', 'wx00000001'), before);
});

