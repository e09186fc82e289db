// order: makes an order number the tutorials' way and stores it.
function onRequest(request, response, modules) {
  var crypto = require('crypto');
  var no = 'ORDER_' + Date.now() + '_' + Math.random().toString(36).substr(2, 9);
  var nonce = crypto.randomBytes(4).toString('hex');
  modules.oData.insert({ table: 'Order', data: { orderNum: no, nonce: nonce } }, function (err, data) {
    var saved = JSON.parse(data);
    response.send({ orderNum: no, nonce: nonce, objectId: saved.objectId, createdAt: saved.createdAt });
  });
}
