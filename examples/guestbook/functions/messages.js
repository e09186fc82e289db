// messages: the latest messages, newest first, and the most liked one, fetched in
// parallel and joined with oEvent (EventProxy's all).
// GET /<secret>/messages?limit=10
function onRequest(request, response, modules) {
  var db = modules.oData;
  var ep = modules.oEvent;
  var limit = parseInt(request.query.limit || '10', 10);
  if (!(limit > 0 && limit <= 100)) {
    response.status(400).send({ code: 400, msg: 'limit must be between 1 and 100' });
    return;
  }
  ep.all('latest', 'top', function (latest, top) {
    response.send({ code: 200, messages: latest, mostLiked: top });
  });
  ep.fail(function (err) {
    response.status(500).send({ code: 500, msg: String(err) });
  });
  db.find({ table: 'Message', order: '-createdAt', limit: limit, keys: 'author,text,likes' }, function (err, data) {
    if (err) return ep.emit('error', err);
    ep.emit('latest', JSON.parse(data).results || []);
  });
  db.find({ table: 'Message', order: '-likes,createdAt', limit: 1 }, function (err, data) {
    if (err) return ep.emit('error', err);
    var results = JSON.parse(data).results || [];
    ep.emit('top', results.length ? results[0] : null);
  });
}
