// createOrder: stores an order and answers the signed orderStr an Alipay app hands
// to the Alipay SDK on the phone (alipay.trade.app.pay).
// POST /<secret>/createOrder  {"productId": "P1", "subject": "一个月会员", "amount": "9.90"}
//
// The keys below are placeholders: paste your application private key (PKCS#8)
// and Alipay's public key. The example's test fills them with keys it generates.
var ALIPAY = {
  appId: '__ALIPAY_APP_ID__',
  privateKey: '__APP_PRIVATE_KEY__',
  alipayPublicKey: '__ALIPAY_PUBLIC_KEY__',
  notifyUrl: 'https://cloud.example.com/__SECRET__/alipayNotify'
};

function onRequest(request, response, modules) {
  var AlipaySdk = require('alipay-sdk');
  var body = request.body;
  var amount = Number(body.amount);
  if (!body.productId || !body.subject || !(amount > 0) || !/^\d+(\.\d{1,2})?$/.test(String(body.amount))) {
    response.status(400).send({ code: 400, msg: 'productId, subject and amount (yuan, at most 2 decimals) are required' });
    return;
  }
  var outTradeNo = 'AP' + Date.now() + Math.floor(Math.random() * 1e6);
  var order = {
    outTradeNo: outTradeNo, productId: String(body.productId), subject: String(body.subject),
    amount: amount.toFixed(2), status: 'WAIT_BUYER_PAY'
  };
  modules.oData.insert({ table: 'PayOrder', data: order }, function (err, data) {
    var saved = err ? null : JSON.parse(data);
    if (!saved || saved.error) {
      response.status(500).send({ code: 500, msg: 'could not store the order' });
      return;
    }
    var sdk = new AlipaySdk({ appId: ALIPAY.appId, privateKey: ALIPAY.privateKey, alipayPublicKey: ALIPAY.alipayPublicKey, keyType: 'PKCS8' });
    var orderStr = sdk.sdkExec('alipay.trade.app.pay', {
      notifyUrl: ALIPAY.notifyUrl, // top level: Alipay sends the notify here
      bizContent: { outTradeNo: outTradeNo, totalAmount: order.amount, subject: order.subject, productCode: 'QUICK_MSECURITY_PAY', timeoutExpress: '30m' }
    });
    response.send({ code: 200, outTradeNo: outTradeNo, objectId: saved.objectId, orderStr: orderStr });
  });
}
