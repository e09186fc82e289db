// memberStatus: a device's membership.
// GET /<secret>/memberStatus?deviceId=…
//   answers {"code": 200, "active": true, "planId": "…", "expireAt": "2026-01-31 10:00:00"} or {"code": 200, "active": false}
function onRequest(request, response, modules) {
  var deviceId = request.query.deviceId || (request.body && request.body.deviceId);
  if (!deviceId) {
    return response.status(400).send({ code: 400, msg: 'deviceId is required' });
  }
  modules.oData.find({ table: 'Member', where: { deviceId: String(deviceId) }, limit: 1 }, function (err, data) {
    var res = err ? null : JSON.parse(data);
    if (!res || res.error) {
      return response.status(500).send({ code: 500, msg: 'could not read the membership' });
    }
    var m = res.results[0];
    if (!m) {
      return response.send({ code: 200, active: false });
    }
    var end = new Date(m.expireAt.iso.replace(' ', 'T'));
    response.send({ code: 200, active: end > new Date(), planId: m.planId, expireAt: m.expireAt.iso });
  });
}
