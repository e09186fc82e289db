// memberNotify: Alipay's asynchronous trade notify for membership orders.
// Verifies the RSA2 signature with the Alipay public key, checks app and amount,
// then acts on the trade status:
//   TRADE_SUCCESS / TRADE_FINISHED  the order is paid: the membership starts, or
//                                   is extended from its current end, once per order
//   with refund_fee                 a refund: recorded; a full refund (TRADE_CLOSED)
//                                   takes the plan's days back
//   TRADE_CLOSED (unpaid)           the order is closed
// Answers exactly "success" when the notify is handled (or was already), else
// "fail", which makes Alipay retry.
var ALIPAY = {
  appId: '__ALIPAY_APP_ID__',
  privateKey: '__APP_PRIVATE_KEY__',
  alipayPublicKey: '__ALIPAY_PUBLIC_KEY__'
};

var DAY = 24 * 3600 * 1000;

function onRequest(request, response, modules) {
  var AlipaySdk = require('alipay-sdk');
  var db = modules.oData;
  var sdk = new AlipaySdk({ appId: ALIPAY.appId, privateKey: ALIPAY.privateKey, alipayPublicKey: ALIPAY.alipayPublicKey, keyType: 'PKCS8' });
  var n = request.body || {};
  var answer = function (ok) { response.end(ok ? 'success' : 'fail'); };
  var valid = false;
  try {
    valid = sdk.checkNotifySign(n);
  } catch (e) {
    console.error('notify signature check failed:', e.message);
  }
  if (!valid || n.app_id !== ALIPAY.appId) {
    console.warn('refused a notify with a bad signature or app_id', n.out_trade_no);
    return answer(false);
  }
  if (n.notify_type !== 'trade_status_sync') {
    return answer(true);
  }
  loadOrder(db, n.out_trade_no, function (err, order, plan) {
    if (err) {
      console.warn(err, n.out_trade_no);
      return answer(false);
    }
    if ((order.amountCents / 100).toFixed(2) !== n.total_amount) {
      console.warn('amount mismatch', order.orderNo, order.amountCents, n.total_amount);
      return answer(false);
    }
    if (n.refund_fee) {
      return refunded(db, order, plan, n, answer);
    }
    if (n.trade_status === 'TRADE_SUCCESS' || n.trade_status === 'TRADE_FINISHED') {
      return grant(db, order, plan, n.trade_no, n.gmt_payment || n.notify_time, answer);
    }
    if (n.trade_status === 'TRADE_CLOSED' && order.status === 'pending') {
      return db.update({ table: 'MemberOrder', objectId: order.objectId, data: { status: 'closed' } }, function (err, res) {
        answer(!err && !JSON.parse(res).error);
      });
    }
    answer(true);
  });
}

// loadOrder finds the order and its plan.
function loadOrder(db, orderNo, done) {
  db.find({ table: 'MemberOrder', where: { orderNo: String(orderNo) }, limit: 1 }, function (err, data) {
    var order = err ? null : (JSON.parse(data).results || [])[0];
    if (!order) return done('notify for an unknown order');
    db.findOne({ table: 'MemberPlan', objectId: order.planId }, function (err, data) {
      var plan = err ? null : JSON.parse(data);
      if (!plan || plan.error) return done('the order\'s plan is gone');
      done(null, order, plan);
    });
  });
}

// grant marks the order paid and adds the plan's days to the device's membership.
// Member.orders lists the orders already counted, so a repeated notify (or the
// active query getting there first) never counts one twice.
function grant(db, order, plan, tradeNo, paidAt, done) {
  var withMember = function () {
    db.find({ table: 'Member', where: { deviceId: order.deviceId }, limit: 1 }, function (err, data) {
      if (err) return done(false);
      var member = (JSON.parse(data).results || [])[0];
      if (member && (member.orders || []).indexOf(order.orderNo) >= 0) return done(true);
      var now = new Date();
      if (!member) {
        return db.insert({ table: 'Member', data: {
          deviceId: order.deviceId, planId: plan.objectId, orders: [order.orderNo],
          startAt: bmobDate(now), expireAt: bmobDate(new Date(now.getTime() + plan.durationDays * DAY))
        } }, function (err, res) { done(!err && !JSON.parse(res).error); });
      }
      var end = parseBmobDate(member.expireAt);
      var from = end > now ? end : now; // an expired membership starts again today
      db.update({ table: 'Member', objectId: member.objectId, data: {
        planId: plan.objectId, orders: { __op: 'AddUnique', objects: [order.orderNo] },
        expireAt: bmobDate(new Date(from.getTime() + plan.durationDays * DAY))
      } }, function (err, res) { done(!err && !JSON.parse(res).error); });
    });
  };
  if (order.status === 'paid') return withMember();
  if (order.status !== 'pending') {
    console.warn('payment for an order that is', order.status, order.orderNo);
  }
  db.update({ table: 'MemberOrder', objectId: order.objectId, data: {
    status: 'paid', tradeNo: tradeNo, paidAt: { __type: 'Date', iso: paidAt }
  } }, function (err, res) {
    if (err || JSON.parse(res).error) return done(false);
    withMember();
  });
}

// refunded records a refund; a full one takes the plan's days back, once.
function refunded(db, order, plan, n, done) {
  var full = n.trade_status === 'TRADE_CLOSED';
  if (order.refundFee === n.refund_fee && (!full || order.status === 'refunded')) return done(true);
  var change = { refundFee: n.refund_fee };
  if (full) change.status = 'refunded';
  db.update({ table: 'MemberOrder', objectId: order.objectId, data: change }, function (err, res) {
    if (err || JSON.parse(res).error) return done(false);
    if (!full) return done(true);
    db.find({ table: 'Member', where: { deviceId: order.deviceId }, limit: 1 }, function (err, data) {
      var member = err ? null : (JSON.parse(data).results || [])[0];
      if (!member || (member.orders || []).indexOf(order.orderNo) < 0) return done(!err);
      var end = new Date(parseBmobDate(member.expireAt).getTime() - plan.durationDays * DAY);
      db.update({ table: 'Member', objectId: member.objectId, data: {
        orders: { __op: 'Remove', objects: [order.orderNo] }, expireAt: bmobDate(end)
      } }, function (err, res) { done(!err && !JSON.parse(res).error); });
    });
  });
}

function pad(n) { return (n < 10 ? '0' : '') + n; }

// bmobDate is a Bmob Date field (Beijing time, the runtime's zone).
function bmobDate(d) {
  return { __type: 'Date', iso: d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
    pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) };
}

function parseBmobDate(v) { return new Date(String(v && v.iso || v).replace(' ', 'T')); }
