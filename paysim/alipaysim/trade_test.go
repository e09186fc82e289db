package alipaysim

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/smartwalle/alipay/v3"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

func (f *fixture) status(t *testing.T, outTradeNo string) string {
	t.Helper()
	tr, ok := f.sim.Trade(outTradeNo)
	if !ok {
		t.Fatalf("no trade %s", outTradeNo)
	}
	return tr.Status
}

// precreate opens a trade through the gateway with extra biz_content fields.
func (f *fixture) precreate(t *testing.T, outTradeNo string, extra map[string]any) string {
	t.Helper()
	biz := map[string]any{"out_trade_no": outTradeNo, "total_amount": "2.00", "subject": "s"}
	for k, v := range extra {
		biz[k] = v
	}
	return f.exec(t, "alipay.trade.precreate", biz)
}

func TestTimeoutExpressClosesUnpaidTrades(t *testing.T) {
	tests := []struct {
		name    string
		biz     map[string]any
		stillOK time.Duration // the trade is open this long after creation
		closed  time.Duration // and closed this long after
	}{
		{"minutes", map[string]any{"timeout_express": "30m"}, 29 * time.Minute, 30 * time.Minute},
		{"hours", map[string]any{"timeout_express": "2h"}, 119 * time.Minute, 2 * time.Hour},
		{"days", map[string]any{"timeout_express": "1d"}, 23 * time.Hour, 24 * time.Hour},
		// start is 09:02:03 Beijing: 1c lasts until midnight.
		{"end of day", map[string]any{"timeout_express": "1c"}, 14*time.Hour + 57*time.Minute, 14*time.Hour + 58*time.Minute},
		{"time_expire", map[string]any{"time_expire": "2024-03-05 10:00:00"}, 57 * time.Minute, 58 * time.Minute},
		{"earlier of both", map[string]any{"timeout_express": "1d", "time_expire": "2024-03-05 09:12"}, 9 * time.Minute, 10 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.biz["notify_url"] = "ignored" // inside biz_content: still used, with a warning
			if got := f.precreate(t, "E1", tt.biz); !strings.Contains(got, `"code":"10000"`) {
				t.Fatal(got)
			}
			f.clk.Advance(tt.stillOK)
			if s := f.status(t, "E1"); s != provider.StatusWaitBuyerPay {
				t.Fatalf("after %s: %s", tt.stillOK, s)
			}
			f.clk.Advance(tt.closed - tt.stillOK)
			notes := f.notes.waitFor(t, 1)
			if s := f.status(t, "E1"); s != provider.StatusClosed {
				t.Fatalf("after %s: %s", tt.closed, s)
			}
			v := notifyForm(t, notes[0])
			if notes[0].Event != provider.EventClose || v.Get("trade_status") != "TRADE_CLOSED" || v.Get("gmt_payment") != "" || v.Get("gmt_close") == "" {
				t.Errorf("close notify %s %v", notes[0].Event, v)
			}
		})
	}
}

func TestPaymentStopsTheExpiry(t *testing.T) {
	f := newFixture(t)
	f.precreate(t, "E2", map[string]any{"timeout_express": "5m"})
	if _, err := f.sim.Pay(bg, provider.PayRequest{OutTradeNo: "E2", TotalFen: 200}); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Hour)
	if s := f.status(t, "E2"); s != provider.StatusSuccess {
		t.Errorf("paid trade became %s", s)
	}
}

func TestBadExpiryIsRefused(t *testing.T) {
	for _, te := range []map[string]any{
		{"timeout_express": "30s"}, {"timeout_express": "16d"}, {"timeout_express": "2c"}, {"timeout_express": "m"},
		{"time_expire": "2024-03-05 09:00:00"}, {"time_expire": "tomorrow"},
	} {
		f := newFixture(t)
		if got := f.precreate(t, "E3", te); !strings.Contains(got, `"subCode":"ACQ.INVALID_PARAMETER"`) {
			t.Errorf("%v: %s", te, got)
		}
		if _, ok := f.sim.Trade("E3"); ok {
			t.Errorf("%v: trade created anyway", te)
		}
	}
}

func TestFinishAfterRefundPeriod(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.FinishAfter = 24 * time.Hour })
	if _, err := f.sim.Pay(bg, provider.PayRequest{OutTradeNo: "F1", TotalFen: 100, NotifyURL: "http://m.test/n"}); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(24 * time.Hour)
	notes := f.notes.waitFor(t, 2)
	if s := f.status(t, "F1"); s != provider.StatusFinished {
		t.Fatalf("status %s", s)
	}
	if v := notifyForm(t, notes[1]); notes[1].Event != EventFinish || v.Get("trade_status") != "TRADE_FINISHED" {
		t.Errorf("finish notify %s %v", notes[1].Event, v)
	}
	if _, err := f.sim.Refund(bg, "F1", 0); !errors.Is(err, provider.ErrBadState) || !strings.Contains(err.Error(), "ACQ.TRADE_HAS_FINISHED") {
		t.Errorf("refund of a finished trade: %v", err)
	}
	// Finish by hand, before the period ends.
	if _, err := f.sim.Pay(bg, provider.PayRequest{OutTradeNo: "F2", TotalFen: 100}); err != nil {
		t.Fatal(err)
	}
	if tr, err := f.sim.Finish(bg, "F2"); err != nil || tr.Status != provider.StatusFinished {
		t.Errorf("Finish: %v %+v", err, tr)
	}
	if _, err := f.sim.Finish(bg, "F2"); !errors.Is(err, provider.ErrBadState) {
		t.Errorf("Finish twice: %v", err)
	}
}

func TestTriggers(t *testing.T) {
	f := newFixture(t)
	ctx := bg
	if _, err := f.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "missing"}); !errors.Is(err, provider.ErrNoTrade) {
		t.Errorf("pay unknown without amount: %v", err)
	}
	if _, err := f.sim.Close(ctx, "missing"); !errors.Is(err, provider.ErrNoTrade) {
		t.Errorf("close unknown: %v", err)
	}
	f.precreate(t, "T1", nil)
	if _, err := f.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "T1", TotalFen: 999}); !errors.Is(err, provider.ErrBadState) {
		t.Errorf("pay with another amount: %v", err)
	}
	if _, err := f.sim.Refund(ctx, "T1", 0); !errors.Is(err, provider.ErrBadState) {
		t.Errorf("refund unpaid: %v", err)
	}
	tr, err := f.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "T1"})
	if err != nil || tr.Status != provider.StatusSuccess || tr.PaidAt.IsZero() || tr.Kind != "precreate" {
		t.Fatalf("pay: %v %+v", err, tr)
	}
	if _, err := f.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "T1"}); !errors.Is(err, provider.ErrBadState) {
		t.Errorf("pay twice: %v", err)
	}
	if _, err := f.sim.Close(ctx, "T1"); !errors.Is(err, provider.ErrBadState) {
		t.Errorf("close paid: %v", err)
	}
	if _, err := f.sim.Refund(ctx, "T1", 201); !errors.Is(err, provider.ErrBadState) {
		t.Errorf("refund more than paid: %v", err)
	}
	tr, err = f.sim.Refund(ctx, "T1", 50)
	if err != nil || tr.RefundedFen != 50 || tr.Status != provider.StatusSuccess {
		t.Errorf("partial refund: %v %+v", err, tr)
	}
	tr, err = f.sim.Refund(ctx, "T1", 0)
	if err != nil || tr.RefundedFen != 200 || tr.Status != provider.StatusClosed {
		t.Errorf("refund the rest: %v %+v", err, tr)
	}
	f.precreate(t, "T2", nil)
	if tr, err := f.sim.Close(ctx, "T2"); err != nil || tr.Status != provider.StatusClosed {
		t.Errorf("close: %v %+v", err, tr)
	}
	if _, err := f.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "T2"}); !errors.Is(err, provider.ErrBadState) {
		t.Errorf("pay closed: %v", err)
	}
	trades := f.sim.Trades()
	if len(trades) != 2 || trades[0].OutTradeNo != "T1" || trades[1].OutTradeNo != "T2" {
		t.Errorf("trades %+v", trades)
	}
	if trades[0].TradeNo != "2024030522001000000000000001" {
		t.Errorf("trade_no %s", trades[0].TradeNo)
	}
}

// The gateway's own flows: close, cancel, refund idempotency and refund query.
func TestGatewayTradeFlows(t *testing.T) {
	f := newFixture(t)
	c := f.client
	// create (no buyer interaction) then close.
	cr, err := c.TradeCreate(bg, alipay.TradeCreate{Trade: alipay.Trade{OutTradeNo: "G1", TotalAmount: "3", Subject: "s"}})
	if err != nil || !cr.IsSuccess() || cr.TradeNo == "" {
		t.Fatalf("create: %v %+v", err, cr)
	}
	cl, err := c.TradeClose(bg, alipay.TradeClose{TradeNo: cr.TradeNo})
	if err != nil || !cl.IsSuccess() || cl.OutTradeNo != "G1" {
		t.Fatalf("close: %v %+v", err, cl)
	}
	cl, _ = c.TradeClose(bg, alipay.TradeClose{OutTradeNo: "G1"})
	if cl.SubCode != "ACQ.TRADE_STATUS_ERROR" {
		t.Errorf("close twice: %+v", cl)
	}
	// Opening the same out_trade_no again.
	cr, _ = c.TradeCreate(bg, alipay.TradeCreate{Trade: alipay.Trade{OutTradeNo: "G1", TotalAmount: "3", Subject: "s"}})
	if cr.SubCode != "ACQ.TRADE_HAS_CLOSE" || cr.SubMsg != "交易已经关闭" {
		t.Errorf("reopen closed: %+v", cr)
	}
	// Barcode pay succeeds at once; paying the order again is refused.
	pay, err := c.TradePay(bg, alipay.TradePay{Trade: alipay.Trade{OutTradeNo: "G2", TotalAmount: "5.00", Subject: "s"}, Scene: "bar_code", AuthCode: "28763443825664394"})
	if err != nil || !pay.IsSuccess() || pay.TotalAmount != "5.00" || pay.GmtPayment != "2024-03-05 09:02:03" {
		t.Fatalf("pay: %v %+v", err, pay)
	}
	pay, _ = c.TradePay(bg, alipay.TradePay{Trade: alipay.Trade{OutTradeNo: "G2", TotalAmount: "5.00", Subject: "s"}, Scene: "bar_code", AuthCode: "1"})
	if pay.SubCode != "ACQ.TRADE_HAS_SUCCESS" || pay.SubMsg != "交易已被支付" {
		t.Errorf("pay twice: %+v", pay)
	}
	// Refund: too much, then the same out_request_no twice, then a different amount under it.
	rf, _ := c.TradeRefund(bg, alipay.TradeRefund{OutTradeNo: "G2", RefundAmount: "5.01", OutRequestNo: "a"})
	if rf.SubCode != "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL" || rf.SubMsg != "退款金额超限" {
		t.Errorf("refund too much: %+v", rf)
	}
	for i, change := range []string{"Y", "N"} {
		rf, err = c.TradeRefund(bg, alipay.TradeRefund{OutTradeNo: "G2", RefundAmount: "1.00", OutRequestNo: "a"})
		if err != nil || rf.FundChange != change || rf.RefundFee != "1.00" {
			t.Errorf("refund %d: %v %+v", i, err, rf)
		}
	}
	rf, _ = c.TradeRefund(bg, alipay.TradeRefund{OutTradeNo: "G2", RefundAmount: "2.00", OutRequestNo: "a"})
	if rf.SubCode != "ACQ.DISCORDANT_REPEAT_REQUEST" {
		t.Errorf("discordant repeat: %+v", rf)
	}
	rq, _ := c.TradeFastPayRefundQuery(bg, alipay.TradeFastPayRefundQuery{OutTradeNo: "G2", OutRequestNo: "nope"})
	if !rq.IsSuccess() || rq.RefundAmount != "" {
		t.Errorf("unknown refund: %+v", rq)
	}
	// Cancel of a paid trade refunds the rest and closes it; again, same answer.
	for range 2 {
		cn, err := c.TradeCancel(bg, alipay.TradeCancel{OutTradeNo: "G2"})
		if err != nil || cn.Action != "refund" || cn.RetryFlag != "N" {
			t.Errorf("cancel: %v %+v", err, cn)
		}
	}
	if tr, _ := f.sim.Trade("G2"); tr.Status != provider.StatusClosed || tr.RefundedFen != 500 {
		t.Errorf("after cancel: %+v", tr)
	}
	// Cancel of an unpaid trade closes it.
	f.precreate(t, "G3", nil)
	cn, _ := c.TradeCancel(bg, alipay.TradeCancel{OutTradeNo: "G3"})
	if cn.Action != "close" || f.status(t, "G3") != provider.StatusClosed {
		t.Errorf("cancel unpaid: %+v", cn)
	}
	q, _ := c.TradeQuery(bg, alipay.TradeQuery{OutTradeNo: "G3", TradeNo: "2024030599999999"})
	if q.SubCode != "ACQ.TRADE_NOT_EXIST" {
		t.Errorf("mismatched ids: %+v", q)
	}
}

func TestOpenTradeValidation(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		biz  string
		want string
	}{
		{`{"total_amount":"1","subject":"s"}`, "缺少 out_trade_no"},
		{`{"out_trade_no":"V","subject":"s"}`, "缺少 total_amount"},
		{`{"out_trade_no":"V","total_amount":"1"}`, "缺少 subject"},
		{`{"out_trade_no":"V","total_amount":"0.001","subject":"s"}`, "total_amount"},
		{`{"out_trade_no":"V","total_amount":"0","subject":"s"}`, "total_amount"},
		{`{"out_trade_no":"V","total_amount":"-1","subject":"s"}`, "total_amount"},
		{`{"out_trade_no":"V","total_amount":"100000000.01","subject":"s"}`, "total_amount"},
	}
	for _, tt := range tests {
		out := f.post(t, signed(t, f.app.key, "alipay.trade.precreate", tt.biz, start))
		if got := string(out["alipay_trade_precreate_response"]); !strings.Contains(got, "ACQ.INVALID_PARAMETER") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: %s", tt.biz, got)
		}
	}
	// A number for total_amount is fine (alipay-sdk sends what the script gives).
	out := f.post(t, signed(t, f.app.key, "alipay.trade.precreate", `{"out_trade_no":"V","total_amount":12.5,"subject":"s"}`, start))
	if !strings.Contains(string(out["alipay_trade_precreate_response"]), `"code":"10000"`) {
		t.Errorf("numeric amount: %s", out["alipay_trade_precreate_response"])
	}
	if tr, _ := f.sim.Trade("V"); tr.TotalFen != 1250 {
		t.Errorf("amount %d", tr.TotalFen)
	}
	// Same order again is the same trade; a changed amount is tampering.
	out = f.post(t, signed(t, f.app.key, "alipay.trade.precreate", `{"out_trade_no":"V","total_amount":"13","subject":"s"}`, start))
	if !strings.Contains(string(out["alipay_trade_precreate_response"]), "ACQ.CONTEXT_INCONSISTENT") {
		t.Errorf("changed amount: %s", out["alipay_trade_precreate_response"])
	}
	if len(f.sim.Trades()) != 1 {
		t.Errorf("trades %d", len(f.sim.Trades()))
	}
}

func TestGBKRequest(t *testing.T) {
	f := newFixture(t)
	// 测试 in GBK is B2 E2 CA D4; the signature covers the GBK bytes.
	gbkSubject := string([]byte{0xB2, 0xE2, 0xCA, 0xD4})
	v := signed(t, f.app.key, "alipay.trade.precreate", "", start)
	v.Set("charset", "GBK")
	v.Set("biz_content", `{"out_trade_no":"K1","total_amount":"1","subject":"`+gbkSubject+`"}`)
	resign(t, f.app.key, v)
	body := v.Encode()
	resp, err := f.srv.Client().Post(f.srv.URL+"/gateway.do", "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if tr, ok := f.sim.Trade("K1"); !ok || tr.Subject != "测试" {
		t.Errorf("GBK subject: %+v", tr)
	}
}
