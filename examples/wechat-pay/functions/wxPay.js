// wxPay: a WeChat Pay API v3 client written as a Bmob function. Every request is
// signed with the merchant key (WECHATPAY2-SHA256-RSA2048 Authorization), sent
// with oHttp, and every answer's Wechatpay-Signature is checked with the platform
// public key before it is believed.
//   POST /<secret>/wxPay {"action": "order", "kind": "app"|"jsapi"|"native"|"h5",
//                         "description": "…", "total": 1 (fen), "openid": "…" (jsapi), "clientIp": "…" (h5)}
//     app:    {"outTradeNo", "prepayId", "payParams": {appid, partnerid, prepayid, package, noncestr, timestamp, sign}}
//     jsapi:  {"outTradeNo", "prepayId", "payParams": {appId, timeStamp, nonceStr, package, signType, paySign}}
//     native: {"outTradeNo", "codeUrl"}     h5: {"outTradeNo", "h5Url"}
//   {"action": "query",  "outTradeNo": "…"}                  the order at WeChat; a SUCCESS marks it paid
//   {"action": "close",  "outTradeNo": "…"}                  closes an unpaid order
//   {"action": "refund", "outTradeNo": "…", "refund": 1}     refunds fen of a paid order
//
// The keys are placeholders: paste yours (`bmobemu sandbox keys` prints sandbox
// ones). The tests fill them with keys they make.
var WECHAT = {
  mchid: '__MCHID__',
  appid: '__WECHAT_APPID__',
  merchantPrivateKey: '__MERCHANT_PRIVATE_KEY__',
  merchantSerial: '__MERCHANT_SERIAL__',
  platformPublicKey: '__PLATFORM_PUBLIC_KEY__',
  platformSerial: '__PLATFORM_SERIAL__',
  api: 'https://api.mch.weixin.qq.com',
  // WeChat POSTs notifies here; the last path segment names the function.
  notifyUrl: 'https://cloud.example.com/xxxx/wxPayNotify'
};

var KINDS = ['app', 'jsapi', 'native', 'h5'];

function onRequest(request, response, modules) {
  var crypto = modules.oCrypto;
  var db = modules.oData;
  var body = request.body || {};
  var fail = function (status, msg) { response.status(status).send({ code: status, msg: msg }); };

  // call sends one signed API request and verifies the answer's signature.
  var call = function (method, path, payload, done) {
    var text = payload === undefined ? '' : JSON.stringify(payload);
    var nonce = crypto.randomBytes(16).toString('hex');
    var ts = String(Math.floor(Date.now() / 1000));
    var signature = crypto.createSign('RSA-SHA256')
      .update(method + '\n' + path + '\n' + ts + '\n' + nonce + '\n' + text + '\n')
      .sign(WECHAT.merchantPrivateKey, 'base64');
    var options = {
      url: WECHAT.api + path, method: method, body: text || undefined,
      headers: {
        'Content-Type': 'application/json', 'Accept': 'application/json', 'User-Agent': 'bmobemu-example/1.0',
        'Authorization': 'WECHATPAY2-SHA256-RSA2048 mchid="' + WECHAT.mchid + '",nonce_str="' + nonce +
          '",signature="' + signature + '",timestamp="' + ts + '",serial_no="' + WECHAT.merchantSerial + '"'
      }
    };
    modules.oHttp(options, function (err, res, answer) {
      if (err) return done('WeChat Pay did not answer: ' + err.message);
      var h = res.headers;
      var signed = h['wechatpay-timestamp'] + '\n' + h['wechatpay-nonce'] + '\n' + (answer || '') + '\n';
      var ok = h['wechatpay-serial'] === WECHAT.platformSerial && !!h['wechatpay-signature'] &&
        crypto.createVerify('RSA-SHA256').update(signed).verify(WECHAT.platformPublicKey, h['wechatpay-signature'], 'base64');
      if (!ok) return done('the answer is not signed by the WeChat Pay platform key (HTTP ' + res.statusCode + ')');
      var json = null;
      try { json = answer ? JSON.parse(answer) : {}; } catch (e) { return done('the answer is not JSON'); }
      if (res.statusCode >= 300) return done(json.code + ': ' + json.message, json);
      done(null, json);
    });
  };

  var sign = function (lines) {
    return crypto.createSign('RSA-SHA256').update(lines.join('\n') + '\n').sign(WECHAT.merchantPrivateKey, 'base64');
  };

  var findOrder = function (outTradeNo, then) {
    db.find({ table: 'WxPayOrder', where: { outTradeNo: String(outTradeNo || '') }, limit: 1 }, function (err, data) {
      var order = err ? null : (JSON.parse(data).results || [])[0];
      if (!order) return fail(404, 'no such order');
      then(order);
    });
  };

  var save = function (order, change, then) {
    db.update({ table: 'WxPayOrder', objectId: order.objectId, data: change }, function (err, res) {
      if (err || JSON.parse(res).error) return fail(500, 'could not update the order');
      then();
    });
  };

  switch (body.action) {
  case 'order':
    var kind = body.kind;
    var total = Number(body.total);
    if (KINDS.indexOf(kind) < 0 || !body.description || !(total >= 1) || Math.floor(total) !== total) {
      return fail(400, 'kind (app, jsapi, native, h5), description and total (fen, a whole number) are required');
    }
    if (kind === 'jsapi' && !body.openid) return fail(400, 'jsapi needs the payer\'s openid');
    var outTradeNo = 'WX' + Date.now() + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
    var order = { outTradeNo: outTradeNo, kind: kind, description: String(body.description), total: total, status: 'NOTPAY' };
    return db.insert({ table: 'WxPayOrder', data: order }, function (err, data) {
      var saved = err ? null : JSON.parse(data);
      if (!saved || saved.error) return fail(500, 'could not store the order');
      var req = {
        appid: WECHAT.appid, mchid: WECHAT.mchid, description: order.description, out_trade_no: outTradeNo,
        notify_url: WECHAT.notifyUrl, amount: { total: total, currency: 'CNY' }
      };
      if (kind === 'jsapi') req.payer = { openid: String(body.openid) };
      if (kind === 'h5') req.scene_info = { payer_client_ip: String(body.clientIp || request.ip || '127.0.0.1'), h5_info: { type: 'Wap' } };
      call('POST', '/v3/pay/transactions/' + kind, req, function (err, res) {
        if (err) return fail(502, err);
        var out = { code: 200, outTradeNo: outTradeNo };
        var nonce = crypto.randomBytes(16).toString('hex');
        var ts = String(Math.floor(Date.now() / 1000));
        if (kind === 'app') {
          out.prepayId = res.prepay_id;
          out.payParams = { appid: WECHAT.appid, partnerid: WECHAT.mchid, prepayid: res.prepay_id, package: 'Sign=WXPay',
            noncestr: nonce, timestamp: ts, sign: sign([WECHAT.appid, ts, nonce, res.prepay_id]) };
        } else if (kind === 'jsapi') {
          out.prepayId = res.prepay_id;
          out.payParams = { appId: WECHAT.appid, timeStamp: ts, nonceStr: nonce, package: 'prepay_id=' + res.prepay_id,
            signType: 'RSA', paySign: sign([WECHAT.appid, ts, nonce, 'prepay_id=' + res.prepay_id]) };
        } else if (kind === 'native') {
          out.codeUrl = res.code_url;
        } else {
          out.h5Url = res.h5_url;
        }
        db.update({ table: 'WxPayOrder', objectId: saved.objectId,
          data: { prepayId: res.prepay_id || '', codeUrl: res.code_url || '', h5Url: res.h5_url || '' } }, function () {
          response.send(out);
        });
      });
    });
  case 'query':
    return findOrder(body.outTradeNo, function (order) {
      call('GET', '/v3/pay/transactions/out-trade-no/' + encodeURIComponent(order.outTradeNo) + '?mchid=' + WECHAT.mchid, undefined, function (err, tx) {
        if (err) return fail(502, err);
        var answer = function () { response.send({ code: 200, outTradeNo: order.outTradeNo, tradeState: tx.trade_state, status: order.status }); };
        if (tx.trade_state === 'SUCCESS' && order.status === 'NOTPAY' && tx.amount && tx.amount.total === order.total) {
          order.status = 'PAID';
          return save(order, { status: 'PAID', transactionId: tx.transaction_id, paidAt: { __type: 'Date', iso: beijing(tx.success_time) } }, answer);
        }
        answer();
      });
    });
  case 'close':
    return findOrder(body.outTradeNo, function (order) {
      if (order.status !== 'NOTPAY') return fail(409, 'only an unpaid order can be closed; this one is ' + order.status);
      call('POST', '/v3/pay/transactions/out-trade-no/' + encodeURIComponent(order.outTradeNo) + '/close', { mchid: WECHAT.mchid }, function (err) {
        if (err) return fail(502, err);
        save(order, { status: 'CLOSED' }, function () { response.send({ code: 200, outTradeNo: order.outTradeNo, status: 'CLOSED' }); });
      });
    });
  case 'refund':
    return findOrder(body.outTradeNo, function (order) {
      var fen = Number(body.refund || order.total);
      if (order.status !== 'PAID') return fail(409, 'only a paid order can be refunded; this one is ' + order.status);
      if (!(fen >= 1) || fen > order.total - (order.refundedFen || 0)) return fail(400, 'refund must be between 1 and what is left, in fen');
      var outRefundNo = order.outTradeNo + 'R' + Date.now();
      call('POST', '/v3/refund/domestic/refunds', {
        out_trade_no: order.outTradeNo, out_refund_no: outRefundNo, notify_url: WECHAT.notifyUrl,
        amount: { refund: fen, total: order.total, currency: 'CNY' }
      }, function (err, res) {
        if (err) return fail(502, err);
        // The refund settles later: wxPayNotify records it when REFUND.SUCCESS arrives.
        response.send({ code: 200, outTradeNo: order.outTradeNo, outRefundNo: outRefundNo, refundId: res.refund_id, status: res.status });
      });
    });
  }
  fail(400, 'action must be order, query, close or refund');
}

// beijing turns WeChat's RFC 3339 time into a Bmob date string.
function beijing(rfc3339) {
  var d = new Date(rfc3339);
  var p = function (n) { return (n < 10 ? '0' : '') + n; };
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
}
