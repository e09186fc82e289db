package paysim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// SharedStateStore is a StateStore that several bmobemu processes use at once
// (the PostgreSQL store). With one, the store is where deliveries live: each
// attempt is claimed there first, so exactly one process makes it, and every
// process looks there for attempts that are due, including those a process
// that died had claimed (its claim expires).
type SharedStateStore interface {
	StateStore
	// SwapState sets key to value only if key's value is old now (old nil:
	// only if key is absent), and reports whether it did.
	SwapState(key string, old, value []byte) (bool, error)
}

// DefaultPollInterval is how often, with a SharedStateStore, a sandbox looks
// in the store for attempts that are due.
const DefaultPollInterval = time.Second

// claimMargin is added to AttemptTimeout to make a claim's lease: an attempt
// ends (answered or timed out) well before its claim expires.
const claimMargin = 10 * time.Second

// claim is who is making a delivery's next attempt, until when.
type claim struct {
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
}

// sharedDelivery is a delivery as kept in a SharedStateStore.
type sharedDelivery struct {
	savedDelivery
	Claim *claim `json:"claim,omitempty"`
}

// holderID names this process in claims: unique per Sandbox.
func holderID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// due reports whether sd's next attempt may be claimed at now: it is
// unfinished, its time has come, and nobody holds an unexpired claim.
func due(sd sharedDelivery, now time.Time) bool {
	switch sd.State {
	case StateDelivering, StateStopped:
	case StateRetrying:
		if sd.NextAttemptAt.After(now) {
			return false
		}
	default:
		return false
	}
	return sd.Claim == nil || !sd.Claim.Until.After(now)
}

// nextSharedSeq takes the next delivery number from the store's counter.
func (s *Sandbox) nextSharedSeq() (int64, error) {
	for range 1000 {
		old, err := s.shared.LoadState(seqKey)
		if err != nil {
			return 0, fmt.Errorf("reading the notify counter: %w", err)
		}
		var n int64
		if old != nil {
			if n, err = strconv.ParseInt(string(old), 10, 64); err != nil {
				return 0, fmt.Errorf("the notify counter %q: %w", old, err)
			}
		}
		ok, err := s.shared.SwapState(seqKey, old, []byte(strconv.FormatInt(n+1, 10)))
		if err != nil {
			return 0, fmt.Errorf("advancing the notify counter: %w", err)
		}
		if ok {
			return n + 1, nil
		}
	}
	return 0, fmt.Errorf("advancing the notify counter: too much contention")
}

// enqueueShared is enqueue with a SharedStateStore: the delivery is written
// to the store already claimed by this process, then attempted.
func (s *Sandbox) enqueueShared(n provider.Notification, replayOf string, pol provider.NotifyPolicy) Delivery {
	seq, err := s.nextSharedSeq()
	now := s.opts.Clock.Now()
	d := Delivery{
		Provider: n.Provider, Event: n.Event, OutTradeNo: n.OutTradeNo, URL: n.URL, ReplayOf: replayOf,
		State: StateDelivering, Rule: pol.Rule, CreatedAt: now, Header: n.Header, Body: string(n.Body),
	}
	var held []byte
	if err == nil {
		d.ID = "n" + strconv.FormatInt(seq, 10)
		held, err = json.Marshal(sharedDelivery{savedDelivery{Seq: seq, Delivery: d}, &claim{s.holder, now.Add(s.lease())}})
	}
	if err == nil {
		var ok bool
		if ok, err = s.shared.SwapState(deliveryKey(seq), nil, held); err == nil && !ok {
			err = fmt.Errorf("delivery %s exists already", d.ID)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		// Not in the store, so no process will deliver it: say so.
		d.State = StateFailed
		if d.ID == "" {
			d.ID = fmt.Sprintf("unsaved-%d", now.UnixNano())
		}
		s.opts.Log("error", fmt.Sprintf("sandbox: %s notify for %s to %s not delivered: %v", n.Provider, n.OutTradeNo, n.URL, err))
		return d
	}
	r := &record{seq: seq, n: n, pol: pol, d: d, held: held}
	s.records = append(s.records, r)
	s.trim()
	if s.closed {
		s.releaseLocked(r)
		return r.snapshot()
	}
	s.wg.Add(1)
	go s.attempt(r)
	return r.snapshot()
}

// lease is how long a claim lasts.
func (s *Sandbox) lease() time.Duration { return s.opts.AttemptTimeout + claimMargin }

// claimShared takes r's next attempt in the store if it is due; on success
// r.d is the store's version (with every process's attempts) and r.held the
// claimed bytes. It must not be called with s.mu held.
func (s *Sandbox) claimShared(r *record) bool {
	key := deliveryKey(r.seq)
	cur, err := s.shared.LoadState(key)
	if err != nil || cur == nil {
		if err != nil {
			s.opts.Log("error", fmt.Sprintf("sandbox: reading notify %s: %v", r.d.ID, err))
		}
		return false
	}
	var sd sharedDelivery
	if err := json.Unmarshal(cur, &sd); err != nil {
		s.opts.Log("error", fmt.Sprintf("sandbox: notify record %s cannot be read: %v", key, err))
		return false
	}
	now := s.opts.Clock.Now()
	if !due(sd, now) {
		s.mu.Lock()
		if r.held == nil {
			s.refreshLocked(r, sd)
		}
		s.mu.Unlock()
		return false
	}
	sd.State, sd.NextAttemptAt = StateDelivering, time.Time{}
	sd.Claim = &claim{s.holder, now.Add(s.lease())}
	held, err := json.Marshal(sd)
	if err != nil {
		return false
	}
	ok, err := s.shared.SwapState(key, cur, held)
	if err != nil {
		s.opts.Log("error", fmt.Sprintf("sandbox: claiming notify %s: %v", r.d.ID, err))
	}
	if !ok || err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.stopTimer != nil && r.stopTimer() {
		s.wg.Done() // this process's own timer for the attempt just claimed
	}
	r.stopTimer = nil
	s.refreshLocked(r, sd)
	r.held = held
	return true
}

// refreshLocked makes r's record the store's version sd.
func (s *Sandbox) refreshLocked(r *record, sd sharedDelivery) {
	d := sd.Delivery
	if d.Header == nil {
		d.Header = http.Header{}
	}
	r.d = d
}

// settleShared writes r's outcome over the claimed version r.held. It runs
// without s.mu: while r.held is set, no other goroutine changes r.d or r.held
// (the caller clears r.held afterwards, under s.mu). A claim lost meanwhile
// (this process stalled past its lease and another took over) keeps the
// other's version: the outcome is only logged.
func (s *Sandbox) settleShared(r *record) bool {
	b, err := json.Marshal(sharedDelivery{savedDelivery: savedDelivery{Seq: r.seq, Delivery: r.d}})
	if err == nil {
		var ok bool
		if ok, err = s.shared.SwapState(deliveryKey(r.seq), r.held, b); err == nil && !ok {
			err = fmt.Errorf("its claim expired and another process took it over")
		}
	}
	if err != nil {
		s.opts.Log("error", fmt.Sprintf("sandbox: recording attempt %d of notify %s: %v", len(r.d.Attempts), r.d.ID, err))
		return false
	}
	return true
}

// releaseLocked gives up r's claim without an attempt (the sandbox is
// closing), so another process takes the attempt at once.
func (s *Sandbox) releaseLocked(r *record) {
	if r.held == nil {
		return
	}
	var sd sharedDelivery
	if err := json.Unmarshal(r.held, &sd); err == nil {
		sd.Claim = nil
		if b, err := json.Marshal(sd); err == nil {
			_, _ = s.shared.SwapState(deliveryKey(r.seq), r.held, b)
		}
	}
	r.held = nil
}

// syncShared brings the store's deliveries into the record (those of other
// processes too) and, when attempt is set, claims and attempts those due.
func (s *Sandbox) syncShared(attempt bool) {
	keys, err := s.shared.StateKeys(deliveryPrefix)
	if err != nil {
		s.opts.Log("error", "sandbox: listing notifies: "+err.Error())
		return
	}
	now := s.opts.Clock.Now()
	for _, key := range keys {
		s.mu.Lock()
		known := s.settled[key]
		s.mu.Unlock()
		if known {
			continue
		}
		b, err := s.shared.LoadState(key)
		if err != nil || b == nil {
			continue
		}
		var sd sharedDelivery
		if err := json.Unmarshal(b, &sd); err != nil {
			continue
		}
		s.mu.Lock()
		r := s.bySeqLocked(sd.Seq)
		if r == nil {
			r = &record{seq: sd.Seq, pol: s.policyLocked(sd.Provider), n: provider.Notification{
				Provider: sd.Provider, Event: sd.Event, OutTradeNo: sd.OutTradeNo, URL: sd.URL,
				Header: sd.Header.Clone(), Body: []byte(sd.Body),
			}}
			s.refreshLocked(r, sd)
			s.insertLocked(r)
		} else if r.held == nil {
			s.refreshLocked(r, sd)
		}
		if r.finished() && r.d.State != StateStopped {
			s.settled[key] = true
		}
		take := attempt && !s.closed && r.held == nil && due(sd, now)
		if take {
			s.wg.Add(1)
		}
		s.mu.Unlock()
		if take {
			go func() {
				if s.claimShared(r) {
					s.attempt(r)
					return
				}
				s.wg.Done()
			}()
		}
	}
	s.dropSettledShared(keys)
}

// bySeqLocked is the record of delivery seq, if kept.
func (s *Sandbox) bySeqLocked(seq int64) *record {
	for _, r := range s.records {
		if r.seq == seq {
			return r
		}
	}
	return nil
}

// insertLocked adds r to the record in delivery order.
func (s *Sandbox) insertLocked(r *record) {
	i := len(s.records)
	for i > 0 && s.records[i-1].seq > r.seq {
		i--
	}
	s.records = append(s.records, nil)
	copy(s.records[i+1:], s.records[i:])
	s.records[i] = r
	s.trim()
}

// dropSettledShared removes the oldest finished deliveries from the store
// when it holds more than MaxDeliveries (a finished delivery never changes
// again, so any process may remove it).
func (s *Sandbox) dropSettledShared(keys []string) {
	excess := len(keys) - s.opts.MaxDeliveries
	if excess <= 0 {
		return
	}
	drop := map[string][]byte{}
	s.mu.Lock()
	for _, k := range keys {
		if len(drop) == excess {
			break
		}
		if s.settled[k] {
			drop[k] = nil
			delete(s.settled, k)
		}
	}
	s.mu.Unlock()
	if len(drop) > 0 {
		if err := s.shared.SaveStates(drop); err != nil {
			s.opts.Log("error", "sandbox: dropping old notifies: "+err.Error())
		}
	}
}

// pollShared looks for due attempts every PollInterval until Close.
func (s *Sandbox) pollShared() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	s.stopPoll = s.opts.Clock.AfterFunc(s.opts.PollInterval, func() {
		defer s.wg.Done()
		s.syncShared(true)
		s.pollShared()
	})
}
