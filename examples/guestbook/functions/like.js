// like: adds one like to a message, atomically (Bmob's Increment operation).
// POST /<secret>/like  {"objectId": "…"}
function onRequest(request, response, modules) {
  var id = request.body.objectId;
  if (!id) {
    response.status(400).send({ code: 400, msg: 'objectId is required' });
    return;
  }
  modules.oData.update({ table: 'Message', objectId: id, data: { likes: { __op: 'Increment', amount: 1 } } }, function (err, data) {
    var parsed = JSON.parse(data);
    if (parsed.error) {
      response.status(404).send({ code: parsed.code, msg: parsed.error });
      return;
    }
    modules.oData.findOne({ table: 'Message', objectId: id }, function (err, row) {
      response.send({ code: 200, likes: JSON.parse(row).likes });
    });
  });
}
