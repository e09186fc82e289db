package paysim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// sharedTradeTries bounds how often an operation on a provider's trades is
// redone after another process changed them first.
const sharedTradeTries = 20

// ErrTradeContention is returned (wrapped) when an operation on a provider's
// trades lost the race to other processes sharedTradeTries times in a row.
var ErrTradeContention = errors.New("the trades kept changing in other processes; try again")

// emptySnapshot is what a provider restores when the store has no trades yet.
var emptySnapshot = []byte(`{"seq":0,"trades":[]}`)

// persistentProvider is a provider that can save and restore its trades.
type persistentProvider interface {
	provider.Provider
	provider.Persistent
}

// sharedTrades wraps a persistent provider whose trades several processes
// share through a SharedStateStore: optimistic concurrency on the provider's
// one snapshot. Every operation first reloads the trades if the stored
// snapshot is not the one this process last saw, then runs; if it changed
// them, the new snapshot is swapped in only if the stored one is still the
// one it started from, else the operation is redone on the newer trades.
// What the provider notifies during an attempt is held back and handed to
// the sandbox only once the attempt's change is stored, and an HTTP answer is
// written only then, so a redone attempt leaves no trace.
type sharedTrades struct {
	persistentProvider
	sb    *Sandbox
	store SharedStateStore
	key   string

	opMu sync.Mutex // one operation at a time in this process
	seen []byte     // the stored snapshot the provider's trades are (nil: none yet, or unknown after an error)
	sure bool       // seen is known to be the provider's state

	heldMu    sync.Mutex
	capturing bool
	held      []provider.Notification
}

// share wraps p when the sandbox's store is shared and p can be saved.
func (s *Sandbox) share(p provider.Provider) provider.Provider {
	pp, ok := p.(persistentProvider)
	if s.shared == nil || !ok {
		return p
	}
	w := &sharedTrades{persistentProvider: pp, sb: s, store: s.shared, key: providerPrefix + p.Name()}
	s.sharing[p.Name()] = w
	if g, ok := p.(provider.TimerGuarded); ok {
		g.GuardTimers(func(act func()) {
			if err := w.run(func() error { act(); return nil }); err != nil {
				s.opts.Log("error", fmt.Sprintf("sandbox: %s's timer: %v", p.Name(), err))
			}
		})
	}
	if _, ok := p.(AppOrderSubmitter); ok {
		return sharedAppOrders{w}
	}
	return w
}

// sharesTrades reports whether the named provider's trades are shared.
func (s *Sandbox) sharesTrades(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sharing[name] != nil
}

// hold keeps n back if an attempt of this provider is running (it is that
// attempt's: timers run as attempts too) and reports whether it did.
func (w *sharedTrades) hold(n provider.Notification) bool {
	w.heldMu.Lock()
	defer w.heldMu.Unlock()
	if !w.capturing {
		return false
	}
	w.held = append(w.held, n)
	return true
}

// refresh makes the provider's trades the stored ones, if they are not yet.
func (w *sharedTrades) refresh() error {
	stored, err := w.store.LoadState(w.key)
	if err != nil {
		return fmt.Errorf("loading %s's trades: %w", w.Name(), err)
	}
	if w.sure && bytes.Equal(stored, w.seen) {
		return nil
	}
	snap := stored
	if snap == nil {
		snap = emptySnapshot
	}
	if err := w.persistentProvider.Restore(snap); err != nil {
		w.sure = false
		return fmt.Errorf("reloading %s's trades: %w", w.Name(), err)
	}
	w.seen, w.sure = stored, true
	return nil
}

// run does op on the current shared trades, redoing it on newer ones while
// another process's change gets in first; op's error is returned as it is.
func (w *sharedTrades) run(op func() error) error {
	w.opMu.Lock()
	defer w.opMu.Unlock()
	for range sharedTradeTries {
		if err := w.refresh(); err != nil {
			return err
		}
		w.heldMu.Lock()
		w.capturing, w.held = true, nil
		w.heldMu.Unlock()
		opErr := op()
		w.heldMu.Lock()
		held := w.held
		w.capturing, w.held = false, nil
		w.heldMu.Unlock()
		now, err := w.persistentProvider.Snapshot()
		if err != nil {
			w.sure = false // the change may be half there: reload next time
			return fmt.Errorf("saving %s's trades: %w", w.Name(), err)
		}
		stored := bytes.Equal(now, w.seen)
		if !stored {
			if stored, err = w.store.SwapState(w.key, w.seen, now); err != nil {
				w.sure = false
				return fmt.Errorf("saving %s's trades: %w", w.Name(), err)
			}
		}
		if !stored { // another process changed them first: redo on theirs
			w.sure = false
			continue
		}
		w.seen = now
		for _, n := range held {
			w.sb.enqueue(n, "")
		}
		return opErr
	}
	return fmt.Errorf("%s: %w", w.Name(), ErrTradeContention)
}

// ServeHTTP answers the provider's API and pages on the shared trades; the
// answer of the attempt that was stored is the one written.
func (w *sharedTrades) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(rw, "reading the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	var rec *bufferedResponse
	err = w.run(func() error {
		rec = &bufferedResponse{header: http.Header{}, status: http.StatusOK}
		req := r.Clone(r.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
		w.persistentProvider.ServeHTTP(rec, req)
		return nil
	})
	if err != nil {
		http.Error(rw, err.Error(), http.StatusServiceUnavailable)
		return
	}
	for k, v := range rec.header {
		rw.Header()[k] = v
	}
	rw.WriteHeader(rec.status)
	_, _ = rw.Write(rec.body.Bytes())
}

// Pay implements provider.Provider on the shared trades.
func (w *sharedTrades) Pay(ctx context.Context, req provider.PayRequest) (t provider.Trade, err error) {
	err = w.run(func() error { t, err = w.persistentProvider.Pay(ctx, req); return err })
	return t, err
}

// Close implements provider.Provider on the shared trades.
func (w *sharedTrades) Close(ctx context.Context, outTradeNo string) (t provider.Trade, err error) {
	err = w.run(func() error { t, err = w.persistentProvider.Close(ctx, outTradeNo); return err })
	return t, err
}

// Refund implements provider.Provider on the shared trades.
func (w *sharedTrades) Refund(ctx context.Context, outTradeNo string, fen int64) (t provider.Trade, err error) {
	err = w.run(func() error { t, err = w.persistentProvider.Refund(ctx, outTradeNo, fen); return err })
	return t, err
}

// Trades implements provider.Provider: the shared trades as stored now.
func (w *sharedTrades) Trades() []provider.Trade {
	var out []provider.Trade
	if err := w.run(func() error { out = w.persistentProvider.Trades(); return nil }); err != nil {
		w.sb.opts.Log("error", "sandbox: listing trades: "+err.Error())
	}
	return out
}

// submitAppOrder is sub's SubmitAppOrder on the shared trades (see
// sharedAppOrders).
func (w *sharedTrades) submitAppOrder(sub AppOrderSubmitter, orderString string) (t provider.Trade, err error) {
	err = w.run(func() error { t, err = sub.SubmitAppOrder(orderString); return err })
	return t, err
}

// SignedAPIPath forwards provider.SignedAPI (false when the provider has none).
func (w *sharedTrades) SignedAPIPath(path string) bool {
	api, ok := w.persistentProvider.(provider.SignedAPI)
	return ok && api.SignedAPIPath(path)
}

// Restore is the first load of the shared trades.
func (w *sharedTrades) Restore([]byte) error {
	return w.run(func() error { return nil })
}

// sharedAppOrders is sharedTrades for a provider that takes app orders.
type sharedAppOrders struct{ *sharedTrades }

// SubmitAppOrder implements AppOrderSubmitter on the shared trades.
func (w sharedAppOrders) SubmitAppOrder(orderString string) (provider.Trade, error) {
	return w.submitAppOrder(w.persistentProvider.(AppOrderSubmitter), orderString)
}

// bufferedResponse holds an attempt's HTTP answer until it is known to stand.
type bufferedResponse struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if !b.wrote {
		b.status, b.wrote = status, true
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}
