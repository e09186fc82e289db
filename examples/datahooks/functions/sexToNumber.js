// Hook: clients send sexText ("男" or anything else); the table stores sex as
// 1 or 0. Updates carry their fields under "$set", creates at the top.
function onRequest(request, response, modules) {
  var op = request.body.operation;
  if (op != "create" && op != "update") {
    return response.end({ msg: "ok" });
  }
  var data = JSON.parse(request.body.data);
  var fields = op == "update" ? data["$set"] : data;
  if (fields.sexText !== undefined) {
    fields.sex = fields.sexText == "男" ? 1 : 0;
  }
  response.send({ success: "ok", data: JSON.stringify(data) });
}
