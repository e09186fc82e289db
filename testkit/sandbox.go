package testkit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/builtin"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// processKeys are the sandbox keys every session of this process shares unless
// Options.SandboxKeys says otherwise: four RSA-2048 keys take ~0.3 s to make, far
// more than a session. Made on first use and never changed after.
var processKeys = sync.OnceValues(func() (*builtin.Keys, error) {
	// The ids come from a fixed seed, so appId, mchid and serials are the same
	// in every run; the RSA keys are fresh per process.
	k, err := builtin.NewKeys(newSeeded(0x5a4d), DefaultStart)
	if err != nil {
		return nil, fmt.Errorf("testkit: making the sandbox keys: %w", err)
	}
	return k, nil
})

// SandboxKeys returns the payment sandbox keys sessions use by default, making
// them on the first call in the process. Scripts' configs take these values
// (Options.Replace), as a reader pastes `bmobemu sandbox keys`.
func SandboxKeys() (*builtin.Keys, error) { return processKeys() }

// Payments drives a session's payment sandbox the way a buyer and the providers
// would: pay, close and refund trades, list trades and notify deliveries, replay
// a notify. Every trigger waits until the first attempt of each notify it sent
// has been answered (and the work it started has settled), so a test can look
// at the rows right after.
type Payments struct {
	s      *Session
	sb     *paysim.Sandbox
	keys   *builtin.Keys
	client *paysim.Client
}

func newPayments(s *Session) *Payments {
	h := s.Emu.Sandbox.Handler()
	return &Payments{s: s, sb: s.Emu.Sandbox, keys: s.Emu.SandboxKeys, client: &paysim.Client{
		Base: "http://127.0.0.1", // in-process; a loopback name, as the sandbox's guard wants
		HTTP: &http.Client{Transport: handlerTransport{h}},
	}}
}

// handlerTransport answers requests with an in-process handler: the sandbox's
// trigger endpoints, without a port.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// Keys are the sandbox credentials this session's simulators hold the other
// halves of.
func (p *Payments) Keys() *builtin.Keys { return p.keys }

// Pay completes a payment as the buyer would and waits for its notify's first
// attempt. Provider may be empty when exactly one provider has a trade with
// that OutTradeNo; Amount (yuan), NotifyURL and Subject create the trade when
// no provider has seen it.
func (p *Payments) Pay(ctx context.Context, req paysim.TriggerRequest) (paysim.TriggerResult, error) {
	return p.trigger(ctx, "pay", req, p.client.Pay)
}

// Close closes an unpaid trade and waits for any notify it sent.
func (p *Payments) Close(ctx context.Context, req paysim.TriggerRequest) (paysim.TriggerResult, error) {
	return p.trigger(ctx, "close", req, p.client.Close)
}

// Refund refunds Amount (yuan; empty: what remains) of a paid trade and waits
// for any notify it sent.
func (p *Payments) Refund(ctx context.Context, req paysim.TriggerRequest) (paysim.TriggerResult, error) {
	return p.trigger(ctx, "refund", req, p.client.Refund)
}

func (p *Payments) trigger(ctx context.Context, what string, req paysim.TriggerRequest,
	do func(context.Context, paysim.TriggerRequest) (paysim.TriggerResult, error)) (paysim.TriggerResult, error) {
	if req.Provider == "" {
		name, err := p.providerOf(req.OutTradeNo)
		if err != nil {
			return paysim.TriggerResult{}, fmt.Errorf("testkit: sandbox %s: %w", what, err)
		}
		req.Provider = name
	}
	res, err := do(ctx, req)
	if err != nil {
		return res, fmt.Errorf("testkit: sandbox %s of %s: %w", what, req.OutTradeNo, err)
	}
	for i, d := range res.Notifies {
		if res.Notifies[i], err = p.waitFirstAttempt(ctx, d.ID); err != nil {
			return res, err
		}
	}
	res.Trade = p.current(res.Trade)
	return res, nil
}

// providerOf is the one provider with a trade numbered outTradeNo.
func (p *Payments) providerOf(outTradeNo string) (string, error) {
	var found []string
	for _, t := range p.sb.Trades() {
		if t.OutTradeNo == outTradeNo {
			found = append(found, t.Provider)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return "", fmt.Errorf("no trade %q yet: name the provider (alipay or wechat), and the amount for a trade the simulator has not seen", outTradeNo)
	}
	return "", fmt.Errorf("trades %q exist at %v: name the provider", outTradeNo, found)
}

// current is the trade as its provider holds it now (the notify's handler may
// have moved it on, e.g. closed or refunded it); t itself when it is gone.
func (p *Payments) current(t provider.Trade) provider.Trade {
	for _, now := range p.sb.Trades() {
		if now.Provider == t.Provider && now.OutTradeNo == t.OutTradeNo {
			return now
		}
	}
	return t
}

// Replay delivers notify id again and waits for the new delivery's first attempt.
func (p *Payments) Replay(ctx context.Context, id string) (paysim.Delivery, error) {
	d, err := p.sb.Replay(id)
	if err != nil {
		return d, fmt.Errorf("testkit: %w", err)
	}
	return p.waitFirstAttempt(ctx, d.ID)
}

// Trades lists every provider's trades, oldest first.
func (p *Payments) Trades() []provider.Trade { return p.sb.Trades() }

// Notifies lists every notify delivery with its attempts, oldest first.
func (p *Payments) Notifies() []paysim.Delivery { return p.sb.Deliveries() }

// waitFirstAttempt waits until delivery id has an answered attempt, then for the
// session's scripts to settle.
func (p *Payments) waitFirstAttempt(ctx context.Context, id string) (paysim.Delivery, error) {
	ctx, cancel := p.s.callContext(ctx)
	defer cancel()
	for pause := 50 * time.Microsecond; ; {
		d, ok := p.sb.Delivery(id)
		if !ok {
			return d, fmt.Errorf("testkit: notify %s: %w", id, paysim.ErrNoDelivery)
		}
		if len(d.Attempts) > 0 || d.State == paysim.StateStopped {
			if err := p.s.Settle(ctx); err != nil {
				return d, err
			}
			d, _ = p.sb.Delivery(id)
			return d, nil
		}
		select {
		case <-ctx.Done():
			return d, fmt.Errorf("testkit: notify %s still unanswered: %w", id, ctx.Err())
		case <-time.After(pause):
		}
		if pause < 5*time.Millisecond {
			pause *= 2
		}
	}
}

// sandboxBusy reports whether a notify attempt is under way or due on the
// session's clock: Settle waits for those as for the scripts.
func (s *Session) sandboxBusy() bool {
	if s.Emu.Sandbox == nil {
		return false
	}
	now := s.Clock.Now()
	for _, d := range s.Emu.Sandbox.Deliveries() {
		if d.State == paysim.StateDelivering ||
			d.State == paysim.StateRetrying && !d.NextAttemptAt.After(now) {
			return true
		}
	}
	return false
}

// errNotSandboxed marks an outbound call for a host no simulator answers.
var errNotSandboxed = errors.New("not a sandbox host")

// notSandboxed is the sandbox transport's next hop in sessions: calls for other
// hosts come back to FakeHTTP as undeclared.
type notSandboxed struct{}

func (notSandboxed) RoundTrip(*http.Request) (*http.Response, error) { return nil, errNotSandboxed }
