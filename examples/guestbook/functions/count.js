// count: how many messages an author has signed. Called by sign through
// oFunctions.run (so request.body values arrive as strings) or directly.
function onRequest(request, response, modules) {
  var author = request.body.author || request.query.author;
  if (!author) {
    response.status(400).send({ code: 400, msg: 'author is required' });
    return;
  }
  modules.oData.find({ table: 'Message', where: { author: author }, limit: 0, count: 1 }, function (err, data) {
    var parsed = JSON.parse(data);
    response.send({ author: author, count: parsed.count || 0 });
  });
}
