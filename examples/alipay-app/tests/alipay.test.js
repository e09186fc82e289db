// Handler tests of the Alipay app-payment example. The functions carry key
// placeholders; configure() fills them with keys made for this file.
var crypto = require('crypto');
var APP_ID = '2021000000000042';
var app = keys.rsa();     // the merchant's application key pair
var alipay = keys.rsa();  // "Alipay's" key pair, which signs notifies

configure({
  replace: {
    __ALIPAY_APP_ID__: APP_ID,
    __APP_PRIVATE_KEY__: app.privateKeyBare,
    __ALIPAY_PUBLIC_KEY__: alipay.publicKeyBare
  }
});

function beijing(ms) { return new Date(ms + 8 * 3600e3).toISOString().replace('T', ' ').slice(0, 19); }

// notify builds a trade_status_sync notify signed the way Alipay signs it.
function notify(fields) {
  var p = {
    notify_type: 'trade_status_sync', notify_id: 'n' + clock.now(), notify_time: beijing(clock.now()),
    app_id: APP_ID, charset: 'utf-8', version: '1.0', sign_type: 'RSA2', trade_status: 'TRADE_SUCCESS',
    trade_no: '2026010122001400000000000001', gmt_payment: beijing(clock.now()), subject: '一个月会员'
  };
  Object.keys(fields).forEach(function (k) { p[k] = fields[k]; });
  var content = Object.keys(p).filter(function (k) { return k !== 'sign' && k !== 'sign_type'; }).sort()
    .map(function (k) { return k + '=' + p[k]; }).join('&');
  p.sign = crypto.createSign('RSA-SHA256').update(content).sign(alipay.privateKey, 'base64');
  return p;
}

function createOrder() {
  var r = call('createOrder', { json: { productId: 'P1', subject: '一个月会员', amount: '9.90' } });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

test('createOrder stores the order and answers an orderStr signed with the app key', function () {
  var order = createOrder();
  assert.match(order.outTradeNo, /^AP1767232800000\d+$/);
  var params = {};
  order.orderStr.split('&').forEach(function (kv) {
    var i = kv.indexOf('=');
    params[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1));
  });
  assert.equal(params.method, 'alipay.trade.app.pay');
  assert.equal(params.timestamp, '2026-01-01 10:00:00');
  assert.equal(JSON.parse(params.biz_content).total_amount, '9.90');
  var content = Object.keys(params).filter(function (k) { return k !== 'sign'; }).sort()
    .map(function (k) { return k + '=' + params[k]; }).join('&');
  assert(crypto.createVerify('RSA-SHA256').update(content).verify(app.publicKey, params.sign, 'base64'),
    'orderStr signature verifies with the app public key');
  assert.deepEqual(db.rows('PayOrder').map(function (o) { return [o.outTradeNo, o.amount, o.status]; }),
    [[order.outTradeNo, '9.90', 'WAIT_BUYER_PAY']]);
});

test('the same seed and clock give the same order number in every run', function () {
  snapshot('order number', createOrder().outTradeNo);
});

test('a genuine notify marks the order paid once (snapshot of the row)', function () {
  var order = createOrder();
  clock.advance(5 * 60 * 1000); // the buyer pays five minutes later
  var n = notify({ out_trade_no: order.outTradeNo, total_amount: '9.90' });
  assert.equal(call('alipayNotify', { form: n }).text, 'success');
  var row = db.find('PayOrder', { outTradeNo: order.outTradeNo })[0];
  assert.equal(row.status, 'PAID');
  snapshot('paid order', row);
  assert.equal(call('alipayNotify', { form: n }).text, 'success', 'a repeated notify is acknowledged');
  assert.equal(db.get('PayOrder', row.objectId).updatedAt, row.updatedAt, 'and changes nothing');
});

test('forged, underpaid and unknown notifies answer fail', function () {
  var order = createOrder();
  var forged = notify({ out_trade_no: order.outTradeNo, total_amount: '9.90' });
  forged.total_amount = '0.01';
  assert.equal(call('alipayNotify', { form: forged }).text, 'fail');
  assert.equal(call('alipayNotify', { form: notify({ out_trade_no: order.outTradeNo, total_amount: '0.01' }) }).text, 'fail');
  var unknown = call('alipayNotify', { form: notify({ out_trade_no: 'AP0', total_amount: '1.00' }) });
  assert.equal(unknown.text, 'fail');
  assert.includes(unknown.log.join('\n'), 'notify for an unknown order AP0');
  assert.equal(db.rows('PayOrder')[0].status, 'WAIT_BUYER_PAY');
});

test('createOrder validates the amount', function () {
  var r = call('createOrder', { json: { productId: 'P1', subject: 'x', amount: 'abc' } });
  assert.equal(r.status, 400);
  assert.equal(db.count('PayOrder'), 0);
});
