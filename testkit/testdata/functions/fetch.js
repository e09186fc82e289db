// fetch: calls request.query.url with oHttp and answers what came back.
function onRequest(request, response, modules) {
  modules.oHttp.post({ url: request.query.url, json: { hello: 'world' } }, function (err, res, body) {
    if (err) {
      response.status(502).send({ error: String(err.message || err) });
      return;
    }
    response.send({ status: res.statusCode, body: body });
  });
}
