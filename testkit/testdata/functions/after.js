// after: answers at once and writes a row a minute later.
function onRequest(request, response, modules) {
  response.send('ok');
  setTimeout(function () {
    modules.oData.insert({ table: 'Later', data: { at: Date.now() } }, function () {});
  }, 60000);
}
