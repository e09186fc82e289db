package wechatsim

import (
	"fmt"
	"net/http"
	"time"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// WeChat's trade states.
const (
	stateNotPay  = "NOTPAY"
	stateSuccess = "SUCCESS"
	stateClosed  = "CLOSED"
	stateRefund  = "REFUND"
)

// sandboxOpenID is the buyer of every payment whose order named no payer.
const sandboxOpenID = "oBmobemuSandboxBuyer00000000"

// tradeTypes maps the order endpoint to WeChat's trade_type.
var tradeTypes = map[string]string{"app": "APP", "jsapi": "JSAPI", "native": "NATIVE", "h5": "MWEB"}

// trade is one order. Fields are guarded by Simulator.mu.
type trade struct {
	kind        string // app, jsapi, native, h5
	appID       string
	mchID       string
	description string
	outTradeNo  string
	notifyURL   string
	attach      string
	total       int64
	currency    string
	openID      string
	timeExpire  time.Time
	fingerprint string // the order's content, to tell a repeat from a conflict

	prepayID      string
	state         string
	transactionID string
	createdAt     time.Time
	paidAt        time.Time
	refunded      int64
}

// refund is one refund of a trade.
type refund struct {
	refundID    string
	outRefundNo string
	trade       *trade
	reason      string
	notifyURL   string
	fen         int64
	status      string
	createdAt   time.Time
	successAt   time.Time
}

// view is the provider contract's picture of t.
func (t *trade) view() provider.Trade {
	v := provider.Trade{
		Provider:    provider.Wechat,
		OutTradeNo:  t.outTradeNo,
		TradeNo:     t.transactionID,
		Kind:        t.kind,
		TotalFen:    t.total,
		RefundedFen: t.refunded,
		Subject:     t.description,
		NotifyURL:   t.notifyURL,
		CreatedAt:   t.createdAt,
		PaidAt:      t.paidAt,
	}
	switch t.state {
	case stateNotPay:
		v.Status = provider.StatusWaitBuyerPay
	case stateClosed:
		v.Status = provider.StatusClosed
	default:
		v.Status = provider.StatusSuccess
	}
	return v
}

// stateDesc is WeChat's trade_state_desc.
func stateDesc(state string) string {
	switch state {
	case stateSuccess:
		return "支付成功"
	case stateClosed:
		return "订单已关闭"
	case stateRefund:
		return "转入退款"
	default:
		return "订单未支付"
	}
}

// addTradeLocked registers a new NOTPAY trade.
func (s *Simulator) addTradeLocked(t *trade) *trade {
	now := s.cfg.Clock.Now()
	s.seq++
	t.state = stateNotPay
	t.createdAt = now
	t.prepayID = fmt.Sprintf("wx%s%020x", now.In(beijing).Format("20060102150405"), s.seq)
	s.trades[t.outTradeNo] = t
	s.byPrepay[t.prepayID] = t
	s.order = append(s.order, t)
	return t
}

// expireLocked closes t if its time_expire has passed unpaid on the clock. Every
// read of a trade calls it, so no timer is needed and a fake clock's Advance
// takes effect at once.
func (s *Simulator) expireLocked(t *trade) {
	if t.state == stateNotPay && !t.timeExpire.IsZero() && !s.cfg.Clock.Now().Before(t.timeExpire) {
		t.state = stateClosed
	}
}

// lookupLocked finds a trade by out_trade_no, applying expiry.
func (s *Simulator) lookupLocked(outTradeNo string) *trade {
	t := s.trades[outTradeNo]
	if t != nil {
		s.expireLocked(t)
	}
	return t
}

// pay moves t to SUCCESS and hands the TRANSACTION.SUCCESS notify over.
func (s *Simulator) pay(t *trade) (provider.Trade, error) {
	s.mu.Lock()
	s.expireLocked(t)
	switch t.state {
	case stateClosed:
		s.mu.Unlock()
		return provider.Trade{}, fmt.Errorf("wechatsim: pay %q: %w", t.outTradeNo, errOrderClosed)
	case stateSuccess, stateRefund:
		s.mu.Unlock()
		return provider.Trade{}, fmt.Errorf("wechatsim: pay %q: %w", t.outTradeNo, errOrderPaid)
	}
	now := s.cfg.Clock.Now()
	s.seq++
	t.state = stateSuccess
	t.paidAt = now
	t.transactionID = fmt.Sprintf("4200000000%s%010d", now.In(beijing).Format("20060102"), s.seq)
	if t.openID == "" {
		t.openID = sandboxOpenID
	}
	s.byTxn[t.transactionID] = t
	plain := marshal(transactionOf(t))
	view := t.view()
	eventSeq := s.nextSeqLocked()
	s.mu.Unlock()

	n, err := s.notification(eventSeq, provider.EventPay, t.outTradeNo, t.notifyURL,
		"TRANSACTION.SUCCESS", "支付成功", "transaction", plain)
	if err != nil {
		return view, err
	}
	s.cfg.Notifier.Notify(n)
	return view, nil
}

// nextSeqLocked numbers events and ids.
func (s *Simulator) nextSeqLocked() int64 {
	s.seq++
	return s.seq
}

// close closes an unpaid trade; closing a closed one again succeeds, as on WeChat.
func (s *Simulator) close(outTradeNo string) (provider.Trade, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookupLocked(outTradeNo)
	if t == nil {
		return provider.Trade{}, errOrderNotExist
	}
	switch t.state {
	case stateSuccess, stateRefund:
		return provider.Trade{}, errOrderPaid
	}
	t.state = stateClosed
	return t.view(), nil
}

// refundInput is a refund as the API or a trigger asks for it.
type refundInput struct {
	outTradeNo    string
	transactionID string
	outRefundNo   string // empty: one is made up
	reason        string
	notifyURL     string // empty: the trade's notify_url
	fen           int64  // 0 (triggers only): what remains
	total         int64  // the order total the client states; 0: not checked
}

// refund refunds a paid trade at once (the money moves instantly in the
// sandbox) and hands REFUND.SUCCESS over.
func (s *Simulator) refund(in refundInput) (*refund, provider.Trade, *apiError) {
	s.mu.Lock()
	var t *trade
	if in.transactionID != "" {
		t = s.byTxn[in.transactionID]
	} else {
		t = s.lookupLocked(in.outTradeNo)
	}
	if t == nil {
		s.mu.Unlock()
		return nil, provider.Trade{}, errRefundTradeNotExist
	}
	if in.outRefundNo != "" {
		if prev := s.refunds[in.outRefundNo]; prev != nil {
			s.mu.Unlock()
			if prev.trade == t && prev.fen == in.fen {
				return prev, t.view(), nil // a retried request: WeChat answers the same refund
			}
			return nil, provider.Trade{}, invalidRequest("退款单号已存在且退款参数不一致", provider.ErrBadState)
		}
	}
	if aerr := refundableLocked(t, in); aerr != nil {
		s.mu.Unlock()
		return nil, provider.Trade{}, aerr
	}
	fen := in.fen
	if fen == 0 {
		fen = t.total - t.refunded
	}
	now := s.cfg.Clock.Now()
	seq := s.nextSeqLocked()
	rf := &refund{
		refundID:    fmt.Sprintf("5030000000%s%011d", now.In(beijing).Format("20060102"), seq),
		outRefundNo: in.outRefundNo,
		trade:       t,
		reason:      in.reason,
		notifyURL:   in.notifyURL,
		fen:         fen,
		status:      stateSuccess,
		createdAt:   now,
		successAt:   now,
	}
	if rf.outRefundNo == "" {
		rf.outRefundNo = fmt.Sprintf("sandbox_refund_%d", seq)
	}
	if rf.notifyURL == "" {
		rf.notifyURL = t.notifyURL
	}
	t.refunded += fen
	t.state = stateRefund
	s.refunds[rf.outRefundNo] = rf
	s.refundsByTxn[t.transactionID] = append(s.refundsByTxn[t.transactionID], rf)
	plain := marshal(refundNotifyOf(rf))
	view := t.view()
	eventSeq := s.nextSeqLocked()
	s.mu.Unlock()

	n, err := s.notification(eventSeq, provider.EventRefund, t.outTradeNo, rf.notifyURL,
		"REFUND.SUCCESS", "退款成功", "refund", plain)
	if err != nil {
		return rf, view, &apiError{status: http.StatusInternalServerError, Code: "SYSTEM_ERROR",
			Message: "系统错误：" + err.Error()}
	}
	s.cfg.Notifier.Notify(n)
	return rf, view, nil
}

// refundableLocked says why t cannot be refunded as in asks, if it cannot.
func refundableLocked(t *trade, in refundInput) *apiError {
	if t.state != stateSuccess && t.state != stateRefund {
		return invalidRequest("订单未支付，不能退款", provider.ErrBadState)
	}
	if in.total != 0 && in.total != t.total {
		return &apiError{status: http.StatusBadRequest, Code: "PARAM_ERROR",
			Message: fmt.Sprintf("订单金额不一致：amount.total %d，订单金额 %d", in.total, t.total),
			Detail:  &errorDetail{Field: "/amount/total", Location: "body", Issue: "does not equal the order total"},
			kind:    provider.ErrBadState}
	}
	remaining := t.total - t.refunded
	if remaining == 0 {
		return invalidRequest("订单已全额退款", provider.ErrBadState)
	}
	if in.fen < 0 || in.fen > remaining {
		return invalidRequest(fmt.Sprintf("申请退款金额超过订单可退金额（可退 %d 分）", remaining), provider.ErrBadState)
	}
	return nil
}
