// Package alipaysim simulates Alipay's open platform gateway for bmobemu's
// payment sandbox: the alipay.trade.* API at /gateway.do with Alipay's
// request-signature check, error texts and signed responses, a cashier page
// for page and wap pay, app-pay order strings submitted as the phone would,
// and trade_status_sync notifies signed with the simulated Alipay key and
// handed to a provider.Notifier. Trades live in memory and move through
// WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_CLOSED and TRADE_FINISHED on a Clock.
package alipaysim

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// Config is what a Simulator knows: the app it serves and Alipay's half of the keys.
type Config struct {
	// AppID is the only app_id the gateway accepts.
	AppID string
	// AppPublicKey verifies the app's request signatures (the "应用公钥").
	AppPublicKey *rsa.PublicKey
	// AlipayPrivateKey signs responses, notifies and synchronous returns; its
	// public half is what scripts configure as alipayPublicKey.
	AlipayPrivateKey *rsa.PrivateKey
	// SellerID is the merchant's 2088… partner id in notifies; a fixed sandbox
	// id when empty.
	SellerID string
	// SellerEmail, when set, is sent as seller_email in notifies.
	SellerEmail string
	// Clock drives timestamps, trade expiry and TRADE_FINISHED; the wall clock
	// when nil.
	Clock provider.Clock
	// Notifier takes every notify for delivery. Required.
	Notifier provider.Notifier
	// CashierBase is the absolute URL where bmobemu mounts this handler, e.g.
	// http://127.0.0.1:8080/_sandbox/alipay; the cashier page's forms and
	// precreate's qr_code point under it. Required.
	CashierBase string
	// Warn receives fidelity warnings: things that work here but not, or not
	// quite so, at the real Alipay. Nil discards them.
	Warn func(string)
	// FinishAfter is how long after payment a trade becomes TRADE_FINISHED (the
	// end of its refund period); 90 days when zero.
	FinishAfter time.Duration
}

// Default values of optional Config fields.
const (
	DefaultSellerID    = "2088102177302222"
	DefaultFinishAfter = 90 * 24 * time.Hour
)

// Sandbox buyer every simulated payment is made by.
const (
	buyerID      = "2088102177846880"
	buyerLogonID = "sdb***@sandbox.com"
)

// EventFinish is the notify event of a trade reaching TRADE_FINISHED, beside
// provider.EventPay, EventRefund and EventClose.
const EventFinish = "finish"

// Simulator is a simulated Alipay. It implements provider.Provider and is
// safe for concurrent use.
type Simulator struct {
	cfg        Config
	cashierURL *url.URL

	mu        sync.Mutex
	byOutNo   map[string]*trade
	byTradeNo map[string]*trade
	order     []*trade
	seq       int64            // trade_no and notify_id sequence
	guard     func(act func()) // runs timer actions (GuardTimers); nil: they run as they fire
}

var _ provider.Provider = (*Simulator)(nil)

// New checks cfg, fills its defaults and returns a Simulator.
func New(cfg Config) (*Simulator, error) {
	switch {
	case cfg.AppID == "":
		return nil, errors.New("alipaysim: Config.AppID is required")
	case cfg.AppPublicKey == nil:
		return nil, errors.New("alipaysim: Config.AppPublicKey is required")
	case cfg.AlipayPrivateKey == nil:
		return nil, errors.New("alipaysim: Config.AlipayPrivateKey is required")
	case cfg.Notifier == nil:
		return nil, errors.New("alipaysim: Config.Notifier is required")
	}
	base, err := url.Parse(strings.TrimSuffix(cfg.CashierBase, "/"))
	if err != nil || !base.IsAbs() || base.Host == "" {
		return nil, fmt.Errorf("alipaysim: Config.CashierBase %q must be an absolute http(s) URL", cfg.CashierBase)
	}
	cfg.CashierBase = base.String()
	if cfg.SellerID == "" {
		cfg.SellerID = DefaultSellerID
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	if cfg.Warn == nil {
		cfg.Warn = func(string) {}
	}
	if cfg.FinishAfter <= 0 {
		cfg.FinishAfter = DefaultFinishAfter
	}
	return &Simulator{
		cfg:        cfg,
		cashierURL: base,
		byOutNo:    map[string]*trade{},
		byTradeNo:  map[string]*trade{},
	}, nil
}

// Name is provider.Alipay.
func (s *Simulator) Name() string { return provider.Alipay }

// Hosts are Alipay's production gateway host and both sandbox gateway hosts.
func (s *Simulator) Hosts() []string {
	return []string{"openapi.alipay.com", "openapi.alipaydev.com", "openapi-sandbox.dl.alipaydev.com"}
}

// Trades lists every trade, oldest first.
func (s *Simulator) Trades() []provider.Trade {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]provider.Trade, len(s.order))
	for i, t := range s.order {
		out[i] = t.view()
	}
	return out
}

// Trade is one trade by out_trade_no.
func (s *Simulator) Trade(outTradeNo string) (provider.Trade, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.byOutNo[outTradeNo]
	if !ok {
		return provider.Trade{}, false
	}
	return t.view(), true
}

// Pay completes a payment as the buyer would (TRADE_SUCCESS) and sends the pay
// notify. A trade the simulator has not seen (an app order string that never
// reached it) is created from req when req.TotalFen is set.
func (s *Simulator) Pay(ctx context.Context, req provider.PayRequest) (provider.Trade, error) {
	if err := ctx.Err(); err != nil {
		return provider.Trade{}, fmt.Errorf("alipay pay %s: %w", req.OutTradeNo, err)
	}
	var view provider.Trade
	var fail error
	s.withLock(func(out *outbox) {
		t, ok := s.byOutNo[req.OutTradeNo]
		switch {
		case !ok && req.TotalFen <= 0:
			fail = errTradeNotExist()
			return
		case !ok:
			if req.TotalFen > maxFen {
				fail = errParam("total_amount 超出范围")
				return
			}
			subject := req.Subject
			if subject == "" {
				subject = req.OutTradeNo
			}
			t = s.newTrade(req.OutTradeNo, "app", req.TotalFen, subject)
			t.notifyURL = req.NotifyURL
		case req.TotalFen != 0 && req.TotalFen != t.totalFen:
			fail = fmt.Errorf("amount %s differs from the trade's %s: %w", yuan(req.TotalFen), yuan(t.totalFen), provider.ErrBadState)
			return
		}
		if e := s.pay(t, out); e != nil {
			fail = e
			return
		}
		view = t.view()
	})
	if fail != nil {
		return provider.Trade{}, fmt.Errorf("alipay pay %s: %w", req.OutTradeNo, fail)
	}
	return view, nil
}

// Close closes an unpaid trade (TRADE_CLOSED), notifying when it has a notify_url.
func (s *Simulator) Close(ctx context.Context, outTradeNo string) (provider.Trade, error) {
	return s.trigger(ctx, "close", outTradeNo, func(t *trade, out *outbox) *Error {
		if t.status != provider.StatusWaitBuyerPay {
			return errStatus()
		}
		s.close(t, out)
		return nil
	})
}

// Refund refunds fen of a paid trade (0: all that remains), notifying as
// Alipay does: TRADE_SUCCESS with refund_fee for a partial refund,
// TRADE_CLOSED for the last one.
func (s *Simulator) Refund(ctx context.Context, outTradeNo string, fen int64) (provider.Trade, error) {
	return s.trigger(ctx, "refund", outTradeNo, func(t *trade, out *outbox) *Error {
		if fen == 0 {
			fen = t.totalFen - t.refundedFen
		}
		reqNo := fmt.Sprintf("%s-R%d", t.outTradeNo, len(t.refunds)+1)
		_, _, e := s.refund(t, fen, reqNo, out)
		return e
	})
}

// Finish ends a paid trade's refund period now (TRADE_FINISHED), as the
// FinishAfter timer would, and sends the notify.
func (s *Simulator) Finish(ctx context.Context, outTradeNo string) (provider.Trade, error) {
	return s.trigger(ctx, "finish", outTradeNo, func(t *trade, out *outbox) *Error {
		if t.status != provider.StatusSuccess {
			return errStatus()
		}
		s.finish(t, out)
		return nil
	})
}

// trigger runs op on a trade under the lock and sends what it notifies.
func (s *Simulator) trigger(ctx context.Context, what, outTradeNo string, op func(*trade, *outbox) *Error) (provider.Trade, error) {
	if err := ctx.Err(); err != nil {
		return provider.Trade{}, fmt.Errorf("alipay %s %s: %w", what, outTradeNo, err)
	}
	var view provider.Trade
	var fail *Error
	s.withLock(func(out *outbox) {
		t, ok := s.byOutNo[outTradeNo]
		if !ok {
			fail = errTradeNotExist()
			return
		}
		if fail = op(t, out); fail == nil {
			view = t.view()
		}
	})
	if fail != nil {
		return provider.Trade{}, fmt.Errorf("alipay %s %s: %w", what, outTradeNo, fail)
	}
	return view, nil
}

// outbox collects notifications made under the lock; they are handed to the
// Notifier after it is released.
type outbox []provider.Notification

func (s *Simulator) withLock(f func(out *outbox)) {
	var out outbox
	s.mu.Lock()
	f(&out)
	s.mu.Unlock()
	for _, n := range out {
		s.cfg.Notifier.Notify(n)
	}
}
