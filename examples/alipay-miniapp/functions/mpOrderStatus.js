// mpOrderStatus: the page polls it after my.tradePay. A mini-program function: the
// stored order (from mpOrders) and, live from Alipay, the trade's status.
module.exports = async (ctx) => {
  const { result: order } = await ctx.mpserverless.function.invoke('mpOrders', { action: 'get', outTradeNo: ctx.args.outTradeNo });
  const trade = await ctx.cloud.payment.common.query({ outTradeNo: ctx.args.outTradeNo });
  return { order: order, tradeStatus: trade.trade_status || null };
};
