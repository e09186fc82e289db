// memberOrder: creates a membership order and the Alipay page (PC) or wap (H5)
// payment for it.
//   POST /<secret>/memberOrder {"planId": "…", "deviceId": "…", "channel": "page"|"wap", "returnUrl": "…"}
//     answers {"code": 200, "orderNo": "…", "amount": "9.90", "payUrl": "<gateway URL to open>"}
//   GET  /<secret>/memberOrder?planId=…&deviceId=…&channel=page&returnUrl=…
//     answers an HTML page whose form takes the browser straight to the cashier.
//
// The keys are placeholders: paste your app private key (PKCS#8) and the Alipay
// public key (`bmobemu sandbox keys` prints sandbox ones). The tests fill them.
var ALIPAY = {
  appId: '__ALIPAY_APP_ID__',
  privateKey: '__APP_PRIVATE_KEY__',
  alipayPublicKey: '__ALIPAY_PUBLIC_KEY__',
  gateway: 'https://openapi.alipay.com/gateway.do',
  // Alipay POSTs the notify here; the last path segment names the function.
  notifyUrl: 'https://cloud.example.com/xxxx/memberNotify'
};

var PRODUCTS = {
  page: { method: 'alipay.trade.page.pay', productCode: 'FAST_INSTANT_TRADE_PAY' },
  wap: { method: 'alipay.trade.wap.pay', productCode: 'QUICK_WAP_WAY' }
};

function onRequest(request, response, modules) {
  var AlipaySdk = require('alipay-sdk');
  var db = modules.oData;
  var input = request.method === 'GET' ? request.query : request.body;
  var html = request.method === 'GET';
  var refuse = function (status, msg) {
    if (html) {
      response.status(status).set('Content-Type', 'text/html; charset=utf-8').send('<!DOCTYPE html><meta charset="utf-8"><p id="error">' + msg + '</p>');
    } else {
      response.status(status).send({ code: status, msg: msg });
    }
  };
  var channel = input.channel || 'page';
  var product = PRODUCTS[channel];
  if (!input.planId || !input.deviceId || !product) {
    return refuse(400, 'planId, deviceId and channel (page or wap) are required');
  }
  if (input.returnUrl && !/^https?:\/\//.test(String(input.returnUrl))) {
    return refuse(400, 'returnUrl must be an http(s) URL');
  }
  db.findOne({ table: 'MemberPlan', objectId: String(input.planId) }, function (err, data) {
    var plan = err ? null : JSON.parse(data);
    if (!plan || plan.error || plan.active !== true) {
      return refuse(400, 'no such plan');
    }
    var orderNo = 'M' + Date.now() + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
    var order = {
      orderNo: orderNo, deviceId: String(input.deviceId), planId: plan.objectId, channel: channel,
      amountCents: plan.priceCents, status: 'pending'
    };
    db.insert({ table: 'MemberOrder', data: order }, function (err, data) {
      var saved = err ? null : JSON.parse(data);
      if (!saved || saved.error) {
        return refuse(500, 'could not store the order');
      }
      var sdk = new AlipaySdk({
        appId: ALIPAY.appId, privateKey: ALIPAY.privateKey, alipayPublicKey: ALIPAY.alipayPublicKey,
        gateway: ALIPAY.gateway, keyType: 'PKCS8'
      });
      var params = {
        notifyUrl: ALIPAY.notifyUrl,
        bizContent: {
          outTradeNo: orderNo, totalAmount: (plan.priceCents / 100).toFixed(2),
          subject: '会员订阅-' + plan.name, productCode: product.productCode, timeoutExpress: '30m'
        }
      };
      if (input.returnUrl) {
        params.returnUrl = String(input.returnUrl);
      }
      if (html) {
        // pageExec's default is a self-submitting POST form, as a web page uses it.
        var form = sdk.pageExec(product.method, params);
        response.set('Content-Type', 'text/html; charset=utf-8')
          .send('<!DOCTYPE html><html><head><meta charset="utf-8"><title>正在前往支付宝</title></head><body>' + form + '</body></html>');
        return;
      }
      params.method = 'GET';
      var payUrl = sdk.pageExec(product.method, params);
      response.send({ code: 200, orderNo: orderNo, amount: params.bizContent.totalAmount, payUrl: payUrl });
    });
  });
}
