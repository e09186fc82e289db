package paysim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// Delivery states.
const (
	StateDelivering   = "delivering"   // an attempt is under way
	StateRetrying     = "retrying"     // waiting for the next attempt (NextAttemptAt)
	StateAcknowledged = "acknowledged" // the merchant answered as the provider wants
	StateFailed       = "failed"       // the retry schedule is exhausted
	StateStopped      = "stopped"      // the sandbox closed first
)

// ErrNoDelivery is returned (wrapped) for an unknown delivery id.
var ErrNoDelivery = errors.New("no such notify delivery")

// excerptBytes bounds the answer kept per attempt; readBytes bounds what is read.
const (
	excerptBytes = 512
	readBytes    = 64 << 10
)

// Attempt is one POST of a notify and the merchant's answer.
type Attempt struct {
	N            int       `json:"n"`
	At           time.Time `json:"at"` // on the sandbox clock
	Status       int       `json:"status,omitempty"`
	Body         string    `json:"body"` // the answer's first bytes
	Millis       float64   `json:"ms"`   // wall time the answer took
	Error        string    `json:"error,omitempty"`
	Acknowledged bool      `json:"acknowledged"`
}

// Delivery is one notification and every attempt to deliver it. A replay is a
// new Delivery of the same bytes whose ReplayOf names the original.
type Delivery struct {
	ID            string      `json:"id"`
	ReplayOf      string      `json:"replayOf,omitempty"`
	Provider      string      `json:"provider"`
	Event         string      `json:"event"`
	OutTradeNo    string      `json:"outTradeNo"`
	URL           string      `json:"url"`
	State         string      `json:"state"`
	Rule          string      `json:"rule"` // how the provider judges the answer
	CreatedAt     time.Time   `json:"createdAt"`
	NextAttemptAt time.Time   `json:"nextAttemptAt,omitzero"`
	Attempts      []Attempt   `json:"attempts"`
	Header        http.Header `json:"header"`
	Body          string      `json:"body"`
}

// record is a Delivery being worked on; its fields are guarded by Sandbox.mu.
type record struct {
	seq       int64
	d         Delivery
	n         provider.Notification
	pol       provider.NotifyPolicy
	stopTimer func() bool // the pending retry, if any
	held      []byte      // with a SharedStateStore: the claimed version in the store while attempting
}

func (r *record) snapshot() Delivery {
	d := r.d
	d.Attempts = append([]Attempt(nil), r.d.Attempts...)
	d.Header = r.d.Header.Clone()
	return d
}

func (r *record) finished() bool {
	switch r.d.State {
	case StateAcknowledged, StateFailed, StateStopped:
		return true
	}
	return false
}

// Notify implements provider.Notifier: it records the notification and delivers
// it in the background, retrying on the provider's schedule. It never blocks on
// the delivery.
func (s *Sandbox) Notify(n provider.Notification) {
	s.mu.Lock()
	w := s.sharing[n.Provider]
	s.mu.Unlock()
	if w != nil && w.hold(n) {
		return // sent when the change that made it is stored
	}
	s.enqueue(n, "")
}

// Replay delivers the notification of delivery id again, as a new delivery
// (with the provider's retries) linked to the original.
func (s *Sandbox) Replay(id string) (Delivery, error) {
	if s.shared != nil {
		s.syncShared(false)
	}
	s.mu.Lock()
	r := s.find(id)
	s.mu.Unlock()
	if r == nil {
		return Delivery{}, fmt.Errorf("replaying %s: %w", id, ErrNoDelivery)
	}
	return s.enqueue(r.n, id), nil
}

// Deliveries lists the kept deliveries, oldest first.
func (s *Sandbox) Deliveries() []Delivery {
	if s.shared != nil {
		s.syncShared(false) // other processes' deliveries and attempts too
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, len(s.records))
	for i, r := range s.records {
		out[i] = r.snapshot()
	}
	return out
}

// Delivery returns one kept delivery.
func (s *Sandbox) Delivery(id string) (Delivery, bool) {
	if s.shared != nil {
		s.syncShared(false)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.find(id); r != nil {
		return r.snapshot(), true
	}
	return Delivery{}, false
}

func (s *Sandbox) find(id string) *record {
	for _, r := range s.records {
		if r.d.ID == id {
			return r
		}
	}
	return nil
}

func (s *Sandbox) enqueue(n provider.Notification, replayOf string) Delivery {
	n.Header = n.Header.Clone()
	n.Body = bytes.Clone(n.Body)
	pol := s.policyFor(n.Provider)
	if s.shared != nil {
		return s.enqueueShared(n, replayOf, pol)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	r := &record{seq: s.seq, n: n, pol: pol, d: Delivery{
		ID: "n" + strconv.FormatInt(s.seq, 10), ReplayOf: replayOf,
		Provider: n.Provider, Event: n.Event, OutTradeNo: n.OutTradeNo, URL: n.URL,
		State: StateDelivering, Rule: pol.Rule, CreatedAt: s.opts.Clock.Now(),
		Header: n.Header, Body: string(n.Body),
	}}
	s.records = append(s.records, r)
	s.trim()
	if s.closed {
		r.d.State = StateStopped
		s.opts.Log("warn", fmt.Sprintf("sandbox notify %s to %s not delivered: the sandbox is closed", r.d.ID, n.URL))
		return r.snapshot()
	}
	s.wg.Add(1)
	go s.attempt(r)
	return r.snapshot()
}

// trim keeps at most MaxDeliveries records, dropping the oldest finished ones
// first (and the oldest of all when none has finished; its attempts go on unseen).
func (s *Sandbox) trim() {
	for len(s.records) > s.opts.MaxDeliveries {
		drop := 0
		for i, r := range s.records {
			if r.finished() {
				drop = i
				break
			}
		}
		s.records = append(s.records[:drop], s.records[drop+1:]...)
	}
}

// attempt makes one delivery attempt and schedules the next one if the provider
// would retry. The caller has done s.wg.Add(1) (and, with a SharedStateStore,
// claimed the attempt).
func (s *Sandbox) attempt(r *record) {
	defer s.wg.Done()
	defer s.persist() // after the unlock below: the attempt is kept
	s.mu.Lock()
	num := len(r.d.Attempts) + 1
	s.mu.Unlock()
	a, retryable := s.send(r, num)
	s.mu.Lock()
	r.d.Attempts = append(r.d.Attempts, a)
	r.d.NextAttemptAt = time.Time{}
	delay := time.Duration(-1)
	switch {
	case a.Acknowledged:
		r.d.State = StateAcknowledged
	case s.closed || s.ctx.Err() != nil:
		r.d.State = StateStopped
	case retryable && num <= len(r.pol.Retries):
		delay = time.Duration(float64(r.pol.Retries[num-1]) * s.opts.RetryScale)
		r.d.State = StateRetrying
		r.d.NextAttemptAt = s.opts.Clock.Now().Add(delay)
	default:
		r.d.State = StateFailed
	}
	if s.shared == nil {
		if delay >= 0 {
			s.retryLocked(r, delay)
		}
		s.logAttempt(r, a)
		s.mu.Unlock()
		return
	}
	if r.d.State == StateStopped {
		// Cut off by Close: not an attempt to record; the claim is given back
		// so another process makes it at once.
		r.d.Attempts = r.d.Attempts[:len(r.d.Attempts)-1]
		s.releaseLocked(r)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	// r.held is set: no other goroutine changes r.d until settleShared clears it.
	settled := s.settleShared(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	r.held = nil
	if settled && delay >= 0 && !s.closed {
		s.retryLocked(r, delay)
	}
	s.logAttempt(r, a)
}

// retryLocked schedules r's next attempt after delay. The caller holds s.mu.
func (s *Sandbox) retryLocked(r *record, delay time.Duration) {
	r.d.State = StateRetrying
	r.d.NextAttemptAt = s.opts.Clock.Now().Add(delay)
	s.wg.Add(1)
	r.stopTimer = s.opts.Clock.AfterFunc(delay, func() {
		s.mu.Lock()
		r.stopTimer = nil
		if s.closed {
			if s.shared == nil {
				r.d.State = StateStopped
			}
			s.mu.Unlock()
			s.wg.Done()
			return
		}
		if s.shared != nil {
			s.mu.Unlock()
			if !s.claimShared(r) { // another process was quicker
				s.wg.Done()
				return
			}
			s.attempt(r)
			return
		}
		r.d.State = StateDelivering
		s.mu.Unlock()
		s.attempt(r)
	})
}

// send POSTs the notification once. retryable is false when the notification
// itself is at fault (a notify_url that is no URL), which no retry can mend.
func (s *Sandbox) send(r *record, num int) (a Attempt, retryable bool) {
	a = Attempt{N: num, At: s.opts.Clock.Now()}
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.n.URL, bytes.NewReader(r.n.Body))
	if err != nil {
		a.Error = fmt.Sprintf("bad notify_url: %v", err)
		return a, false
	}
	req.Header = r.n.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	start := time.Now()
	resp, err := s.opts.Deliver(ctx, req)
	if err == nil && resp != nil && resp.Body != nil {
		var body []byte
		body, err = io.ReadAll(io.LimitReader(resp.Body, readBytes))
		_ = resp.Body.Close()
		a.Status = resp.StatusCode
		a.Body = excerpt(body)
		a.Acknowledged = err == nil && r.pol.Acked(resp.StatusCode, body)
	} else if err == nil && resp != nil {
		a.Status = resp.StatusCode
		a.Acknowledged = r.pol.Acked(resp.StatusCode, nil)
	} else if err == nil {
		err = errors.New("no response")
	}
	a.Millis = float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		a.Error = err.Error()
	}
	return a, true
}

// policyFor is the notify policy of the provider named name, or the default
// one when no such provider is added.
func (s *Sandbox) policyFor(name string) provider.NotifyPolicy {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.policyLocked(name)
}

// policyLocked is policyFor for a caller holding s.mu.
func (s *Sandbox) policyLocked(name string) provider.NotifyPolicy {
	if p, ok := s.providers[name]; ok {
		return p.NotifyPolicy()
	}
	return provider.DefaultNotifyPolicy()
}

func (s *Sandbox) logAttempt(r *record, a Attempt) {
	answer := a.Error
	if answer == "" {
		answer = fmt.Sprintf("%d %q", a.Status, a.Body)
	}
	level, verdict := "info", "acknowledged"
	if !a.Acknowledged {
		level, verdict = "warn", "not acknowledged ("+r.pol.Rule+" wanted)"
	}
	next := ""
	if r.d.State == StateRetrying {
		next = fmt.Sprintf("; retry at %s", r.d.NextAttemptAt.In(bjtime.Location).Format("15:04:05.000"))
	} else if r.d.State == StateFailed {
		next = "; no more retries"
	}
	s.opts.Log(level, fmt.Sprintf("sandbox %s %s notify %s for %s, attempt %d -> %s: %s (%.1fms)%s",
		r.n.Provider, r.n.Event, r.d.ID, r.n.OutTradeNo, a.N, r.n.URL, answer+", "+verdict, a.Millis, next))
}

// excerpt is the first bytes of an answer, cut at a rune boundary.
func excerpt(b []byte) string {
	if len(b) <= excerptBytes {
		return string(b)
	}
	cut := excerptBytes
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut]) + "…"
}
