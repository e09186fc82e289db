// Test helper hook that throws.
function onRequest(request, response, modules) {
  throw new Error("no hook today");
}
