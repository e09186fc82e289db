// Timed task: recompute the leaderboard (the ten best scores) into the one
// Leaderboard row, stamped with the time it was computed.
function onRequest(request, response, modules) {
  var db = modules.oData;
  db.find({ table: "Score", order: "-score,player", limit: 10, keys: "player,score" }, function (err, res) {
    if (err) throw new Error("reading scores: " + err);
    var top = JSON.parse(res).results.map(function (r, i) {
      return { rank: i + 1, player: r.player, score: r.score };
    });
    var row = { name: "top10", top: top, computedAt: new Date().toISOString() };
    db.find({ table: "Leaderboard", where: { name: "top10" }, limit: 1 }, function (err, found) {
      if (err) throw new Error("reading the leaderboard: " + err);
      var old = JSON.parse(found).results[0];
      var done = function (err) {
        if (err) throw new Error("saving the leaderboard: " + err);
        response.end("ranked " + top.length);
      };
      if (old) {
        db.update({ table: "Leaderboard", objectId: old.objectId, data: row }, done);
      } else {
        db.insert({ table: "Leaderboard", data: row }, done);
      }
    });
  });
}
