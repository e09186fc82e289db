// Handler tests of the Alipay membership example (page/wap pay, notify, active
// query). Every test starts from fixtures/plans.json with the clock frozen at
// 2026-01-01 10:00:00 Beijing; the keys are made here and pasted by configure().
// The whole loop through the sandbox's simulator is tested in Go
// (membership_test.go), the cashier in Chromium in cashier_test.go.
var crypto = require('crypto');
var APP_ID = '2021000000000077';
var app = keys.rsa();     // the merchant's application key pair
var alipay = keys.rsa();  // "Alipay's" key pair: notifies and gateway answers

configure({
  replace: {
    __ALIPAY_APP_ID__: APP_ID,
    __APP_PRIVATE_KEY__: app.privateKeyBare,
    __ALIPAY_PUBLIC_KEY__: alipay.publicKeyBare
  }
});

function beijing(ms) { return new Date(ms + 8 * 3600e3).toISOString().replace('T', ' ').slice(0, 19); }

function signed(p, key) {
  var content = Object.keys(p).filter(function (k) { return k !== 'sign' && k !== 'sign_type'; }).sort()
    .map(function (k) { return k + '=' + p[k]; }).join('&');
  p.sign = crypto.createSign('RSA-SHA256').update(content).sign(key || alipay.privateKey, 'base64');
  return p;
}

// notify is a trade_status_sync as Alipay signs it.
function notify(fields) {
  var p = {
    notify_type: 'trade_status_sync', notify_id: 'n' + clock.now(), notify_time: beijing(clock.now()),
    app_id: APP_ID, charset: 'utf-8', version: '1.0', sign_type: 'RSA2', trade_status: 'TRADE_SUCCESS',
    trade_no: '2026010122001400000000000077', gmt_payment: beijing(clock.now())
  };
  Object.keys(fields).forEach(function (k) { p[k] = fields[k]; });
  return signed(p);
}

function order(planId, deviceId) {
  var r = call('memberOrder', { json: { planId: planId || 'planMonth1', deviceId: deviceId || 'dev-1', channel: 'page' } });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

function pay(o, fields) {
  var f = { out_trade_no: o.orderNo, total_amount: o.amount };
  Object.keys(fields || {}).forEach(function (k) { f[k] = fields[k]; });
  return call('memberNotify', { form: notify(f) }).text;
}

function member(deviceId) { return db.find('Member', { deviceId: deviceId || 'dev-1' })[0]; }

test('memberPlans lists the active plans, cheapest first', function () {
  var r = call('memberPlans');
  assert.deepEqual(r.json.plans.map(function (p) { return [p.planId, p.price, p.durationDays]; }),
    [['planMonth1', '9.90', 30], ['planYear01', '99.00', 365]]);
});

test('memberOrder signs a page-pay URL for the gateway and stores the order', function () {
  var o = order();
  var u = o.payUrl.split('?');
  // The payment sandbox is on in tests: pageExec's URL points at its local cashier (a fidelity note says so).
  assert.match(u[0], /^http:\/\/127\.0\.0\.1:\d+\/_sandbox\/alipay\/gateway\.do$/);
  var p = {};
  u[1].split('&').forEach(function (kv) { var i = kv.indexOf('='); p[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); });
  assert.equal(p.method, 'alipay.trade.page.pay');
  assert.equal(p.notify_url, 'https://cloud.example.com/xxxx/memberNotify');
  var biz = JSON.parse(p.biz_content);
  assert.deepEqual([biz.out_trade_no, biz.total_amount, biz.product_code], [o.orderNo, '9.90', 'FAST_INSTANT_TRADE_PAY']);
  var content = Object.keys(p).filter(function (k) { return k !== 'sign'; }).sort()
    .map(function (k) { return k + '=' + p[k]; }).join('&');
  assert(crypto.createVerify('RSA-SHA256').update(content).verify(app.publicKey, p.sign, 'base64'), 'signed with the app key');
  assert.deepEqual(db.rows('MemberOrder').map(function (r) { return [r.orderNo, r.amountCents, r.status, r.channel]; }),
    [[o.orderNo, 990, 'pending', 'page']]);
});

test('memberOrder over GET answers the self-submitting wap form', function () {
  var r = call('memberOrder', { query: { planId: 'planYear01', deviceId: 'dev-2', channel: 'wap', returnUrl: 'https://shop.example.com/back' } });
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /text\/html/);
  assert.match(r.text, /<form action="http:\/\/127\.0\.0\.1:\d+\/_sandbox\/alipay\/gateway\.do\?[^"]*method=alipay\.trade\.wap\.pay/);
  assert.includes(r.text, 'QUICK_WAP_WAY');
  assert.includes(r.text, 'document.forms[');
});

test('memberOrder refuses unknown or retired plans and bad input', function () {
  assert.equal(call('memberOrder', { json: { planId: 'planOld001', deviceId: 'd' } }).status, 400);
  assert.equal(call('memberOrder', { json: { planId: 'nope', deviceId: 'd' } }).status, 400);
  assert.equal(call('memberOrder', { json: { planId: 'planMonth1', deviceId: 'd', channel: 'app' } }).status, 400);
  assert.equal(call('memberOrder', { json: { planId: 'planMonth1', deviceId: 'd', returnUrl: 'javascript:alert(1)' } }).status, 400);
  assert.equal(db.count('MemberOrder'), 0);
});

test('a paid notify starts the membership; a second order extends it from its end', function () {
  var first = order();
  clock.advance(60e3);
  assert.equal(pay(first), 'success');
  var row = db.find('MemberOrder', { orderNo: first.orderNo })[0];
  assert.deepEqual([row.status, row.tradeNo, row.paidAt.iso], ['paid', '2026010122001400000000000077', '2026-01-01 10:01:00']);
  assert.equal(member().expireAt.iso, '2026-01-31 10:01:00');
  clock.advance(10 * 86400e3);
  var second = order('planYear01');
  assert.equal(pay(second), 'success');
  assert.equal(member().expireAt.iso, '2027-01-31 10:01:00', '365 days after the first end, not after today');
  assert.deepEqual(member().orders, [first.orderNo, second.orderNo]);
  assert.deepEqual(call('memberStatus', { query: { deviceId: 'dev-1' } }).json,
    { code: 200, active: true, planId: 'planYear01', expireAt: '2027-01-31 10:01:00' });
});

test('an expired membership starts again from the payment', function () {
  assert.equal(pay(order()), 'success');
  clock.advance(40 * 86400e3);
  assert.equal(call('memberStatus', { query: { deviceId: 'dev-1' } }).json.active, false);
  assert.equal(pay(order()), 'success');
  assert.equal(member().expireAt.iso, '2026-03-12 10:00:00');
});

test('repeated notifies change nothing', function () {
  var o = order();
  var n = notify({ out_trade_no: o.orderNo, total_amount: '9.90' });
  assert.equal(call('memberNotify', { form: n }).text, 'success');
  var m = member();
  clock.advance(3600e3);
  assert.equal(call('memberNotify', { form: n }).text, 'success');
  assert.equal(call('memberNotify', { form: notify({ out_trade_no: o.orderNo, total_amount: '9.90', trade_status: 'TRADE_FINISHED' }) }).text, 'success');
  assert.equal(member().updatedAt, m.updatedAt);
  assert.equal(member().expireAt.iso, '2026-01-31 10:00:00');
});

test('tampered, foreign, underpaid and unknown notifies answer fail and change nothing', function () {
  var o = order();
  var tampered = notify({ out_trade_no: o.orderNo, total_amount: '9.90' });
  tampered.trade_no = '2026010122001499999999999999';
  assert.equal(call('memberNotify', { form: tampered }).text, 'fail');
  var forged = signed({ notify_type: 'trade_status_sync', app_id: APP_ID, out_trade_no: o.orderNo, total_amount: '9.90', trade_status: 'TRADE_SUCCESS' }, app.privateKey);
  assert.equal(call('memberNotify', { form: forged }).text, 'fail', 'signed with a key that is not Alipay\'s');
  assert.equal(pay(o, { app_id: '2021000000000001' }), 'fail');
  assert.equal(pay(o, { total_amount: '0.01' }), 'fail');
  var unknown = call('memberNotify', { form: notify({ out_trade_no: 'M0', total_amount: '9.90' }) });
  assert.equal(unknown.text, 'fail');
  assert.includes(unknown.log.join('\n'), 'notify for an unknown order M0');
  assert.equal(db.rows('MemberOrder')[0].status, 'pending');
  assert.equal(db.count('Member'), 0);
});

test('a close notify closes a pending order; a full refund takes the days back', function () {
  var closed = order();
  assert.equal(pay(closed, { trade_status: 'TRADE_CLOSED' }), 'success');
  assert.equal(db.find('MemberOrder', { orderNo: closed.orderNo })[0].status, 'closed');
  var o = order();
  assert.equal(pay(o), 'success');
  assert.equal(pay(o, { refund_fee: '1.00' }), 'success');
  assert.equal(db.find('MemberOrder', { orderNo: o.orderNo })[0].refundFee, '1.00');
  assert.equal(member().expireAt.iso, '2026-01-31 10:00:00', 'a partial refund keeps the membership');
  var full = { refund_fee: '9.90', trade_status: 'TRADE_CLOSED' };
  assert.equal(pay(o, full), 'success');
  assert.equal(pay(o, full), 'success');
  var row = db.find('MemberOrder', { orderNo: o.orderNo })[0];
  assert.deepEqual([row.status, row.refundFee], ['refunded', '9.90']);
  assert.deepEqual([member().expireAt.iso, member().orders], ['2026-01-01 10:00:00', []]);
});

// gateway answers alipay.trade.query as Alipay does: the response object signed.
function gateway(inner) {
  var text = JSON.stringify(inner);
  var sig = crypto.createSign('RSA-SHA256').update(text).sign(alipay.privateKey, 'base64');
  http.on('POST https://openapi.alipay.com/gateway.do', { text: '{"alipay_trade_query_response":' + text + ',"sign":"' + sig + '"}',
    headers: { 'content-type': 'text/html;charset=utf-8' } });
}

test('memberQuery asks Alipay when the notify has not come, and grants once', function () {
  var o = order();
  gateway({ code: '10000', msg: 'Success', out_trade_no: o.orderNo, trade_no: '2026010122001400000000000078',
    trade_status: 'TRADE_SUCCESS', total_amount: '9.90', send_pay_date: '2026-01-01 10:00:30' });
  var r = call('memberQuery', { json: { orderNo: o.orderNo } });
  assert.deepEqual(r.json, { code: 200, orderNo: o.orderNo, status: 'paid', tradeStatus: 'TRADE_SUCCESS', expireAt: '2026-01-31 10:00:00' });
  assert.equal(db.find('MemberOrder', { orderNo: o.orderNo })[0].paidAt.iso, '2026-01-01 10:00:30');
  var sent = http.requests()[0];
  assert.equal(sent.query.method, 'alipay.trade.query');
  assert.equal(JSON.parse(sent.body.split('biz_content=')[1] ? decodeURIComponent(sent.body.split('biz_content=')[1].split('&')[0].replace(/\+/g, ' ')) : '{}').out_trade_no, o.orderNo);
  // The notify arriving afterwards is acknowledged and changes nothing.
  assert.equal(pay(o), 'success');
  assert.equal(member().expireAt.iso, '2026-01-31 10:00:00');
  assert.equal(http.requests().length, 1);
  assert.equal(call('memberQuery', { json: { orderNo: o.orderNo } }).json.status, 'paid', 'answered from the store');
  assert.equal(http.requests().length, 1);
});

test('memberQuery does not believe an unsigned gateway answer', function () {
  var o = order();
  http.on('POST https://openapi.alipay.com/gateway.do', { json: { alipay_trade_query_response: { code: '10000', trade_status: 'TRADE_SUCCESS', total_amount: '9.90' }, sign: 'AAAA' } });
  var r = call('memberQuery', { json: { orderNo: o.orderNo } });
  assert.equal(r.status, 502);
  assert.match(r.json.msg, /验签失败/);
  assert.equal(db.rows('MemberOrder')[0].status, 'pending');
});

test('memberQuery reports a trade Alipay has not seen, and a closed one', function () {
  var o = order();
  gateway({ code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_NOT_EXIST', sub_msg: '交易不存在' });
  assert.deepEqual(call('memberQuery', { json: { orderNo: o.orderNo } }).json,
    { code: 200, orderNo: o.orderNo, status: 'pending', tradeStatus: 'ACQ.TRADE_NOT_EXIST', expireAt: null });
  gateway({ code: '10000', msg: 'Success', out_trade_no: o.orderNo, trade_status: 'TRADE_CLOSED', total_amount: '9.90' });
  assert.equal(call('memberQuery', { json: { orderNo: o.orderNo } }).json.status, 'closed');
  assert.equal(call('memberQuery', { json: {} }).status, 400);
  assert.equal(call('memberQuery', { json: { orderNo: 'M0' } }).status, 404);
});

test('memberReturn checks the return signature and shows the paid order', function () {
  var o = order();
  assert.equal(pay(o), 'success');
  var ret = signed({ charset: 'utf-8', out_trade_no: o.orderNo, method: 'alipay.trade.page.pay.return', total_amount: '9.90',
    trade_no: '2026010122001400000000000077', auth_app_id: APP_ID, version: '1.0', app_id: APP_ID, sign_type: 'RSA2',
    seller_id: '2088102177302222', timestamp: beijing(clock.now()) });
  var r = call('memberReturn', { query: ret });
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, /<main id="paid"><h1>支付成功，会员有效期至 2026-01-31 10:00:00<\/h1>/);
  ret.total_amount = '0.01';
  assert.match(call('memberReturn', { query: ret }).text, /<main id="error">/);
});
