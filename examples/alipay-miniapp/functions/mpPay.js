// mpPay: an Alipay mini-program cloud function (the ctx style). The page calls it
// with {item}; the price comes from the menu here, never from the client. It opens
// the trade with ctx.cloud.payment.common.create (signed as the app; with the
// payment sandbox on the trade lives in the Alipay simulator), records the order
// through the Bmob-style function mpOrders, and answers what the page needs for
// my.tradePay: the trade number.
const MENU = {
  latte: { subject: '拿铁咖啡', amount: '0.01' },
  cake: { subject: '芝士蛋糕', amount: '12.50' }
};

module.exports = async (ctx) => {
  const dish = MENU[ctx.args.item];
  if (!dish) {
    throw new Error('unknown item: ' + ctx.args.item);
  }
  // The signed-in buyer, as the mini-program client identifies them.
  const { result } = await ctx.mpserverless.user.getInfo();
  const buyerId = result.user.oAuthUserId;
  const outTradeNo = 'MP' + Date.now() + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
  const trade = await ctx.cloud.payment.common.create({
    subject: dish.subject,
    outTradeNo: outTradeNo,
    totalAmount: dish.amount,
    buyerId: buyerId
  }, {
    notify: { url: 'https://cloud.example.com/mp/mpNotify' }
  });
  if (trade.code !== '10000') {
    ctx.logger.warn('create failed: %j', trade);
    return { ok: false, code: trade.code, msg: trade.sub_msg || trade.msg };
  }
  await ctx.mpserverless.function.invoke('mpOrders', {
    action: 'add', outTradeNo: outTradeNo, tradeNo: trade.trade_no, item: ctx.args.item, amount: dish.amount, buyerId: buyerId
  });
  ctx.logger.info('order %s opened for %s', outTradeNo, buyerId);
  return { ok: true, outTradeNo: outTradeNo, tradeNo: trade.trade_no, amount: dish.amount };
};
