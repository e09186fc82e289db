// A JS-heavy handler (loops, objects, strings, JSON, closures), the baseline that
// later runtime work improves on. No I/O.
function onRequest(request, response, modules) {
  var n = parseInt(request.query.n || '200', 10);

  function makeOrder(i) {
    return {
      id: 'ORDER_' + i,
      user: { id: 'u' + (i % 17), name: 'user-' + (i % 17), vip: i % 5 === 0 },
      items: [
        { sku: 'A' + (i % 7), qty: (i % 3) + 1, price: 9.9 },
        { sku: 'B' + (i % 11), qty: 1, price: 19.5 + (i % 4) }
      ],
      createdAt: 1700000000000 + i * 1000
    };
  }

  function total(order) {
    var sum = 0;
    for (var j = 0; j < order.items.length; j++) {
      sum += order.items[j].qty * order.items[j].price;
    }
    return order.user.vip ? sum * 0.9 : sum;
  }

  var orders = [];
  for (var i = 0; i < n; i++) {
    orders.push(makeOrder(i));
  }

  var byUser = {};
  orders.forEach(function (o) {
    var key = o.user.id;
    if (!byUser[key]) {
      byUser[key] = { user: o.user.name, count: 0, amount: 0, skus: {} };
    }
    var agg = byUser[key];
    agg.count++;
    agg.amount += total(o);
    o.items.forEach(function (it) {
      agg.skus[it.sku] = (agg.skus[it.sku] || 0) + it.qty;
    });
  });

  var ranking = Object.keys(byUser).map(function (k) {
    var a = byUser[k];
    return { user: a.user, count: a.count, amount: Math.round(a.amount * 100) / 100, topSku: Object.keys(a.skus).sort(function (x, y) { return a.skus[y] - a.skus[x]; })[0] };
  }).sort(function (x, y) { return y.amount - x.amount; });

  var text = JSON.stringify(ranking);
  var parsed = JSON.parse(text);
  var words = [];
  for (var w = 0; w < parsed.length; w++) {
    words.push(parsed[w].user.toUpperCase().split('-').join('_'));
  }
  var checksum = 0;
  for (var c = 0; c < text.length; c++) {
    checksum = (checksum * 31 + text.charCodeAt(c)) % 1000000007;
  }

  response.send({ users: parsed.length, top: parsed[0], words: words.slice(0, 3), checksum: checksum });
}
