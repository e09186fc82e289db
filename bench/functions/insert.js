// One durable insert per call.
function onRequest(request, response, modules) {
  modules.oData.insert({ table: 'BenchRow', data: { n: Math.random(), at: Date.now(), tag: 'load' } }, function (err, data) {
    response.end(data);
  });
}
