// wxPayNotify: WeChat Pay API v3 notifies for wxPay's orders.
//   TRANSACTION.SUCCESS  the order is paid (once; amounts and merchant checked)
//   REFUND.SUCCESS       the refund is added to the order (once per out_refund_no)
// The Wechatpay-Signature is verified with the platform public key over
// "timestamp\nnonce\nbody\n", the serial must be the platform certificate's, the
// timestamp within 5 minutes; the resource is decrypted with AES-256-GCM under
// the APIv3 key. WeChat judges the answer by its status: 200/204 received,
// anything else is retried on its schedule.
var WECHAT = {
  mchid: '__MCHID__',
  apiV3Key: '__APIV3_KEY__',
  platformPublicKey: '__PLATFORM_PUBLIC_KEY__',
  platformSerial: '__PLATFORM_SERIAL__'
};

function onRequest(request, response, modules) {
  var crypto = modules.oCrypto;
  var db = modules.oData;
  var fail = function (status, message) {
    console.warn('notify refused:', message);
    response.status(status).send({ code: 'FAIL', message: message });
  };
  var ok = function () { response.status(204).end(); };
  var h = request.headers;
  // WeChat sends compact JSON, so serialising the parsed body gives back its bytes.
  var text = JSON.stringify(request.body);
  var verified = false;
  try {
    verified = h['wechatpay-serial'] === WECHAT.platformSerial && !!h['wechatpay-signature'] &&
      crypto.createVerify('RSA-SHA256').update(h['wechatpay-timestamp'] + '\n' + h['wechatpay-nonce'] + '\n' + text + '\n')
        .verify(WECHAT.platformPublicKey, h['wechatpay-signature'], 'base64');
  } catch (e) {
    console.error('signature check failed:', e.message);
  }
  if (!verified) return fail(401, 'bad signature');
  if (!(Math.abs(Date.now() / 1000 - Number(h['wechatpay-timestamp'])) < 300)) return fail(400, 'stale timestamp');

  var resource = request.body.resource || {};
  var plain;
  try {
    var raw = Buffer.from(resource.ciphertext, 'base64');
    var decipher = crypto.createDecipheriv('aes-256-gcm', WECHAT.apiV3Key, resource.nonce);
    decipher.setAuthTag(raw.slice(raw.length - 16));
    decipher.setAAD(Buffer.from(resource.associated_data || ''));
    plain = JSON.parse(decipher.update(raw.slice(0, raw.length - 16), undefined, 'utf8') + decipher.final('utf8'));
  } catch (e) {
    return fail(400, 'cannot decrypt the resource: ' + e.message);
  }
  if (plain.mchid !== WECHAT.mchid) return fail(400, 'notify for another merchant');

  db.find({ table: 'WxPayOrder', where: { outTradeNo: String(plain.out_trade_no) }, limit: 1 }, function (err, data) {
    var order = err ? null : (JSON.parse(data).results || [])[0];
    if (!order) return fail(404, 'unknown order ' + plain.out_trade_no);
    var save = function (change) {
      db.update({ table: 'WxPayOrder', objectId: order.objectId, data: change }, function (err, res) {
        if (err || JSON.parse(res).error) return fail(500, 'could not update the order');
        ok();
      });
    };
    switch (request.body.event_type) {
    case 'TRANSACTION.SUCCESS':
      if (plain.trade_state !== 'SUCCESS' || !plain.amount || plain.amount.total !== order.total) {
        return fail(400, 'amount or state does not match the order');
      }
      if (order.status !== 'NOTPAY') return ok(); // already paid (a repeat, or the query got there first)
      return save({ status: 'PAID', transactionId: plain.transaction_id, paidAt: { __type: 'Date', iso: beijing(plain.success_time) } });
    case 'REFUND.SUCCESS':
      var done = order.refunds || [];
      if (done.indexOf(plain.out_refund_no) >= 0) return ok();
      var refunded = (order.refundedFen || 0) + plain.amount.refund;
      return save({
        refunds: { __op: 'AddUnique', objects: [plain.out_refund_no] }, refundedFen: refunded,
        status: refunded >= order.total ? 'REFUNDED' : order.status
      });
    }
    ok(); // other events (REFUND.ABNORMAL, …): received, nothing to change
  });
}

function beijing(rfc3339) {
  var d = new Date(rfc3339);
  var p = function (n) { return (n < 10 ? '0' : '') + n; };
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
}
