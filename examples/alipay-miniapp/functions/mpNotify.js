// mpNotify: Alipay's trade notify for the mini-program orders (the path of the
// notify.url mpPay gave). A Bmob function: it verifies the signature with the
// Alipay public key, checks app and amount against the stored order, marks the
// order paid once, and answers exactly "success" (anything else makes Alipay retry).
function onRequest(request, response, modules) {
  var AlipaySdk = require('alipay-sdk');
  var db = modules.oData;
  var sdk = new AlipaySdk({ appId: '__ALIPAY_APP_ID__', privateKey: '__APP_PRIVATE_KEY__', alipayPublicKey: '__ALIPAY_PUBLIC_KEY__', keyType: 'PKCS8' });
  var n = request.body;
  var valid = false;
  try {
    valid = sdk.checkNotifySign(n);
  } catch (e) {
    console.error('notify signature check failed:', e.message);
  }
  if (!valid || n.app_id !== '__ALIPAY_APP_ID__') {
    response.end('fail');
    return;
  }
  db.find({ table: 'MpOrder', where: { outTradeNo: n.out_trade_no }, limit: 1 }, function (err, data) {
    var order = err ? null : (JSON.parse(data).results || [])[0];
    if (!order || order.amount !== n.total_amount) {
      console.warn('notify for an unknown order or another amount', n.out_trade_no, n.total_amount);
      response.end('fail');
      return;
    }
    var paid = n.trade_status === 'TRADE_SUCCESS' || n.trade_status === 'TRADE_FINISHED';
    if (!paid || order.status === 'PAID') {
      response.end('success'); // nothing to change, or a repeated notify
      return;
    }
    db.update({ table: 'MpOrder', objectId: order.objectId, data: {
      status: 'PAID', paidAt: { __type: 'Date', iso: n.gmt_payment || n.notify_time }
    } }, function (err, res) {
      response.end(!err && !JSON.parse(res).error ? 'success' : 'fail');
    });
  });
}
