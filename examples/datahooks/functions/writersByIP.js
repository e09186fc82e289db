// Hook: anyone may query; only the office address may create, update or delete.
function onRequest(request, response, modules) {
  var office = "112.112.112.112";
  var reading = request.body.operation == "query";
  if (reading || request.body.ip == office) {
    return response.end({ msg: "ok" });
  }
  return response.end({ msg: "禁止操作" });
}
