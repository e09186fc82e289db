// The shop's data hook. Bmob calls it before every client request on the
// tables listed in bmobemu.yaml, with request.body = {table, operation, caller,
// ip, ua, token, data}.
function onRequest(request, response, modules) {
  var body = request.body;
  // 1. Admin notes are for the console and cloud functions only.
  if (body.table == "AdminNote") {
    return response.end({ msg: "AdminNote is not open to clients" });
  }
  // 2. Orders are not taken from the iOS app while its review is pending.
  if (body.caller == "IOS" && body.operation != "query") {
    return response.end({ msg: "orders from iOS are paused" });
  }
  if (body.operation != "create" && body.operation != "update") {
    return response.end({ msg: "ok" });
  }
  // 3. Clients send the payment channel as text; the table keeps a number.
  var data = JSON.parse(body.data);
  var fields = body.operation == "update" ? data["$set"] : data;
  var rewritten = fields.payWith !== undefined;
  if (rewritten) {
    fields.channel = fields.payWith == "支付宝" ? 1 : 2;
    delete fields.payWith;
  }
  var goOn = function () {
    if (rewritten) {
      return response.send({ success: "ok", data: JSON.stringify(data) });
    }
    response.end({ msg: "ok" });
  };
  if (body.operation != "create" || !fields.orderNo) {
    return goOn();
  }
  // 4. One order per order number: the hook reads its own table (cloud
  // functions' reads do not pass through the hook again).
  modules.oData.find({ table: "Order", where: { orderNo: fields.orderNo }, count: 1, limit: 0 }, function (err, res) {
    if (err) {
      return response.end({ msg: "cannot check the order number" });
    }
    if (JSON.parse(res).count > 0) {
      return response.end({ msg: "order " + fields.orderNo + " exists already" });
    }
    goOn();
  });
}
