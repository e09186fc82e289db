package alipaysim

import (
	"crypto"
	"fmt"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// trade is one Alipay trade. Its fields are guarded by Simulator.mu.
type trade struct {
	outTradeNo string
	tradeNo    string
	kind       string // app, page, wap, precreate, create, pay
	status     string
	totalFen   int64
	subject    string
	body       string
	passback   string // passback_params, echoed in notifies

	notifyURL string
	returnURL string // page and wap: where the cashier sends the buyer after paying
	quitURL   string // wap: where cancelling goes
	hash      crypto.Hash
	signType  string

	createdAt time.Time
	paidAt    time.Time
	closedAt  time.Time
	expiresAt time.Time // unpaid trades with timeout_express or time_expire

	refundedFen int64
	refunds     []refund

	stopExpire func() bool
	stopFinish func() bool
}

// refund is one alipay.trade.refund, kept for fastpay.refund.query and repeats.
type refund struct {
	outRequestNo string
	fen          int64
	at           time.Time
}

// newTrade registers a WAIT_BUYER_PAY trade with a trade_no made of the date
// and the simulator's sequence, so a run with a fake clock is reproducible.
func (s *Simulator) newTrade(outTradeNo, kind string, fen int64, subject string) *trade {
	now := s.cfg.Clock.Now()
	s.seq++
	t := &trade{
		outTradeNo: outTradeNo,
		tradeNo:    fmt.Sprintf("%s22001%015d", now.In(bjtime.Location).Format("20060102"), s.seq),
		kind:       kind,
		status:     provider.StatusWaitBuyerPay,
		totalFen:   fen,
		subject:    subject,
		hash:       crypto.SHA256,
		signType:   "RSA2",
		createdAt:  now,
	}
	s.byOutNo[outTradeNo] = t
	s.byTradeNo[t.tradeNo] = t
	s.order = append(s.order, t)
	return t
}

// expireAt closes t at deadline unless it is paid first.
func (s *Simulator) expireAt(t *trade, deadline time.Time) {
	t.expiresAt = deadline
	d := deadline.Sub(s.cfg.Clock.Now())
	no := t.outTradeNo
	t.stopExpire = s.cfg.Clock.AfterFunc(d, func() {
		s.timed(func() {
			s.withLock(func(out *outbox) {
				// Looked up again: under a guard the trades may have been reloaded.
				if t := s.byOutNo[no]; t != nil && t.status == provider.StatusWaitBuyerPay {
					s.close(t, out)
				}
			})
		})
	})
}

// pay moves a waiting trade to TRADE_SUCCESS, notifies, and starts the refund
// period that ends in TRADE_FINISHED.
func (s *Simulator) pay(t *trade, out *outbox) *Error {
	switch t.status {
	case provider.StatusSuccess, provider.StatusFinished:
		return errHasSuccess()
	case provider.StatusClosed:
		return errHasClose()
	}
	stop(&t.stopExpire)
	t.status = provider.StatusSuccess
	t.paidAt = s.cfg.Clock.Now()
	s.finishAt(t, t.paidAt.Add(s.cfg.FinishAfter))
	s.notify(t, provider.EventPay, nil, out)
	return nil
}

// finishAt ends t's refund period at deadline (TRADE_FINISHED) unless it is
// closed first.
func (s *Simulator) finishAt(t *trade, deadline time.Time) {
	no := t.outTradeNo
	t.stopFinish = s.cfg.Clock.AfterFunc(deadline.Sub(s.cfg.Clock.Now()), func() {
		s.timed(func() {
			s.withLock(func(out *outbox) {
				if t := s.byOutNo[no]; t != nil && t.status == provider.StatusSuccess {
					s.finish(t, out)
				}
			})
		})
	})
}

// close closes a trade (unpaid, or fully refunded) and notifies.
func (s *Simulator) close(t *trade, out *outbox) {
	stop(&t.stopExpire)
	stop(&t.stopFinish)
	t.status = provider.StatusClosed
	t.closedAt = s.cfg.Clock.Now()
	if t.refundedFen == 0 {
		s.notify(t, provider.EventClose, nil, out)
	}
}

// finish ends the refund period of a paid trade.
func (s *Simulator) finish(t *trade, out *outbox) {
	stop(&t.stopFinish)
	t.status = provider.StatusFinished
	t.closedAt = s.cfg.Clock.Now()
	s.notify(t, EventFinish, nil, out)
}

// refund refunds fen under outRequestNo. A repeated outRequestNo with the same
// amount is answered with the earlier refund and changes nothing, as Alipay
// does (repeat reports true).
func (s *Simulator) refund(t *trade, fen int64, outRequestNo string, out *outbox) (r refund, repeat bool, e *Error) {
	for _, r := range t.refunds {
		if r.outRequestNo == outRequestNo {
			if r.fen != fen {
				return refund{}, false, errDiscordant()
			}
			return r, true, nil
		}
	}
	switch t.status {
	case provider.StatusWaitBuyerPay:
		return refund{}, false, errStatus()
	case provider.StatusClosed:
		return refund{}, false, errHasClose()
	case provider.StatusFinished:
		return refund{}, false, errHasFinished()
	}
	if fen <= 0 || fen > t.totalFen-t.refundedFen {
		return refund{}, false, errRefundTooMuch()
	}
	r = refund{outRequestNo: outRequestNo, fen: fen, at: s.cfg.Clock.Now()}
	t.refunds = append(t.refunds, r)
	t.refundedFen += fen
	if t.refundedFen == t.totalFen {
		s.close(t, out)
	}
	s.notify(t, provider.EventRefund, &r, out)
	return r, false, nil
}

func stop(f *func() bool) {
	if *f != nil {
		(*f)()
		*f = nil
	}
}

// view is the trade as provider.Trade.
func (t *trade) view() provider.Trade {
	return provider.Trade{
		Provider:    provider.Alipay,
		OutTradeNo:  t.outTradeNo,
		TradeNo:     t.tradeNo,
		Kind:        t.kind,
		Status:      t.status,
		TotalFen:    t.totalFen,
		RefundedFen: t.refundedFen,
		Subject:     t.subject,
		NotifyURL:   t.notifyURL,
		CreatedAt:   t.createdAt,
		PaidAt:      t.paidAt,
	}
}

// GuardTimers implements provider.TimerGuarded: from now on each timer's
// action (expiry, end of the refund period) runs inside guard.
func (s *Simulator) GuardTimers(guard func(act func())) {
	s.mu.Lock()
	s.guard = guard
	s.mu.Unlock()
}

// timed runs a timer's action, under the guard when there is one.
func (s *Simulator) timed(act func()) {
	s.mu.Lock()
	guard := s.guard
	s.mu.Unlock()
	if guard == nil {
		act()
		return
	}
	guard(act)
}
