// Package clock is bmobemu's notion of time. Everything that reads the time or
// waits (the store's timestamps, scripts' Date and timers, the payment sandbox's
// trade expiry and notify retries) takes a Clock, so handler tests can freeze time
// and step it deterministically.
package clock

import (
	"sort"
	"sync"
	"time"
)

// Clock tells the time and runs functions later.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed on this clock. The
	// returned stop function cancels it and reports whether it had not fired yet.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// Real is the wall clock.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// Fake is a clock that moves only when told to. Functions scheduled with
// AfterFunc run (each in its own goroutine, in due order) when Advance or Set
// moves the time past their deadline. It is safe for concurrent use.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	seq     int64
	pending []*fakeTimer
}

type fakeTimer struct {
	at  time.Time
	seq int64
	f   func()
}

// NewFake returns a fake clock set to start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

// Now is the fake time.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f for d after the fake now.
func (c *Fake) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{at: c.now.Add(d), seq: c.seq, f: f}
	c.pending = append(c.pending, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, p := range c.pending {
			if p == t {
				c.pending = append(c.pending[:i], c.pending[i+1:]...)
				return true
			}
		}
		return false
	}
}

// Advance moves the clock forward by d and fires what fell due.
func (c *Fake) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never backwards for timers: a timer fires once the
// clock has reached its deadline) and fires what fell due, earliest first.
func (c *Fake) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	var due []*fakeTimer
	keep := c.pending[:0]
	for _, p := range c.pending {
		if !p.at.After(t) {
			due = append(due, p)
		} else {
			keep = append(keep, p)
		}
	}
	c.pending = keep
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool {
		if !due[i].at.Equal(due[j].at) {
			return due[i].at.Before(due[j].at)
		}
		return due[i].seq < due[j].seq
	})
	for _, p := range due {
		go p.f()
	}
}

// Next is the deadline of the earliest pending AfterFunc, if any.
func (c *Fake) Next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first *fakeTimer
	for _, p := range c.pending {
		if first == nil || p.at.Before(first.at) {
			first = p
		}
	}
	if first == nil {
		return time.Time{}, false
	}
	return first.at, true
}

// Stepper is a Clock that may be moved forward by what waits on it. The event
// loop uses it so that a script never waits on a frozen clock: when a call has
// nothing left to do but wait for its timers, the loop steps the clock to the
// earliest one.
type Stepper interface {
	Clock
	// StepTo moves the clock forward to t (never backwards) and fires what fell due.
	StepTo(t time.Time)
}

// StepTo implements Stepper: it moves the clock to t if t is later than now.
func (c *Fake) StepTo(t time.Time) {
	c.mu.Lock()
	later := t.After(c.now)
	c.mu.Unlock()
	if later {
		c.Set(t)
	}
}
