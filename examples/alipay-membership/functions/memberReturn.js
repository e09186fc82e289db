// memberReturn: the page Alipay sends the buyer back to (return_url) after the
// cashier. The return's parameters are signed like a notify; after checking them
// it asks memberQuery for the order's state (which queries Alipay when the notify
// has not arrived) and shows the result.
//   GET /<secret>/memberReturn?out_trade_no=…&sign=…
var ALIPAY = {
  appId: '__ALIPAY_APP_ID__',
  privateKey: '__APP_PRIVATE_KEY__',
  alipayPublicKey: '__ALIPAY_PUBLIC_KEY__'
};

function onRequest(request, response, modules) {
  var AlipaySdk = require('alipay-sdk');
  var sdk = new AlipaySdk({ appId: ALIPAY.appId, privateKey: ALIPAY.privateKey, alipayPublicKey: ALIPAY.alipayPublicKey, keyType: 'PKCS8' });
  var q = request.query;
  var page = function (status, id, text) {
    response.status(status).set('Content-Type', 'text/html; charset=utf-8').send('<!DOCTYPE html><html><head><meta charset="utf-8">' +
      '<title>支付结果</title></head><body><main id="' + id + '"><h1>' + escape(text) + '</h1>' +
      '<p>订单号 <span id="order_no">' + escape(q.out_trade_no || '') + '</span></p></main></body></html>');
  };
  var valid = false;
  try {
    valid = sdk.checkNotifySign(q);
  } catch (e) {
    console.error('return signature check failed:', e.message);
  }
  if (!valid || q.app_id !== ALIPAY.appId) {
    return page(400, 'error', '支付结果的签名不对');
  }
  modules.oFunctions.run({ name: 'memberQuery', data: { orderNo: q.out_trade_no } }, function (err, data) {
    var r = {};
    try { r = JSON.parse(data); } catch (e) { r = {}; }
    if (err || r.code !== 200) {
      return page(502, 'error', '暂时查不到订单状态，请稍后刷新');
    }
    if (r.status === 'paid') {
      return page(200, 'paid', '支付成功，会员有效期至 ' + r.expireAt);
    }
    page(200, 'pending', '订单尚未支付（' + r.status + '）');
  });
}

function escape(s) {
  return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
}
