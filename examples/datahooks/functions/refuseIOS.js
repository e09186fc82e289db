// Hook: requests from the iOS SDK are refused; Android and the rest go on.
function onRequest(request, response, modules) {
  if (request.body.caller == "IOS") {
    return response.end({ msg: "禁止IOS访问" });
  }
  return response.end({ msg: "ok" });
}
