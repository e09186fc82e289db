package paysim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// StateStore keeps the sandbox's records across restarts: the providers'
// trades and every notify delivery with its attempts. bmobemu's store
// implements it (store.StateKeeper) in a bucket of its own in the db file.
type StateStore interface {
	// LoadState returns the value kept under key (nil when there is none).
	LoadState(key string) ([]byte, error)
	// StateKeys lists the keys that start with prefix, in byte order.
	StateKeys(prefix string) ([]string, error)
	// SaveStates keeps each value under its key (nil removes the key),
	// durably, in one transaction.
	SaveStates(values map[string][]byte) error
}

// State keys: one per provider, one per delivery (its sequence number padded,
// so the keys sort in delivery order), and the sequence itself.
const (
	providerPrefix = "provider/"
	deliveryPrefix = "delivery/"
	seqKey         = "seq"
)

func deliveryKey(seq int64) string { return fmt.Sprintf("%s%012d", deliveryPrefix, seq) }

// savedDelivery is one delivery as persist writes it.
type savedDelivery struct {
	Seq int64 `json:"seq"`
	Delivery
}

// persist saves what changed since the last save (each persistent provider's
// state, each delivery, dropped deliveries removed) to Options.State, in one
// durable transaction. It runs after each call that may change them, never
// under s.mu; nothing is saved once the sandbox is closing (deliveries stopped
// by a shutdown are kept as they were, to be resumed). Errors are logged.
func (s *Sandbox) persist() {
	if s.opts.State == nil {
		return
	}
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	current := map[string][]byte{}
	s.mu.Lock()
	closed := s.closed
	if s.shared == nil { // with a shared store, deliveries are written as they change
		current[seqKey] = []byte(strconv.FormatInt(s.seq, 10))
	}
	for _, r := range s.records {
		if s.shared != nil {
			break
		}
		b, err := json.Marshal(savedDelivery{Seq: r.seq, Delivery: r.snapshot()})
		if err != nil {
			s.opts.Log("error", fmt.Sprintf("sandbox: saving notify %s: %v", r.d.ID, err))
			continue
		}
		current[deliveryKey(r.seq)] = b
	}
	s.mu.Unlock()
	if closed {
		return
	}
	for _, p := range s.Providers() {
		if s.sharesTrades(p.Name()) {
			continue // saved by each operation (sharedTrades)
		}
		if pp, ok := p.(provider.Persistent); ok {
			b, err := pp.Snapshot()
			if err != nil {
				s.opts.Log("error", fmt.Sprintf("sandbox: saving %s's trades: %v", p.Name(), err))
				continue
			}
			current[providerPrefix+p.Name()] = b
		}
	}
	changed := map[string][]byte{}
	for k, v := range current {
		if old, ok := s.saved[k]; !ok || !bytes.Equal(old, v) {
			changed[k] = v
		}
	}
	for k := range s.saved {
		if _, ok := current[k]; !ok {
			changed[k] = nil // a delivery trimmed from the record
		}
	}
	if len(changed) == 0 {
		return
	}
	if err := s.opts.State.SaveStates(changed); err != nil {
		s.opts.Log("error", "sandbox: saving trades and notifies: "+err.Error())
		return
	}
	s.saved = current
}

// Restore loads what an earlier run saved in Options.State: each provider's
// trades (call it after Add) and the notify deliveries, whose unfinished ones
// (delivering, retrying, or stopped by the shutdown) are resumed: a pending
// retry at its time, the others at once.
func (s *Sandbox) Restore() error {
	if s.opts.State == nil {
		return nil
	}
	saved := map[string][]byte{}
	for _, p := range s.Providers() {
		pp, ok := p.(provider.Persistent)
		if !ok {
			continue
		}
		if s.sharesTrades(p.Name()) { // sharedTrades loads the stored trades itself
			if err := pp.Restore(nil); err != nil {
				return fmt.Errorf("sandbox: restoring %s's trades: %w", p.Name(), err)
			}
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
			saved[providerPrefix+p.Name()] = b
		}
	}
	if s.shared != nil {
		s.mu.Lock()
		s.saved = saved
		s.mu.Unlock()
		s.syncShared(false)
		s.pollShared()
		return nil
	}
	seqText, err := s.opts.State.LoadState(seqKey)
	if err != nil {
		return fmt.Errorf("sandbox: restoring the notify record: %w", err)
	}
	keys, err := s.opts.State.StateKeys(deliveryPrefix)
	if err != nil {
		return fmt.Errorf("sandbox: restoring the notify record: %w", err)
	}
	var restored []savedDelivery
	for _, k := range keys {
		b, err := s.opts.State.LoadState(k)
		if err != nil {
			return fmt.Errorf("sandbox: restoring notify %s: %w", k, err)
		}
		var sd savedDelivery
		if err := json.Unmarshal(b, &sd); err != nil {
			s.opts.Log("error", fmt.Sprintf("sandbox: notify record %s cannot be read, left out: %v", k, err))
			continue
		}
		restored = append(restored, sd)
		saved[k] = b
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if seqText != nil {
		saved[seqKey] = seqText
		if n, err := strconv.ParseInt(string(seqText), 10, 64); err == nil {
			s.seq = max(s.seq, n)
		}
	}
	s.saved = saved
	now := s.opts.Clock.Now()
	for _, sd := range restored {
		d := sd.Delivery
		if d.Header == nil {
			d.Header = http.Header{}
		}
		s.seq = max(s.seq, sd.Seq)
		r := &record{seq: sd.Seq, d: d, pol: s.policyLocked(d.Provider), n: provider.Notification{
			Provider: d.Provider, Event: d.Event, OutTradeNo: d.OutTradeNo, URL: d.URL, Header: d.Header.Clone(), Body: []byte(d.Body),
		}}
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
