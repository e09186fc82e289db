// Package paysim (payment simulators) is bmobemu's payment sandbox core: the sandbox credentials
// (Keys), delivery of the simulated providers' notifies with each provider's retry
// schedule and a record of every attempt (replayable), the trigger endpoints under
// /_sandbox/ and their client, and the outbound Transport that answers the
// providers' hosts in-process. The providers themselves (paysim/alipaysim,
// paysim/wechatsim) implement paysim/provider and are added with Add.
package paysim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/internal/webguard"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// DefaultRetryScale shrinks the providers' retry schedules so a retried notify
// arrives while one watches: Alipay's first retry after 4 minutes comes after 2.4 s.
const DefaultRetryScale = 0.01

// DefaultMaxDeliveries bounds the notify record; the oldest finished deliveries go first.
const DefaultMaxDeliveries = 1000

// DefaultAttemptTimeout bounds one delivery attempt (the notify_url's answer).
const DefaultAttemptTimeout = 30 * time.Second

// Options configure a Sandbox. The zero value is usable: the real clock, notifies
// over real HTTP, DefaultRetryScale.
type Options struct {
	// Clock times retries (and is what records are stamped with). nil: clock.Real().
	Clock clock.Clock
	// Deliver sends one notify attempt and returns the merchant's answer. nil sends
	// it over HTTP. The emulator routes notify_urls to its functions (LocalDeliver).
	Deliver func(ctx context.Context, req *http.Request) (*http.Response, error)
	// RetryScale multiplies the providers' retry delays; <= 0 means DefaultRetryScale.
	RetryScale float64
	// MaxDeliveries bounds the record; <= 0 means DefaultMaxDeliveries.
	MaxDeliveries int
	// AttemptTimeout bounds one attempt; <= 0 means DefaultAttemptTimeout.
	AttemptTimeout time.Duration
	// Log receives one line per attempt and per problem (nil: nowhere).
	Log func(level, line string)
	// State keeps trades and notifies across restarts (nil: memory only);
	// call Restore after adding the providers.
	State StateStore
	// PollInterval is how often, with a SharedStateStore as State, the sandbox
	// looks there for due attempts (other processes' too); <= 0 means
	// DefaultPollInterval. Call Restore to start looking.
	PollInterval time.Duration
	// Guard protects the triggers, listings and the providers' buyer pages from
	// cross-site requests (and, off loopback, from callers without the master
	// key); nil leaves them open (in-process tests only).
	Guard *webguard.Guard
}

// AppOrderSubmitter is implemented by providers that accept a client-side signed
// app order (Alipay's alipay.trade.app.pay order string, as the phone app sends it).
type AppOrderSubmitter interface {
	SubmitAppOrder(orderString string) (provider.Trade, error)
}

// Sandbox holds the simulated providers, delivers their notifies and records them.
// It is safe for concurrent use.
type Sandbox struct {
	opts   Options
	ctx    context.Context // cancelled by Close: in-flight attempts stop
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	closed    bool
	providers map[string]provider.Provider // by name
	hosts     map[string]provider.Provider // by lower-case host
	seq       int64
	records   []*record // oldest first

	persistMu sync.Mutex        // one save at a time, in order
	saved     map[string][]byte // what the last save wrote, to write only changes (under persistMu)

	// With a SharedStateStore (several processes on one database):
	shared   SharedStateStore
	holder   string                   // this sandbox in claims
	settled  map[string]bool          // delivery keys known finished (they never change again)
	stopPoll func() bool              // the pending look for due attempts
	sharing  map[string]*sharedTrades // by provider name: the providers whose trades are shared
}

// New makes a Sandbox without providers; add them with Add.
func New(opts Options) *Sandbox {
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Deliver == nil {
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		opts.Deliver = func(_ context.Context, req *http.Request) (*http.Response, error) { return client.Do(req) }
	}
	if opts.RetryScale <= 0 {
		opts.RetryScale = DefaultRetryScale
	}
	if opts.MaxDeliveries <= 0 {
		opts.MaxDeliveries = DefaultMaxDeliveries
	}
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = DefaultAttemptTimeout
	}
	if opts.Log == nil {
		opts.Log = func(string, string) {}
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sandbox{
		opts: opts, ctx: ctx, cancel: cancel,
		providers: map[string]provider.Provider{},
		hosts:     map[string]provider.Provider{},
		settled:   map[string]bool{},
		sharing:   map[string]*sharedTrades{},
	}
	if shared, ok := opts.State.(SharedStateStore); ok {
		s.shared, s.holder = shared, holderID()
	}
	return s
}

// Clock is the sandbox's clock, for the providers' trade expiry.
func (s *Sandbox) Clock() clock.Clock { return s.opts.Clock }

// Add registers a provider: its handler, its hosts for Transport, its triggers.
// A second provider of the same name or for a host already taken is refused.
func (s *Sandbox) Add(p provider.Provider) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := p.Name()
	if name == "" || strings.ContainsAny(name, "/ ") {
		return fmt.Errorf("adding a sandbox provider: bad name %q", name)
	}
	if _, ok := s.providers[name]; ok {
		return fmt.Errorf("adding sandbox provider %s: already added", name)
	}
	for _, h := range p.Hosts() {
		if other, ok := s.hosts[strings.ToLower(h)]; ok {
			return fmt.Errorf("adding sandbox provider %s: host %s is already %s's", name, h, other.Name())
		}
	}
	p = s.share(p)
	s.providers[name] = p
	for _, h := range p.Hosts() {
		s.hosts[strings.ToLower(h)] = p
	}
	return nil
}

// Provider returns the provider of that name.
func (s *Sandbox) Provider(name string) (provider.Provider, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.providers[name]
	return p, ok
}

// Providers lists the providers by name.
func (s *Sandbox) Providers() []provider.Provider {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]provider.Provider, 0, len(s.providers))
	for _, p := range s.providers {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// hostProvider is the provider answering host (a URL's Hostname), if any.
func (s *Sandbox) hostProvider(host string) (provider.Provider, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.hosts[strings.ToLower(host)]
	return p, ok
}

// Trades lists every provider's trades, oldest first.
func (s *Sandbox) Trades() []provider.Trade {
	var all []provider.Trade
	for _, p := range s.Providers() {
		all = append(all, p.Trades()...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].CreatedAt.Before(all[j].CreatedAt) })
	return all
}

// SubmitAppOrder hands a client-side signed app order to the named provider
// ("" = the only provider that takes app orders), as the phone app would.
func (s *Sandbox) SubmitAppOrder(providerName, orderString string) (provider.Trade, error) {
	var sub AppOrderSubmitter
	for _, p := range s.Providers() {
		if a, ok := p.(AppOrderSubmitter); ok && (providerName == "" || p.Name() == providerName) {
			sub = a
			break
		}
	}
	if sub == nil {
		return provider.Trade{}, fmt.Errorf("provider %q: %w", providerName, ErrNoAppOrders)
	}
	defer s.persist()
	return sub.SubmitAppOrder(orderString)
}

// Close stops retries and in-flight attempts and waits for them; later notifies
// are recorded but not delivered.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	s.closed = true
	if s.stopPoll != nil && s.stopPoll() {
		s.wg.Done()
	}
	for _, r := range s.records {
		if r.stopTimer != nil {
			if r.stopTimer() {
				if s.shared == nil { // shared: the store still says when, for the others
					r.d.State = StateStopped
				}
				s.wg.Done() // the attempt it held will not run
			}
			r.stopTimer = nil
		}
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// LocalURL maps a URL on a simulated provider's host (an alipay-sdk gateway, say)
// to the same path under that provider's mount on bmobemu's server at base
// (http://127.0.0.1:8080), for pages a browser must open. ok is false for other hosts.
func (s *Sandbox) LocalURL(raw, base string) (local string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw, false
	}
	p, found := s.hostProvider(u.Hostname())
	if !found {
		return raw, false
	}
	local = strings.TrimRight(base, "/") + MountPath + p.Name() + u.EscapedPath()
	if u.RawQuery != "" {
		local += "?" + u.RawQuery
	}
	return local, true
}
