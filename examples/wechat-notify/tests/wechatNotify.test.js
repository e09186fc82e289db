// Handler tests of the WeChat Pay v3 notify example: genuine notifies are
// encrypted with AEAD_AES_256_GCM under the APIv3 key and signed with the
// platform key, both made here; the order comes from fixtures/orders.json.
var crypto = require('crypto');
var API_V3_KEY = '0123456789abcdefghijklmnopqrstuv';
var MCHID = '1900000109';
var platform = keys.rsa();

configure({
  replace: {
    __APIV3_KEY__: API_V3_KEY,
    __MCHID__: MCHID,
    __PLATFORM_PUBLIC_KEY__: JSON.stringify(platform.publicKey).slice(1, -1)
  }
});

function transaction(fields) {
  var tx = {
    mchid: MCHID, appid: 'wx0000', out_trade_no: 'wx_1', transaction_id: '4200000001', trade_type: 'APP',
    trade_state: 'SUCCESS', success_time: '2026-01-01T10:00:05+08:00',
    amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' }
  };
  Object.keys(fields || {}).forEach(function (k) { tx[k] = fields[k]; });
  return tx;
}

// notify encrypts tx and signs the body as WeChat Pay does.
function notify(tx) {
  var nonce = 'a1b2c3d4e5f6';
  var cipher = crypto.createCipheriv('aes-256-gcm', API_V3_KEY, nonce);
  cipher.setAAD(Buffer.from('transaction'));
  var ct = Buffer.concat([cipher.update(JSON.stringify(tx), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  var body = JSON.stringify({
    id: 'EV-1', create_time: '2026-01-01T10:00:05+08:00', resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS', summary: '支付成功',
    resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: ct.toString('base64'),
      associated_data: 'transaction', nonce: nonce }
  });
  var ts = String(Math.floor(clock.now() / 1000));
  var sig = crypto.createSign('RSA-SHA256').update(ts + '\n' + 'nonce42' + '\n' + body + '\n').sign(platform.privateKey, 'base64');
  return {
    body: body, contentType: 'application/json',
    headers: { 'Wechatpay-Timestamp': ts, 'Wechatpay-Nonce': 'nonce42', 'Wechatpay-Signature': sig, 'Wechatpay-Serial': 'PUB_KEY_ID_TEST' }
  };
}

test('a genuine notify marks the order paid, once', function () {
  var r = call('wechatNotify', notify(transaction()));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { code: 'SUCCESS' });
  var order = db.get('WxOrder', 'wx00000001');
  assert.deepEqual([order.status, order.transactionId, order.paidAt.iso], ['PAID', '4200000001', '2026-01-01 10:00:05']);
  assert.equal(call('wechatNotify', notify(transaction())).status, 200);
  assert.equal(db.get('WxOrder', 'wx00000001').updatedAt, order.updatedAt, 'a repeat changes nothing');
});

test('a tampered signature is refused with 401', function () {
  var n = notify(transaction());
  n.headers['Wechatpay-Signature'] = Buffer.alloc(256).toString('base64');
  var r = call('wechatNotify', n);
  assert.equal(r.status, 401);
  assert.equal(db.get('WxOrder', 'wx00000001').status, 'NOTPAY');
});

test('a notify older than five minutes is refused', function () {
  var n = notify(transaction());
  clock.advance(301 * 1000);
  assert.deepEqual(call('wechatNotify', n).json, { code: 'FAIL', message: 'stale timestamp' });
});

test('an amount mismatch or an unknown order is refused', function () {
  var wrong = transaction({ amount: { total: 1, payer_total: 1, currency: 'CNY', payer_currency: 'CNY' } });
  assert.equal(call('wechatNotify', notify(wrong)).status, 400);
  assert.equal(call('wechatNotify', notify(transaction({ out_trade_no: 'wx_404' }))).status, 404);
});

test('a resource that does not decrypt is a 400 and is logged', function () {
  var n = notify(transaction());
  var body = JSON.parse(n.body);
  body.resource.nonce = 'xxxxxxxxxxxx';
  n.body = JSON.stringify(body);
  var ts = n.headers['Wechatpay-Timestamp'];
  n.headers['Wechatpay-Signature'] = crypto.createSign('RSA-SHA256').update(ts + '\nnonce42\n' + n.body + '\n').sign(platform.privateKey, 'base64');
  var r = call('wechatNotify', n);
  assert.equal(r.status, 400);
  assert.match(r.log.join('\n'), /could not decrypt the notify/);
});
