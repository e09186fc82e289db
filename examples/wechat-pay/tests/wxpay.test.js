// Handler tests of the WeChat Pay v3 example: wxPay's signed requests and its
// check of WeChat's signed answers (the API faked with http.on), and
// wxPayNotify's verification, decryption and idempotency. The whole loop through
// the sandbox's simulator is tested in Go (wechatpay_test.go).
var crypto = require('crypto');
var MCHID = '1900000109';
var APPID = 'wx8888888888888888';
var SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
var PLATFORM_SERIAL = '3775B6A45ACD588826D15E583A95F5DD2C9D0C3D';
var API_V3_KEY = '0123456789abcdefghijklmnopqrstuv';
var merchant = keys.rsa();
var platform = keys.rsa();
var API = 'https://api.mch.weixin.qq.com';

function js(s) { return JSON.stringify(s).slice(1, -1); }

configure({
  replace: {
    __MCHID__: MCHID, __WECHAT_APPID__: APPID, __MERCHANT_SERIAL__: SERIAL, __PLATFORM_SERIAL__: PLATFORM_SERIAL,
    __APIV3_KEY__: API_V3_KEY, __MERCHANT_PRIVATE_KEY__: js(merchant.privateKey), __PLATFORM_PUBLIC_KEY__: js(platform.publicKey)
  }
});

// answer is a WeChat Pay API answer signed with the platform key.
function answer(status, json, key) {
  var body = json === undefined ? '' : JSON.stringify(json);
  var ts = String(Math.floor(clock.now() / 1000));
  var sig = crypto.createSign('RSA-SHA256').update(ts + '\nn0nce\n' + body + '\n').sign((key || platform).privateKey, 'base64');
  return { status: status, text: body, headers: { 'content-type': 'application/json', 'wechatpay-timestamp': ts,
    'wechatpay-nonce': 'n0nce', 'wechatpay-signature': sig, 'wechatpay-serial': PLATFORM_SERIAL } };
}

function order(kind, extra) {
  var body = { action: 'order', kind: kind, description: '会员', total: 100 };
  Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
  return call('wxPay', { json: body });
}

// authorization parses a request's Authorization header and checks its signature.
function checkAuthorization(req, path) {
  var auth = req.headers.Authorization || req.headers.authorization;
  assert.match(auth, /^WECHATPAY2-SHA256-RSA2048 /);
  var f = {};
  auth.slice(auth.indexOf(' ') + 1).split(',').forEach(function (kv) { var i = kv.indexOf('='); f[kv.slice(0, i)] = kv.slice(i + 2, -1); });
  assert.deepEqual([f.mchid, f.serial_no], [MCHID, SERIAL]);
  var msg = req.method + '\n' + path + '\n' + f.timestamp + '\n' + f.nonce_str + '\n' + req.body + '\n';
  assert(crypto.createVerify('RSA-SHA256').update(msg).verify(merchant.publicKey, f.signature, 'base64'), 'Authorization signed with the merchant key');
}

test('an app order is signed with the merchant key and answers signed app pay params', function () {
  http.on('POST ' + API + '/v3/pay/transactions/app', answer(200, { prepay_id: 'wx01100000000000000000000000000001' }));
  var r = order('app');
  assert.equal(r.status, 200, r.text);
  var req = http.requests()[0];
  checkAuthorization(req, '/v3/pay/transactions/app');
  assert.deepEqual(req.json.amount, { total: 100, currency: 'CNY' });
  assert.equal(req.json.notify_url, 'https://cloud.example.com/xxxx/wxPayNotify');
  var p = r.json.payParams;
  assert.deepEqual([p.appid, p.partnerid, p.prepayid, p.package], [APPID, MCHID, 'wx01100000000000000000000000000001', 'Sign=WXPay']);
  assert(crypto.createVerify('RSA-SHA256').update([p.appid, p.timestamp, p.noncestr, p.prepayid].join('\n') + '\n')
    .verify(merchant.publicKey, p.sign, 'base64'), 'app params signed');
  var row = db.rows('WxPayOrder')[0];
  assert.deepEqual([row.outTradeNo, row.kind, row.total, row.status, row.prepayId], [r.json.outTradeNo, 'app', 100, 'NOTPAY', p.prepayid]);
});

test('jsapi, native and h5 orders answer what each needs', function () {
  http.on('POST ' + API + '/v3/pay/transactions/jsapi', answer(200, { prepay_id: 'wx02' }));
  http.on('POST ' + API + '/v3/pay/transactions/native', answer(200, { code_url: 'weixin://wxpay/bizpayurl?pr=abc' }));
  http.on('POST ' + API + '/v3/pay/transactions/h5', answer(200, { h5_url: 'https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx03' }));
  var j = order('jsapi', { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }).json;
  assert.equal(j.payParams.package, 'prepay_id=wx02');
  assert(crypto.createVerify('RSA-SHA256').update([APPID, j.payParams.timeStamp, j.payParams.nonceStr, 'prepay_id=wx02'].join('\n') + '\n')
    .verify(merchant.publicKey, j.payParams.paySign, 'base64'), 'jsapi paySign');
  assert.equal(order('native').json.codeUrl, 'weixin://wxpay/bizpayurl?pr=abc');
  assert.match(order('h5', { clientIp: '203.0.113.9' }).json.h5Url, /checkmweb\?prepay_id=wx03/);
  var sent = http.requests();
  assert.deepEqual(sent[0].json.payer, { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
  assert.deepEqual(sent[2].json.scene_info, { payer_client_ip: '203.0.113.9', h5_info: { type: 'Wap' } });
  assert.equal(order('jsapi').status, 400, 'jsapi without openid');
});

test('an answer not signed by the platform key is not believed', function () {
  var other = keys.rsa();
  http.on('POST ' + API + '/v3/pay/transactions/native', answer(200, { code_url: 'weixin://evil' }, other));
  var r = order('native');
  assert.equal(r.status, 502);
  assert.match(r.json.msg, /not signed by the WeChat Pay platform key/);
});

test('WeChat\'s error answers reach the caller', function () {
  http.on('POST ' + API + '/v3/pay/transactions/native', answer(401, { code: 'SIGN_ERROR', message: '签名错误' }));
  assert.deepEqual(order('native').json, { code: 502, msg: 'SIGN_ERROR: 签名错误' });
});

test('query marks a paid order; close and refund call WeChat', function () {
  db.insert('WxPayOrder', { outTradeNo: 'WX1', kind: 'native', description: 'x', total: 100, status: 'NOTPAY' });
  http.on('GET ' + API + '/v3/pay/transactions/out-trade-no/WX1', answer(200, { trade_state: 'SUCCESS', transaction_id: '4200000001',
    success_time: '2026-01-01T10:00:05+08:00', amount: { total: 100 } }));
  assert.equal(call('wxPay', { json: { action: 'query', outTradeNo: 'WX1' } }).json.status, 'PAID');
  var row = db.find('WxPayOrder', { outTradeNo: 'WX1' })[0];
  assert.deepEqual([row.status, row.transactionId, row.paidAt.iso], ['PAID', '4200000001', '2026-01-01 10:00:05']);
  checkAuthorization(http.requests()[0], '/v3/pay/transactions/out-trade-no/WX1?mchid=' + MCHID);
  assert.equal(call('wxPay', { json: { action: 'close', outTradeNo: 'WX1' } }).status, 409);
  http.on('POST ' + API + '/v3/refund/domestic/refunds', answer(200, { refund_id: '5030', status: 'PROCESSING' }));
  var refund = call('wxPay', { json: { action: 'refund', outTradeNo: 'WX1', refund: 40 } }).json;
  assert.deepEqual([refund.refundId, refund.status], ['5030', 'PROCESSING']);
  assert.deepEqual(http.requests()[1].json.amount, { refund: 40, total: 100, currency: 'CNY' });
  assert.equal(call('wxPay', { json: { action: 'refund', outTradeNo: 'WX1', refund: 101 } }).status, 400);
  db.insert('WxPayOrder', { outTradeNo: 'WX2', kind: 'app', description: 'x', total: 1, status: 'NOTPAY' });
  http.on('POST ' + API + '/v3/pay/transactions/out-trade-no/WX2/close', answer(204));
  assert.equal(call('wxPay', { json: { action: 'close', outTradeNo: 'WX2' } }).json.status, 'CLOSED');
  assert.equal(db.find('WxPayOrder', { outTradeNo: 'WX2' })[0].status, 'CLOSED');
});

// notify is a WeChat notify: resource encrypted with the APIv3 key, body signed.
function notify(eventType, originalType, plain, opts) {
  opts = opts || {};
  var nonce = 'Abc123Def456';
  var cipher = crypto.createCipheriv('aes-256-gcm', opts.apiV3Key || API_V3_KEY, nonce);
  cipher.setAAD(Buffer.from(originalType));
  var ct = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  var body = JSON.stringify({ id: 'EV-1', create_time: '2026-01-01T10:00:05+08:00', resource_type: 'encrypt-resource',
    event_type: eventType, summary: 'x', resource: { original_type: originalType, algorithm: 'AEAD_AES_256_GCM',
      ciphertext: ct.toString('base64'), associated_data: originalType, nonce: nonce } });
  var ts = String(Math.floor(clock.now() / 1000));
  var sig = crypto.createSign('RSA-SHA256').update(ts + '\nnn\n' + body + '\n').sign(platform.privateKey, 'base64');
  return { body: body, contentType: 'application/json', headers: { 'Wechatpay-Timestamp': ts, 'Wechatpay-Nonce': 'nn',
    'Wechatpay-Signature': opts.signature || sig, 'Wechatpay-Serial': opts.serial || PLATFORM_SERIAL } };
}

function paid(fields) {
  var tx = { mchid: MCHID, appid: APPID, out_trade_no: 'WX1', transaction_id: '4200000009', trade_type: 'NATIVE',
    trade_state: 'SUCCESS', success_time: '2026-01-01T10:00:05+08:00', amount: { total: 100, payer_total: 100, currency: 'CNY' } };
  Object.keys(fields || {}).forEach(function (k) { tx[k] = fields[k]; });
  return notify('TRANSACTION.SUCCESS', 'transaction', tx);
}

test('a genuine payment notify marks the order paid, once', function () {
  db.insert('WxPayOrder', { outTradeNo: 'WX1', kind: 'native', description: 'x', total: 100, status: 'NOTPAY' });
  assert.equal(call('wxPayNotify', paid()).status, 204);
  var row = db.find('WxPayOrder', { outTradeNo: 'WX1' })[0];
  assert.deepEqual([row.status, row.transactionId, row.paidAt.iso], ['PAID', '4200000009', '2026-01-01 10:00:05']);
  clock.advance(1000);
  assert.equal(call('wxPayNotify', paid()).status, 204);
  assert.equal(db.find('WxPayOrder', { outTradeNo: 'WX1' })[0].updatedAt, row.updatedAt);
});

test('tampered, misdirected, stale and undecryptable notifies are refused', function () {
  db.insert('WxPayOrder', { outTradeNo: 'WX1', kind: 'native', description: 'x', total: 100, status: 'NOTPAY' });
  var n = paid();
  n.body = n.body.replace('"summary":"x"', '"summary":"y"');
  assert.equal(call('wxPayNotify', n).status, 401);
  var serial = paid();
  serial.headers['Wechatpay-Serial'] = 'FFFF';
  assert.equal(call('wxPayNotify', serial).status, 401);
  var stale = paid();
  clock.advance(10 * 60e3);
  assert.equal(call('wxPayNotify', stale).status, 400);
  assert.equal(call('wxPayNotify', notify('TRANSACTION.SUCCESS', 'transaction', {}, { apiV3Key: 'vutsrqponmlkjihgfedcba9876543210' })).status, 400);
  assert.equal(call('wxPayNotify', paid({ mchid: '1900000001' })).status, 400);
  assert.equal(call('wxPayNotify', paid({ amount: { total: 1 } })).status, 400);
  assert.equal(call('wxPayNotify', paid({ out_trade_no: 'WX0' })).status, 404);
  assert.equal(db.rows('WxPayOrder')[0].status, 'NOTPAY');
});

test('refund notifies add up once each; the last one marks the order refunded', function () {
  db.insert('WxPayOrder', { outTradeNo: 'WX1', kind: 'app', description: 'x', total: 100, status: 'PAID' });
  var refund = function (no, fen) {
    return notify('REFUND.SUCCESS', 'refund', { mchid: MCHID, out_trade_no: 'WX1', transaction_id: '4200000009', out_refund_no: no,
      refund_id: 'r' + no, refund_status: 'SUCCESS', amount: { total: 100, refund: fen, payer_total: 100, payer_refund: fen } });
  };
  assert.equal(call('wxPayNotify', refund('R1', 40)).status, 204);
  assert.equal(call('wxPayNotify', refund('R1', 40)).status, 204);
  var row = db.rows('WxPayOrder')[0];
  assert.deepEqual([row.status, row.refundedFen, row.refunds], ['PAID', 40, ['R1']]);
  assert.equal(call('wxPayNotify', refund('R2', 60)).status, 204);
  row = db.rows('WxPayOrder')[0];
  assert.deepEqual([row.status, row.refundedFen], ['REFUNDED', 100]);
});
