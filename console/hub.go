package console

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
)

// Line is one log line as the console shows it.
type Line struct {
	Time     string `json:"time"` // Beijing time to the millisecond
	Function string `json:"function"`
	Level    string `json:"level"`
	Text     string `json:"text"`
}

// entry is a line as the function's goroutine hands it over: nothing is
// formatted or allocated on that goroutine, the reader formats what it sends.
type entry struct {
	at                    time.Time
	function, level, text string
}

// Hub fans the functions' log lines out to the browsers tailing them. A
// function never waits for a browser and spends almost nothing on one: with
// no subscriber Publish is one atomic load; with one, a line is copied into
// the subscriber's window (a fixed array) under the subscriber's own lock,
// and once the window is full a line costs one atomic add and is dropped,
// counted, before any other work.
type Hub struct {
	// subs is the current subscribers, replaced whole (copy on write) by
	// Subscribe and Close so that Publish takes no hub lock.
	subs atomic.Pointer[[]*Subscription]

	mu     sync.Mutex // serializes changes of subs
	closed bool
}

// NewHub makes an empty hub.
func NewHub() *Hub { return &Hub{} }

// Subscription is one reader of the hub. Lines gather in a window of at most
// the size given to Subscribe; Ready signals when a window holds a line, Take
// empties it, Done is closed when the subscription or the hub closes.
type Subscription struct {
	filter string // a function name, or "" for every function
	limit  int64  // lines a window keeps

	// taken counts the lines offered to this window; beyond limit they are
	// dropped with no lock taken, and Take adds them to dropped.
	taken   atomic.Int64
	dropped atomic.Int64

	mu      sync.Mutex
	pending []entry // the open window, cap limit
	spare   []entry // the window Take hands back to be formatted

	ready     chan struct{} // cap 1: a line waits
	done      chan struct{}
	closeOnce sync.Once
	hub       *Hub
}

// Dropped returns and resets how many lines were dropped for this
// subscription since the last call, up to the last Take.
func (s *Subscription) Dropped() int64 { return s.dropped.Swap(0) }

// Ready receives when the open window holds a line.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Done is closed when the subscription ends (Close, or the hub closing).
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Take closes the open window and appends its lines, formatted, to into; the
// next window opens empty. It is for the one goroutine reading s.
func (s *Subscription) Take(into []Line) []Line {
	s.mu.Lock()
	window := s.pending
	s.pending, s.spare = s.spare[:0], window
	over := s.taken.Swap(0) - s.limit
	s.mu.Unlock()
	if over > 0 {
		s.dropped.Add(over)
	}
	for i := range window {
		e := &window[i]
		into = append(into, Line{Time: e.at.In(bjtime.Location).Format("2006-01-02 15:04:05.000"), Function: e.function, Level: e.level, Text: e.text})
		*e = entry{} // let the text go
	}
	return into
}

// Close ends the subscription: Done closes and no line is kept for it.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	s.closeLocked()
	old := h.current()
	var subs []*Subscription
	for _, o := range old {
		if o != s {
			subs = append(subs, o)
		}
	}
	if len(subs) == 0 {
		h.subs.Store(nil) // Publish is one atomic load again
		return
	}
	h.subs.Store(&subs)
}

func (s *Subscription) closeLocked() { s.closeOnce.Do(func() { close(s.done) }) }

func (h *Hub) current() []*Subscription {
	if p := h.subs.Load(); p != nil {
		return *p
	}
	return nil
}

// Subscribe starts receiving lines of function (every function when ""),
// window lines at most per Take; lines beyond are dropped and counted. ok is
// false when the hub is closed.
func (h *Hub) Subscribe(function string, window int) (sub *Subscription, ok bool) {
	window = max(window, 1)
	s := &Subscription{filter: function, limit: int64(window), hub: h,
		pending: make([]entry, 0, window), spare: make([]entry, 0, window),
		ready: make(chan struct{}, 1), done: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	subs := append(append(make([]*Subscription, 0, len(h.current())+1), h.current()...), s)
	h.subs.Store(&subs)
	return s, true
}

// Publish hands one line to every subscriber without waiting for any. It
// keeps the strings it is given (Go strings do not change) and formats
// nothing: the subscriber's reader does, for the lines it sends.
func (h *Hub) Publish(at time.Time, function, level, text string) {
	p := h.subs.Load()
	if p == nil {
		return
	}
	for _, s := range *p {
		if s.filter != "" && s.filter != function {
			continue
		}
		if s.taken.Add(1) > s.limit {
			continue // the window is full: dropped, counted by Take
		}
		s.mu.Lock()
		if len(s.pending) == cap(s.pending) {
			// Take reset taken while this line was on its way and the new
			// window filled first.
			s.mu.Unlock()
			s.dropped.Add(1)
			continue
		}
		s.pending = append(s.pending, entry{at: at, function: function, level: level, text: text})
		first := len(s.pending) == 1
		s.mu.Unlock()
		if first {
			select {
			case s.ready <- struct{}{}:
			default:
			}
		}
	}
}

// Close ends every subscription (their browsers' streams end) and refuses
// new ones; the server calls it before it shuts down, since an open stream
// would hold the shutdown.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for _, s := range h.current() {
		s.closeLocked()
	}
	h.subs.Store(nil)
}
