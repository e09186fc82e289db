// A hook with the defect of one of the docs' examples: the else block closes
// the function's brace, so the file ends inside the function (a SyntaxError).
function onRequest(request, response, modules) {
  var operation = request.body.operation;
  if (operation == "query") {
    return response.end({ msg: "ok" });
  }
  else {
    return response.end({ msg: "禁止操作" });
}
