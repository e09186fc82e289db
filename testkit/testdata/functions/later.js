// later: answers after a one-second timer, with the time it answered.
function onRequest(request, response, modules) {
  var started = Date.now();
  setTimeout(function () {
    response.send({ started: started, answered: Date.now(), iso: new Date().toISOString() });
  }, 1000);
}
