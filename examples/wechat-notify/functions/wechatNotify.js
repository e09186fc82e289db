// wechatNotify: a WeChat Pay v3 payment notify. Verifies the Wechatpay-Signature
// with the platform public key, decrypts the AEAD_AES_256_GCM resource with the
// APIv3 key, and marks the order paid once. WeChat judges the answer by its HTTP
// status: 200 received, 4xx/5xx retry later.
var WECHAT = {
  apiV3Key: '__APIV3_KEY__',
  platformPublicKey: '__PLATFORM_PUBLIC_KEY__',
  mchid: '__MCHID__'
};

function onRequest(request, response, modules) {
  var crypto = modules.oCrypto;
  var db = modules.oData;
  var fail = function (status, message) {
    response.status(status).send({ code: 'FAIL', message: message });
  };
  var h = request.headers;
  // WeChat sends compact JSON, so re-serialising the parsed body gives back its bytes.
  var message = h['wechatpay-timestamp'] + '\n' + h['wechatpay-nonce'] + '\n' + JSON.stringify(request.body) + '\n';
  var verifier = crypto.createVerify('RSA-SHA256');
  verifier.update(message);
  if (!h['wechatpay-signature'] || !verifier.verify(WECHAT.platformPublicKey, h['wechatpay-signature'], 'base64')) {
    return fail(401, 'bad signature');
  }
  var age = Math.abs(Date.now() / 1000 - Number(h['wechatpay-timestamp']));
  if (!(age < 300)) {
    return fail(400, 'stale timestamp');
  }
  var resource = request.body.resource || {};
  var transaction;
  try {
    var raw = Buffer.from(resource.ciphertext, 'base64');
    var decipher = crypto.createDecipheriv('aes-256-gcm', WECHAT.apiV3Key, resource.nonce);
    decipher.setAuthTag(raw.slice(raw.length - 16));
    decipher.setAAD(Buffer.from(resource.associated_data || ''));
    var plain = decipher.update(raw.slice(0, raw.length - 16), undefined, 'utf8') + decipher.final('utf8');
    transaction = JSON.parse(plain);
  } catch (e) {
    console.error('could not decrypt the notify:', e.message);
    return fail(400, 'cannot decrypt resource');
  }
  if (transaction.mchid !== WECHAT.mchid) {
    return fail(400, 'notify for another merchant');
  }
  db.find({ table: 'WxOrder', where: { outTradeNo: transaction.out_trade_no }, limit: 1 }, function (err, data) {
    var order = err ? null : (JSON.parse(data).results || [])[0];
    if (!order) return fail(404, 'unknown order');
    if (order.total !== transaction.amount.total) return fail(400, 'amount mismatch');
    if (transaction.trade_state !== 'SUCCESS' || order.status === 'PAID') {
      return response.status(200).send({ code: 'SUCCESS' });
    }
    db.update({
      table: 'WxOrder', objectId: order.objectId,
      data: { status: 'PAID', transactionId: transaction.transaction_id, paidAt: { __type: 'Date', iso: transaction.success_time } }
    }, function (err, res) {
      if (err || JSON.parse(res).error) return fail(500, 'could not update the order');
      response.status(200).send({ code: 'SUCCESS' });
    });
  });
}
