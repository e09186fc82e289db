package paysim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/paysim/alipaysim"
	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/bmobemu/bmobemu/paysim/wechatsim"
)

// fakeProvider is a tiny provider.Provider for testing the core without the
// simulators: trades in a map, notifies as form bodies, a handler that echoes.
type fakeProvider struct {
	name   string
	hosts  []string
	notify provider.Notifier
	now    func() time.Time
	policy provider.NotifyPolicy // zero: provider.DefaultNotifyPolicy

	mu     sync.Mutex
	trades map[string]*provider.Trade
	order  []string
}

func newFakeProvider(name string, n provider.Notifier, now func() time.Time, hosts ...string) *fakeProvider {
	return &fakeProvider{name: name, hosts: hosts, notify: n, now: now, trades: map[string]*provider.Trade{}}
}

func (p *fakeProvider) Name() string    { return p.name }
func (p *fakeProvider) Hosts() []string { return p.hosts }

// ServeHTTP answers with what it saw, so tests can check the in-process request.
func (p *fakeProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/panic" {
		panic("fake provider blew up")
	}
	_ = r.ParseForm()
	w.Header().Set("X-Provider", p.name)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusTeapot)
	fmt.Fprintf(w, `{"path":%q,"host":%q,"method":%q,"form":%q,"ua":%q}`, r.URL.Path, r.Host, r.Method, r.Form.Encode(), r.UserAgent())
}

func (p *fakeProvider) send(t *provider.Trade, event string) {
	if t.NotifyURL == "" {
		return
	}
	body := url.Values{"out_trade_no": {t.OutTradeNo}, "trade_status": {t.Status}, "event": {event}}
	p.notify.Notify(provider.Notification{
		Provider: p.name, Event: event, OutTradeNo: t.OutTradeNo, URL: t.NotifyURL,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}},
		Body:   []byte(body.Encode()),
	})
}

func (p *fakeProvider) create(no string, fen int64, notifyURL, subject string) *provider.Trade {
	t := &provider.Trade{Provider: p.name, OutTradeNo: no, TradeNo: "T" + strconv.Itoa(len(p.order)+1), Kind: "app",
		Status: provider.StatusWaitBuyerPay, TotalFen: fen, NotifyURL: notifyURL, Subject: subject, CreatedAt: p.now()}
	p.trades[no] = t
	p.order = append(p.order, no)
	return t
}

func (p *fakeProvider) Pay(_ context.Context, req provider.PayRequest) (provider.Trade, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.trades[req.OutTradeNo]
	if !ok {
		if req.TotalFen <= 0 {
			return provider.Trade{}, fmt.Errorf("paying %s: %w (give an amount to create it)", req.OutTradeNo, provider.ErrNoTrade)
		}
		t = p.create(req.OutTradeNo, req.TotalFen, req.NotifyURL, req.Subject)
	}
	if t.Status != provider.StatusWaitBuyerPay || (req.TotalFen != 0 && req.TotalFen != t.TotalFen) {
		return *t, fmt.Errorf("paying %s: %w", req.OutTradeNo, provider.ErrBadState)
	}
	t.Status, t.PaidAt = provider.StatusSuccess, p.now()
	p.send(t, provider.EventPay)
	return *t, nil
}

func (p *fakeProvider) Close(_ context.Context, no string) (provider.Trade, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.trades[no]
	if !ok {
		return provider.Trade{}, fmt.Errorf("closing %s: %w", no, provider.ErrNoTrade)
	}
	if t.Status != provider.StatusWaitBuyerPay {
		return *t, fmt.Errorf("closing %s: %w", no, provider.ErrBadState)
	}
	t.Status = provider.StatusClosed
	p.send(t, provider.EventClose)
	return *t, nil
}

func (p *fakeProvider) Refund(_ context.Context, no string, fen int64) (provider.Trade, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.trades[no]
	if !ok {
		return provider.Trade{}, fmt.Errorf("refunding %s: %w", no, provider.ErrNoTrade)
	}
	if fen == 0 {
		fen = t.TotalFen - t.RefundedFen
	}
	if t.Status != provider.StatusSuccess || t.RefundedFen+fen > t.TotalFen {
		return *t, fmt.Errorf("refunding %s: %w", no, provider.ErrBadState)
	}
	t.RefundedFen += fen
	p.send(t, provider.EventRefund)
	return *t, nil
}

func (p *fakeProvider) Trades() []provider.Trade {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]provider.Trade, 0, len(p.order))
	for _, no := range p.order {
		out = append(out, *p.trades[no])
	}
	return out
}

// appOrderProvider also takes app orders: "out_trade_no=…&total_fen=…&notify_url=…&sign=ok".
type appOrderProvider struct{ *fakeProvider }

func (p appOrderProvider) SubmitAppOrder(orderString string) (provider.Trade, error) {
	v, err := url.ParseQuery(orderString)
	if err != nil || v.Get("sign") != "ok" {
		return provider.Trade{}, fmt.Errorf("app order refused: invalid signature")
	}
	fen, _ := strconv.ParseInt(v.Get("total_fen"), 10, 64)
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.trades[v.Get("out_trade_no")]; ok {
		return provider.Trade{}, fmt.Errorf("app order %s: %w", v.Get("out_trade_no"), provider.ErrBadState)
	}
	return *p.create(v.Get("out_trade_no"), fen, v.Get("notify_url"), "app order"), nil
}

// NotifyPolicy is the policy the test gave, or the default one.
func (p *fakeProvider) NotifyPolicy() provider.NotifyPolicy {
	if p.policy.Acked == nil {
		return provider.DefaultNotifyPolicy()
	}
	return p.policy
}

// newDelivering is a Sandbox with fake "alipay" and "wechat" providers that
// deliver by the real simulators' notify policies.
func newDelivering(t testing.TB, opts Options) *Sandbox {
	t.Helper()
	s := New(opts)
	for name, pol := range map[string]provider.NotifyPolicy{
		provider.Alipay: alipaysim.NotifyPolicy(), provider.Wechat: wechatsim.NotifyPolicy(),
	} {
		p := newFakeProvider(name, s, s.Clock().Now)
		p.policy = pol
		if err := s.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	return s
}
