// Timed task: unpaid orders older than a day are marked expired.
function onRequest(request, response, modules) {
  var db = modules.oData;
  var cutoff = new Date(Date.now() - 24 * 3600 * 1000);
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  var text = cutoff.getFullYear() + "-" + pad(cutoff.getMonth() + 1) + "-" + pad(cutoff.getDate()) + " " +
    pad(cutoff.getHours()) + ":" + pad(cutoff.getMinutes()) + ":" + pad(cutoff.getSeconds());
  db.find({ table: "Order", where: { status: "unpaid", createdAt: { "$lt": { __type: "Date", iso: text } } }, limit: 1000 }, function (err, res) {
    if (err) throw new Error("reading orders: " + err);
    var rows = JSON.parse(res).results;
    var left = rows.length;
    if (left == 0) return response.end("expired 0");
    rows.forEach(function (r) {
      db.update({ table: "Order", objectId: r.objectId, data: { status: "expired" } }, function (err) {
        if (err) throw new Error("expiring " + r.objectId + ": " + err);
        if (--left == 0) response.end("expired " + rows.length);
      });
    });
  });
}
