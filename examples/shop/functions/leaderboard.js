// GET /<secret>/leaderboard: the leaderboard the timed task last computed.
function onRequest(request, response, modules) {
  modules.oData.find({ table: "Leaderboard", where: { name: "top10" }, limit: 1 }, function (err, res) {
    if (err) return response.send({ error: String(err) }, 500);
    var row = JSON.parse(res).results[0];
    response.send(row ? { top: row.top, computedAt: row.computedAt } : { top: [], computedAt: null });
  });
}
