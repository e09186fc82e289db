// echo: answers the request as it arrived.
function onRequest(request, response, modules) {
  console.log('echo', request.method);
  response.set('X-Echo', 'yes');
  response.send({ method: request.method, query: request.query, body: request.body, type: request.headers['content-type'] || '' });
}
