// Test helper hook: refuses every request with what it was given, so a test
// can read the fields Bmob builds for a hook.
function onRequest(request, response, modules) {
  response.end({ msg: JSON.stringify(request.body) });
}
