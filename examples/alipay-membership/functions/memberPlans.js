// memberPlans: the membership plans on sale, cheapest first.
// GET /<secret>/memberPlans
//
// An empty MemberPlan table gets two default plans on the first call, so the
// example works on a fresh database; edit or add rows to change them.
var DEFAULT_PLANS = [
  { name: '月度会员', priceCents: 990, durationDays: 30, description: '30 天会员', active: true, sortOrder: 1 },
  { name: '年度会员', priceCents: 9900, durationDays: 365, description: '365 天会员', active: true, sortOrder: 2 }
];

function onRequest(request, response, modules) {
  var db = modules.oData;
  var list = function (then) {
    db.find({ table: 'MemberPlan', where: { active: true }, order: 'sortOrder' }, function (err, data) {
      var res = err ? null : JSON.parse(data);
      if (!res || res.error) {
        response.status(500).send({ code: 500, msg: 'could not read the plans' });
        return;
      }
      then(res.results);
    });
  };
  list(function (plans) {
    if (plans.length > 0) {
      response.send({ code: 200, plans: plans.map(view) });
      return;
    }
    var left = DEFAULT_PLANS.length;
    DEFAULT_PLANS.forEach(function (p) {
      db.insert({ table: 'MemberPlan', data: p }, function () {
        if (--left === 0) list(function (made) { response.send({ code: 200, plans: made.map(view) }); });
      });
    });
  });
}

function view(p) {
  return { planId: p.objectId, name: p.name, price: (p.priceCents / 100).toFixed(2), durationDays: p.durationDays, description: p.description };
}
