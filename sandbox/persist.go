package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/bmobemu/bmobemu/sandbox/provider"
)

// StateStore keeps the sandbox's records across restarts: the providers'
// trades and every notify delivery with its attempts. bmobemu's store
// implements it (store.StateKeeper) in a bucket of its own in the db file.
type StateStore interface {
	// LoadState returns the value kept under key (nil when there is none).
	LoadState(key string) ([]byte, error)
	// SaveState keeps value under key, durably.
	SaveState(key string, value []byte) error
}

// State keys.
const (
	deliveriesKey  = "deliveries"
	providerPrefix = "provider/"
)

// savedDeliveries is the delivery record as persist writes it.
type savedDeliveries struct {
	Seq        int64           `json:"seq"`
	Deliveries []savedDelivery `json:"deliveries"` // oldest first
}

type savedDelivery struct {
	Seq int64 `json:"seq"`
	Delivery
}

// persist saves every persistent provider's state and the delivery record to
// Options.State. It runs after each call that may change them, never under
// s.mu; nothing is saved once the sandbox is closing (deliveries stopped by a
// shutdown are kept as they were, to be resumed). Errors are logged.
func (s *Sandbox) persist() {
	if s.opts.State == nil {
		return
	}
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	s.mu.Lock()
	closed := s.closed
	saved := savedDeliveries{Seq: s.seq, Deliveries: make([]savedDelivery, len(s.records))}
	for i, r := range s.records {
		saved.Deliveries[i] = savedDelivery{Seq: r.seq, Delivery: r.snapshot()}
	}
	s.mu.Unlock()
	if closed {
		return
	}
	for _, p := range s.Providers() {
		pp, ok := p.(provider.Persistent)
		if !ok {
			continue
		}
		b, err := pp.Snapshot()
		if err == nil {
			err = s.opts.State.SaveState(providerPrefix+p.Name(), b)
		}
		if err != nil {
			s.opts.Log("error", fmt.Sprintf("sandbox: saving %s's trades: %v", p.Name(), err))
		}
	}
	b, err := json.Marshal(saved)
	if err == nil {
		err = s.opts.State.SaveState(deliveriesKey, b)
	}
	if err != nil {
		s.opts.Log("error", "sandbox: saving the notify record: "+err.Error())
	}
}

// Restore loads what an earlier run saved in Options.State: each provider's
// trades (call it after Add) and the notify deliveries, whose unfinished ones
// (delivering, retrying, or stopped by the shutdown) are resumed: a pending
// retry at its time, the others at once.
func (s *Sandbox) Restore() error {
	if s.opts.State == nil {
		return nil
	}
	for _, p := range s.Providers() {
		pp, ok := p.(provider.Persistent)
		if !ok {
			continue
		}
		b, err := s.opts.State.LoadState(providerPrefix + p.Name())
		if err != nil {
			return fmt.Errorf("sandbox: loading %s's trades: %w", p.Name(), err)
		}
		if b != nil {
			if err := pp.Restore(b); err != nil {
				return fmt.Errorf("sandbox: restoring %s's trades: %w", p.Name(), err)
			}
		}
	}
	b, err := s.opts.State.LoadState(deliveriesKey)
	if err != nil || b == nil {
		return err
	}
	var saved savedDeliveries
	if err := json.Unmarshal(b, &saved); err != nil {
		return fmt.Errorf("sandbox: restoring the notify record: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq = max(s.seq, saved.Seq)
	now := s.opts.Clock.Now()
	for _, sd := range saved.Deliveries {
		d := sd.Delivery
		if d.Header == nil {
			d.Header = http.Header{}
		}
		r := &record{seq: sd.Seq, d: d, pol: policyFor(d.Provider), n: provider.Notification{
			Provider: d.Provider, Event: d.Event, OutTradeNo: d.OutTradeNo, URL: d.URL, Header: d.Header.Clone(), Body: []byte(d.Body),
		}}
		if r.seq == 0 { // older records: the id is "n<seq>"
			r.seq, _ = strconv.ParseInt(strings.TrimPrefix(d.ID, "n"), 10, 64)
		}
		s.records = append(s.records, r)
		switch d.State {
		case StateRetrying:
			s.retryLocked(r, max(d.NextAttemptAt.Sub(now), 0))
		case StateDelivering, StateStopped:
			r.d.State = StateDelivering
			s.wg.Add(1)
			go s.attempt(r)
		}
	}
	return nil
}
