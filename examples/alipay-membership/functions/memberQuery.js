// memberQuery: the order's state, asking Alipay (alipay.trade.query) when the
// notify has not arrived yet, as the page the buyer returns to does.
//   POST /<secret>/memberQuery {"orderNo": "M…"}
//   answers {"code": 200, "status": "paid"|"pending"|"closed"|"refunded", "tradeStatus": "…", "expireAt": "…"}
// A paid trade found here is granted exactly as memberNotify grants it, and the
// notify arriving later changes nothing.
var ALIPAY = {
  appId: '__ALIPAY_APP_ID__',
  privateKey: '__APP_PRIVATE_KEY__',
  alipayPublicKey: '__ALIPAY_PUBLIC_KEY__',
  gateway: 'https://openapi.alipay.com/gateway.do'
};

var DAY = 24 * 3600 * 1000;

function onRequest(request, response, modules) {
  var AlipaySdk = require('alipay-sdk');
  var db = modules.oData;
  var orderNo = (request.body && request.body.orderNo) || request.query.orderNo;
  if (!orderNo) {
    return response.status(400).send({ code: 400, msg: 'orderNo is required' });
  }
  var reply = function (order, tradeStatus) {
    db.find({ table: 'Member', where: { deviceId: order.deviceId }, limit: 1 }, function (err, data) {
      var member = err ? null : (JSON.parse(data).results || [])[0];
      response.send({ code: 200, orderNo: order.orderNo, status: order.status, tradeStatus: tradeStatus,
        expireAt: member ? member.expireAt.iso : null });
    });
  };
  loadOrder(db, orderNo, function (err, order, plan) {
    if (err) {
      return response.status(404).send({ code: 404, msg: err });
    }
    if (order.status !== 'pending') {
      return reply(order, '');
    }
    var sdk = new AlipaySdk({ appId: ALIPAY.appId, privateKey: ALIPAY.privateKey, alipayPublicKey: ALIPAY.alipayPublicKey,
      gateway: ALIPAY.gateway, keyType: 'PKCS8' });
    // validateSign: the answer must carry Alipay's signature, or it is not believed.
    sdk.exec('alipay.trade.query', { bizContent: { outTradeNo: order.orderNo } }, { validateSign: true }).then(function (r) {
      if (r.code !== '10000') {
        // ACQ.TRADE_NOT_EXIST: the buyer has not opened the cashier yet.
        return response.send({ code: 200, orderNo: order.orderNo, status: order.status, tradeStatus: r.subCode || r.code, expireAt: null });
      }
      if ((r.tradeStatus === 'TRADE_SUCCESS' || r.tradeStatus === 'TRADE_FINISHED') && r.totalAmount === (order.amountCents / 100).toFixed(2)) {
        return grant(db, order, plan, r.tradeNo, r.sendPayDate || bmobDate(new Date()).iso, function (ok) {
          if (!ok) return response.status(500).send({ code: 500, msg: 'could not record the payment' });
          order.status = 'paid';
          reply(order, r.tradeStatus);
        });
      }
      if (r.tradeStatus === 'TRADE_CLOSED') {
        return db.update({ table: 'MemberOrder', objectId: order.objectId, data: { status: 'closed' } }, function () {
          order.status = 'closed';
          reply(order, r.tradeStatus);
        });
      }
      reply(order, r.tradeStatus);
    }).catch(function (e) {
      console.error('alipay.trade.query failed:', e.errorMessage || e.message);
      response.status(502).send({ code: 502, msg: 'Alipay did not answer the query: ' + (e.errorMessage || e.message) });
    });
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

function pad(n) { return (n < 10 ? '0' : '') + n; }

// bmobDate is a Bmob Date field (Beijing time, the runtime's zone).
function bmobDate(d) {
  return { __type: 'Date', iso: d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' +
    pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) };
}

function parseBmobDate(v) { return new Date(String(v && v.iso || v).replace(' ', 'T')); }
