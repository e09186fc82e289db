// mpOrders: the order book, a Bmob function (onRequest) that the mini-program
// functions call through ctx.mpserverless.function.invoke. {action: 'add'} stores
// a pending order; {action: 'get', outTradeNo} answers it. Only mpNotify, after
// checking Alipay's signature, marks an order paid.
function onRequest(request, response, modules) {
  var db = modules.oData;
  var b = request.body;
  if (b.action === 'add') {
    if (!/^MP\d{19}$/.test(b.outTradeNo || '') || !b.tradeNo || !b.amount) {
      response.status(400).json({ error: 'outTradeNo, tradeNo and amount are required' });
      return;
    }
    db.insert({ table: 'MpOrder', data: {
      outTradeNo: b.outTradeNo, tradeNo: b.tradeNo, item: b.item, amount: b.amount, buyerId: b.buyerId, status: 'PENDING'
    } }, function (err) {
      if (err) {
        response.status(500).json({ error: String(err) });
        return;
      }
      response.json({ added: b.outTradeNo });
    });
    return;
  }
  if (b.action === 'get') {
    db.find({ table: 'MpOrder', where: { outTradeNo: b.outTradeNo }, limit: 1 }, function (err, data) {
      var row = err ? null : (JSON.parse(data).results || [])[0];
      if (!row) {
        response.status(404).json({ error: 'no such order' });
        return;
      }
      response.json({ outTradeNo: row.outTradeNo, item: row.item, amount: row.amount, status: row.status, paidAt: row.paidAt ? row.paidAt.iso : null });
    });
    return;
  }
  response.status(400).json({ error: 'action must be add or get' });
}
