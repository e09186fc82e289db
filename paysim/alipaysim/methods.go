package alipaysim

import (
	"fmt"
	"strconv"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// apiFunc answers one gateway method under the simulator's lock.
type apiFunc func(req *request, out *outbox) (obj, *Error)

// api is the JSON method named m, nil when the simulator does not offer it.
func (s *Simulator) api(m string) apiFunc {
	switch m {
	case "alipay.trade.precreate":
		return s.apiPrecreate
	case "alipay.trade.create":
		return s.apiCreate
	case "alipay.trade.pay":
		return s.apiPay
	case "alipay.trade.query":
		return s.apiQuery
	case "alipay.trade.close":
		return s.apiClose
	case "alipay.trade.cancel":
		return s.apiCancel
	case "alipay.trade.refund":
		return s.apiRefund
	case "alipay.trade.fastpay.refund.query":
		return s.apiRefundQuery
	}
	return nil
}

func success(fields ...member) obj {
	return append(obj{{"code", "10000"}, {"msg", "Success"}}, fields...)
}

// openTrade creates the trade a request describes, or returns the same
// unpaid trade when the order is opened again unchanged.
func (s *Simulator) openTrade(req *request, kind string) (*trade, *Error) {
	outNo := req.bizString("out_trade_no")
	if outNo == "" {
		return nil, errParam("缺少 out_trade_no")
	}
	amount := req.bizString("total_amount")
	if amount == "" {
		return nil, errParam("缺少 total_amount")
	}
	fen, err := parseYuan(amount)
	if err != nil {
		return nil, errParam("total_amount: " + err.Error())
	}
	subject := req.bizString("subject")
	if subject == "" {
		return nil, errParam("缺少 subject")
	}
	deadline, e := s.deadline(req)
	if e != nil {
		return nil, e
	}
	if t, ok := s.byOutNo[outNo]; ok {
		switch t.status {
		case provider.StatusSuccess, provider.StatusFinished:
			return nil, errHasSuccess()
		case provider.StatusClosed:
			return nil, errHasClose()
		}
		if t.totalFen != fen || t.subject != subject {
			return nil, errInconsistent()
		}
		return t, nil
	}
	t := s.newTrade(outNo, kind, fen, subject)
	t.body = req.bizString("body")
	t.passback = req.bizString("passback_params")
	t.hash, t.signType = req.hash, req.signType
	t.notifyURL = s.urlParam(req, "notify_url", "would send no notify")
	t.returnURL = s.urlParam(req, "return_url", "would not send the buyer back to it")
	t.quitURL = req.params.Get("quit_url")
	if t.quitURL == "" {
		t.quitURL = req.bizString("quit_url")
	}
	if !deadline.IsZero() {
		s.expireAt(t, deadline)
	}
	return t, nil
}

// urlParam is a top-level notify_url or return_url. Tutorials put them inside
// biz_content, where Alipay ignores them; the sandbox uses them with a warning.
func (s *Simulator) urlParam(req *request, name, otherwise string) string {
	if v := req.params.Get(name); v != "" {
		return v
	}
	v := req.bizString(name)
	if v != "" {
		s.cfg.Warn(fmt.Sprintf("alipay %s (out_trade_no %s): %s is inside biz_content; Alipay reads only the top-level %s parameter and %s. The sandbox uses it anyway",
			req.method, req.bizString("out_trade_no"), name, name, otherwise))
	}
	return v
}

// deadline is when an unpaid trade closes: the earlier of timeout_express
// (1m–15d, or 1c for the end of the day) and time_expire. Zero means never.
func (s *Simulator) deadline(req *request) (time.Time, *Error) {
	now := s.cfg.Clock.Now()
	var at time.Time
	if te := req.bizString("timeout_express"); te != "" {
		d, err := parseTimeoutExpress(te, now)
		if err != nil {
			return time.Time{}, errParam("timeout_express: " + err.Error())
		}
		at = now.Add(d)
	}
	if te := req.bizString("time_expire"); te != "" {
		t, err := bjtime.Parse(te)
		if err != nil {
			t, err = time.ParseInLocation("2006-01-02 15:04", te, bjtime.Location)
		}
		if err != nil {
			return time.Time{}, errParam("time_expire 格式应为 yyyy-MM-dd HH:mm:ss")
		}
		if !t.After(now) {
			return time.Time{}, errParam("time_expire 已过期")
		}
		if at.IsZero() || t.Before(at) {
			at = t
		}
	}
	return at, nil
}

// parseTimeoutExpress reads "30m", "2h", "15d" or "1c" (until midnight, Beijing).
func parseTimeoutExpress(s string, now time.Time) (time.Duration, error) {
	if len(s) < 2 || !digits(s[:len(s)-1]) {
		return 0, fmt.Errorf("%q is not a number followed by m, h, d or c", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	var d time.Duration
	switch s[len(s)-1] {
	case 'm':
		d = time.Duration(n) * time.Minute
	case 'h':
		d = time.Duration(n) * time.Hour
	case 'd':
		d = time.Duration(n) * 24 * time.Hour
	case 'c':
		if n != 1 {
			return 0, fmt.Errorf("%q: only 1c (until the end of the day) exists", s)
		}
		bj := now.In(bjtime.Location)
		midnight := time.Date(bj.Year(), bj.Month(), bj.Day()+1, 0, 0, 0, 0, bjtime.Location)
		return midnight.Sub(now), nil
	default:
		return 0, fmt.Errorf("%q is not a number followed by m, h, d or c", s)
	}
	if d < time.Minute || d > 15*24*time.Hour {
		return 0, fmt.Errorf("%q is outside 1m to 15d", s)
	}
	return d, nil
}

// lookup finds the trade named by out_trade_no and/or trade_no.
func (s *Simulator) lookup(req *request) (*trade, *Error) {
	outNo, tradeNo := req.bizString("out_trade_no"), req.bizString("trade_no")
	var t *trade
	switch {
	case outNo == "" && tradeNo == "":
		return nil, errParam("out_trade_no 与 trade_no 不能同时为空")
	case outNo != "":
		t = s.byOutNo[outNo]
	default:
		t = s.byTradeNo[tradeNo]
	}
	if t == nil || (tradeNo != "" && t.tradeNo != tradeNo) {
		return nil, errTradeNotExist()
	}
	return t, nil
}

func (s *Simulator) apiPrecreate(req *request, _ *outbox) (obj, *Error) {
	t, e := s.openTrade(req, "precreate")
	if e != nil {
		return nil, e
	}
	return success(member{"out_trade_no", t.outTradeNo}, member{"qr_code", s.cashierLink(t)}), nil
}

func (s *Simulator) apiCreate(req *request, _ *outbox) (obj, *Error) {
	t, e := s.openTrade(req, "create")
	if e != nil {
		return nil, e
	}
	return success(member{"out_trade_no", t.outTradeNo}, member{"trade_no", t.tradeNo}), nil
}

// apiPay is barcode payment: the buyer's auth_code pays at once.
func (s *Simulator) apiPay(req *request, out *outbox) (obj, *Error) {
	if req.bizString("auth_code") == "" {
		return nil, errParam("缺少 auth_code")
	}
	t, e := s.openTrade(req, "pay")
	if e != nil {
		return nil, e
	}
	if e := s.pay(t, out); e != nil {
		return nil, e
	}
	amount := yuan(t.totalFen)
	return success(
		member{"buyer_logon_id", buyerLogonID},
		member{"buyer_pay_amount", amount},
		member{"buyer_user_id", buyerID},
		member{"fund_bill_list", []obj{{{"amount", amount}, {"fund_channel", "ALIPAYACCOUNT"}}}},
		member{"gmt_payment", bjtime.Format(t.paidAt)},
		member{"invoice_amount", amount},
		member{"out_trade_no", t.outTradeNo},
		member{"point_amount", "0.00"},
		member{"receipt_amount", amount},
		member{"total_amount", amount},
		member{"trade_no", t.tradeNo},
	), nil
}

func (s *Simulator) apiQuery(req *request, _ *outbox) (obj, *Error) {
	t, e := s.lookup(req)
	if e != nil {
		return nil, e
	}
	paid := "0.00"
	if !t.paidAt.IsZero() {
		paid = yuan(t.totalFen)
	}
	body := success(
		member{"buyer_logon_id", buyerLogonID},
		member{"buyer_pay_amount", paid},
		member{"buyer_user_id", buyerID},
		member{"invoice_amount", paid},
		member{"out_trade_no", t.outTradeNo},
		member{"point_amount", "0.00"},
		member{"receipt_amount", paid},
	)
	if !t.paidAt.IsZero() {
		body = append(body,
			member{"fund_bill_list", []obj{{{"amount", paid}, {"fund_channel", "ALIPAYACCOUNT"}}}},
			member{"send_pay_date", bjtime.Format(t.paidAt)})
	}
	return append(body,
		member{"subject", t.subject},
		member{"total_amount", yuan(t.totalFen)},
		member{"trade_no", t.tradeNo},
		member{"trade_status", t.status},
	), nil
}

func (s *Simulator) apiClose(req *request, out *outbox) (obj, *Error) {
	t, e := s.lookup(req)
	if e != nil {
		return nil, e
	}
	if t.status != provider.StatusWaitBuyerPay {
		return nil, errStatus()
	}
	s.close(t, out)
	return success(member{"out_trade_no", t.outTradeNo}, member{"trade_no", t.tradeNo}), nil
}

// apiCancel closes an unpaid trade or refunds a paid one in full; repeating it
// gives the same answer.
func (s *Simulator) apiCancel(req *request, out *outbox) (obj, *Error) {
	t, e := s.lookup(req)
	if e != nil {
		return nil, e
	}
	action := "close"
	switch t.status {
	case provider.StatusWaitBuyerPay:
		s.close(t, out)
	case provider.StatusSuccess:
		action = "refund"
		if _, _, e := s.refund(t, t.totalFen-t.refundedFen, "cancel-"+t.outTradeNo, out); e != nil {
			return nil, e
		}
	case provider.StatusClosed:
		if t.refundedFen > 0 {
			action = "refund"
		}
	default:
		return nil, errStatus()
	}
	return success(
		member{"action", action},
		member{"out_trade_no", t.outTradeNo},
		member{"retry_flag", "N"},
		member{"trade_no", t.tradeNo},
	), nil
}

func (s *Simulator) apiRefund(req *request, out *outbox) (obj, *Error) {
	t, e := s.lookup(req)
	if e != nil {
		return nil, e
	}
	amount := req.bizString("refund_amount")
	if amount == "" {
		return nil, errParam("缺少 refund_amount")
	}
	fen, err := parseYuan(amount)
	if err != nil {
		return nil, errParam("refund_amount: " + err.Error())
	}
	reqNo := req.bizString("out_request_no")
	if reqNo == "" {
		reqNo = t.outTradeNo // Alipay's default: one refund per trade
	}
	r, repeat, e := s.refund(t, fen, reqNo, out)
	if e != nil {
		return nil, e
	}
	change := "Y"
	if repeat {
		change = "N"
	}
	return success(
		member{"buyer_logon_id", buyerLogonID},
		member{"buyer_user_id", buyerID},
		member{"fund_change", change},
		member{"gmt_refund_pay", bjtime.Format(r.at)},
		member{"out_trade_no", t.outTradeNo},
		member{"refund_fee", yuan(t.refundedFen)},
		member{"send_back_fee", yuan(r.fen)},
		member{"trade_no", t.tradeNo},
	), nil
}

// apiRefundQuery reports one refund; an unknown out_request_no is a success
// without refund fields, which is how Alipay says "no such refund".
func (s *Simulator) apiRefundQuery(req *request, _ *outbox) (obj, *Error) {
	t, e := s.lookup(req)
	if e != nil {
		return nil, e
	}
	reqNo := req.bizString("out_request_no")
	if reqNo == "" {
		return nil, errParam("缺少 out_request_no")
	}
	for _, r := range t.refunds {
		if r.outRequestNo == reqNo {
			return success(
				member{"gmt_refund_pay", bjtime.Format(r.at)},
				member{"out_request_no", r.outRequestNo},
				member{"out_trade_no", t.outTradeNo},
				member{"refund_amount", yuan(r.fen)},
				member{"refund_status", "REFUND_SUCCESS"},
				member{"total_amount", yuan(t.totalFen)},
				member{"trade_no", t.tradeNo},
			), nil
		}
	}
	return success(member{"out_trade_no", t.outTradeNo}, member{"trade_no", t.tradeNo}), nil
}
