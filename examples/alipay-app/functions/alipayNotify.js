// alipayNotify: Alipay's asynchronous trade notify. Verifies the signature, checks
// the amount against the stored order, marks it paid once, and answers exactly
// "success" (anything else makes Alipay retry).
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
  if (n.notify_type !== 'trade_status_sync') {
    response.end('success');
    return;
  }
  db.find({ table: 'PayOrder', where: { outTradeNo: n.out_trade_no }, limit: 1 }, function (err, data) {
    var order = err ? null : (JSON.parse(data).results || [])[0];
    if (!order) {
      console.warn('notify for an unknown order', n.out_trade_no);
      response.end('fail');
      return;
    }
    if (order.amount !== n.total_amount) {
      console.warn('amount mismatch', order.amount, n.total_amount);
      response.end('fail');
      return;
    }
    var paid = n.trade_status === 'TRADE_SUCCESS' || n.trade_status === 'TRADE_FINISHED';
    var next = paid ? 'PAID' : (n.trade_status === 'TRADE_CLOSED' ? 'CLOSED' : order.status);
    if (order.status === next || order.status === 'PAID') {
      response.end('success'); // a repeated notify: nothing to change
      return;
    }
    var change = { status: next };
    if (paid) {
      change.tradeNo = n.trade_no;
      change.paidAt = { __type: 'Date', iso: n.gmt_payment || n.notify_time };
    }
    db.update({ table: 'PayOrder', objectId: order.objectId, data: change }, function (err, res) {
      response.end(!err && !JSON.parse(res).error ? 'success' : 'fail');
    });
  });
}
