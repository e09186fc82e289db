// Package provider is the contract between bmobemu's payment sandbox (package
// sandbox: keys, notify delivery with retries, triggers, wiring) and each
// simulated payment provider (paysim/alipaysim, paysim/wechatsim). A provider
// answers its gateway's HTTP API, keeps its trades, and hands every asynchronous
// notify it would send to a Notifier; it never does network I/O itself.
package provider

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// MountPath is where the sandbox is mounted on bmobemu's server; each
// provider's handler is under MountPath+name.
const MountPath = "/_sandbox/"

// Env is what the sandbox gives a provider it builds: where notifies go, the
// clock, the server's URL. A provider's credentials are its own business.
type Env struct {
	Notifier Notifier // the Sandbox
	Clock    Clock
	// BaseURL is bmobemu's server as a browser reaches it (http://127.0.0.1:8080).
	BaseURL string
	// Random is for nonces (nil: crypto/rand).
	Random io.Reader
	// Warn logs a fidelity warning.
	Warn func(line string)
}

// MountURL is the absolute URL of the provider name's handler on bmobemu's
// server, e.g. http://127.0.0.1:8080/_sandbox/alipay.
func (e Env) MountURL(name string) string {
	base := e.BaseURL
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	return strings.TrimRight(base, "/") + MountPath + name
}

// Provider names.
const (
	Alipay = "alipay"
	Wechat = "wechat"
)

// Events a notify can report.
const (
	EventPay    = "pay"
	EventRefund = "refund"
	EventClose  = "close"
)

// Trade statuses, in Alipay's words; WeChat's trade_state maps onto them
// (SUCCESS→TRADE_SUCCESS, NOTPAY→WAIT_BUYER_PAY, CLOSED→TRADE_CLOSED,
// REFUND→TRADE_SUCCESS with RefundedFen > 0).
const (
	StatusWaitBuyerPay = "WAIT_BUYER_PAY"
	StatusSuccess      = "TRADE_SUCCESS"
	StatusClosed       = "TRADE_CLOSED"
	StatusFinished     = "TRADE_FINISHED"
)

// ErrNoTrade is returned (wrapped) by triggers for an unknown out_trade_no.
var ErrNoTrade = errors.New("no such trade")

// ErrBadState is returned (wrapped) by a trigger the trade's state does not allow
// (paying a closed trade, refunding an unpaid one, more than was paid…).
var ErrBadState = errors.New("trade state does not allow this")

// Clock is the sandbox's time (clock.Clock satisfies it): trade expiry
// (timeout_express, time_expire) and anything else that waits uses it.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// Notification is one asynchronous notify exactly as the provider would POST it
// to the merchant's notify_url.
type Notification struct {
	Provider   string      // Alipay or Wechat
	Event      string      // EventPay, EventRefund, EventClose
	OutTradeNo string      // the merchant's order number
	URL        string      // notify_url as the merchant gave it
	Header     http.Header // Content-Type and, for WeChat, the Wechatpay-* headers
	Body       []byte      // Alipay: form-encoded, RSA2-signed; WeChat: JSON with the encrypted resource
}

// Notifier takes notifications for delivery. The sandbox delivers them with the
// provider's retry schedule, judges acknowledgements as the provider does, and
// records every attempt. Notify must not block.
type Notifier interface {
	Notify(n Notification)
}

// Trade is a provider's view of one order, for listings and triggers.
type Trade struct {
	Provider    string    `json:"provider"`
	OutTradeNo  string    `json:"outTradeNo"`
	TradeNo     string    `json:"tradeNo"`  // the provider's own id (Alipay trade_no, WeChat transaction_id)
	Kind        string    `json:"kind"`     // how it was created: app, page, wap, precreate, create, pay, jsapi, native, h5
	Status      string    `json:"status"`   // one of the Status* constants
	TotalFen    int64     `json:"totalFen"` // amount in fen (cents)
	RefundedFen int64     `json:"refundedFen"`
	Subject     string    `json:"subject"`
	NotifyURL   string    `json:"notifyUrl"`
	CreatedAt   time.Time `json:"createdAt"`
	PaidAt      time.Time `json:"paidAt,omitzero"`
}

// PayRequest asks a provider to complete a payment as the buyer would.
type PayRequest struct {
	OutTradeNo string
	// TotalFen, NotifyURL and Subject create the trade when the provider has not
	// seen it (an order made elsewhere); for a known trade TotalFen must be 0 or
	// equal the trade's amount.
	TotalFen  int64
	NotifyURL string
	Subject   string
}

// Provider is one simulated payment provider.
type Provider interface {
	// Name is Alipay or Wechat.
	Name() string
	// Hosts are the real hosts whose requests the provider answers, for the
	// outbound router (e.g. openapi.alipay.com).
	Hosts() []string
	// ServeHTTP answers the gateway API with the real paths (/gateway.do,
	// /v3/pay/transactions/native, …). The sandbox also mounts it under
	// /_sandbox/<name>/ on bmobemu's own server, for browsers and clients.
	ServeHTTP(w http.ResponseWriter, r *http.Request)
	// Pay completes a payment (status TRADE_SUCCESS) and sends the pay notify.
	Pay(ctx context.Context, req PayRequest) (Trade, error)
	// Close closes an unpaid trade (TRADE_CLOSED), notifying where the provider does.
	Close(ctx context.Context, outTradeNo string) (Trade, error)
	// Refund refunds fen (0: whatever remains) of a paid trade, notifying where the
	// provider does.
	Refund(ctx context.Context, outTradeNo string, fen int64) (Trade, error)
	// Trades lists every trade, oldest first.
	Trades() []Trade
	// NotifyPolicy is how the provider judges a merchant's answer to its
	// notifies and when it tries again; the sandbox delivers by it.
	NotifyPolicy() NotifyPolicy
}

// NotifyPolicy is how a provider judges the answer to a notify and when it
// retries. The sandbox scales Retries (Options.RetryScale) but never reads
// which provider it delivers for.
type NotifyPolicy struct {
	// Retries are the delays before the 2nd, 3rd, … attempt; none: one attempt.
	Retries []time.Duration
	// Acked reports whether the merchant's answer acknowledges the notify.
	Acked func(status int, body []byte) bool
	// Rule is Acked in words, for the delivery records and logs.
	Rule string
}

// DefaultNotifyPolicy is the policy of a delivery whose provider is not (or no
// longer) added: HTTP 2xx acknowledges, no retries.
func DefaultNotifyPolicy() NotifyPolicy {
	return NotifyPolicy{Rule: "HTTP 2xx, no retries",
		Acked: func(status int, _ []byte) bool { return status >= 200 && status < 300 }}
}

// SignedAPI is implemented by providers whose handler serves, besides the
// buyer's pages, API paths that authenticate every request by the merchant's
// signature (Alipay's /gateway.do, WeChat's /v3/…). The sandbox leaves those
// paths open to any caller, as the real gateways are; every other path (the
// cashier pages and their buttons) is behind bmobemu's web guard.
type SignedAPI interface {
	// SignedAPIPath reports whether path (with the /_sandbox/<name> prefix
	// stripped) is such an API path.
	SignedAPIPath(path string) bool
}

// Persistent is implemented by providers that can save their trades and
// restore them after a restart (bmobemu keeps them in its db).
type Persistent interface {
	// Snapshot is the provider's whole state (trades, refunds, sequences) as
	// JSON. The sandbox saves it after every call that may have changed it.
	Snapshot() ([]byte, error)
	// Restore replaces the state with that of a Snapshot (what was held before
	// is dropped, its timers stopped). It is called before any other call and,
	// when several processes share the trades, again whenever another process
	// changed them; timers (expiry, the end of the refund period) are armed
	// again from the restored times.
	Restore(snapshot []byte) error
}

// TimerGuarded is implemented by Persistent providers whose timers change
// trades on their own (Alipay's expiry and end of the refund period). When
// several processes share the trades, the sandbox installs a guard: each
// timer's action runs inside it, with the trades reloaded first and saved
// after, so the action happens once across processes (the action must look
// its trade up again and check it still applies).
type TimerGuarded interface {
	GuardTimers(guard func(act func()))
}
