// Hook: no client may touch the Order table; every other table is open.
function onRequest(request, response, modules) {
  var table = request.body.table;
  if (table == "Order") {
    return response.end({ msg: table + "表禁止操作" });
  }
  return response.end({ msg: "ok" });
}
