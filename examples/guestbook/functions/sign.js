// sign: adds a message to the guestbook and answers with the new message's id and
// how many messages the author has signed so far.
// POST /<secret>/sign  {"author": "ada", "text": "hello"}
function onRequest(request, response, modules) {
  var db = modules.oData;
  var author = String(request.body.author || '').trim();
  var text = String(request.body.text || '').trim();
  if (!author || !text) {
    response.status(400).send({ code: 400, msg: 'author and text are required' });
    return;
  }
  if (text.length > 280) {
    response.status(400).send({ code: 400, msg: 'text is longer than 280 characters' });
    return;
  }
  db.insert({ table: 'Message', data: { author: author, text: text, likes: 0 } }, function (err, data) {
    if (err) {
      response.status(500).send({ code: 500, msg: 'could not save the message' });
      return;
    }
    var saved = JSON.parse(data);
    if (saved.error) {
      response.status(500).send({ code: saved.code, msg: saved.error });
      return;
    }
    // Count the author's messages through another function, as a real app splits work.
    modules.oFunctions.run({ name: 'count', data: { author: author } }, function (err, counted) {
      var total = err ? null : JSON.parse(counted).count;
      response.send({ code: 200, objectId: saved.objectId, createdAt: saved.createdAt, authorTotal: total });
    });
  });
}
