// The trivial function of the load benchmark.
function onRequest(request, response, modules) {
  response.send({ code: 200 });
}
