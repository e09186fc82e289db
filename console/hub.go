package console

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
)

// Line is one log line as the console shows it.
type Line struct {
	Seq      uint64 `json:"seq"`
	Time     string `json:"time"` // Beijing time, as the log file writes it
	Function string `json:"function"`
	Level    string `json:"level"`
	Text     string `json:"text"`
}

// SubscriberBuffer is how many lines one browser may lag behind before the
// console drops lines for it (and tells it how many).
const SubscriberBuffer = 256

// Hub fans the functions' log lines out to the browsers tailing them. A
// function never waits for a browser: Publish does not block, a subscriber
// whose buffer is full loses the line and its Dropped count grows. With no
// subscriber Publish is one atomic load.
type Hub struct {
	subscribers atomic.Int64
	seq         atomic.Uint64

	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool
}

// NewHub makes an empty hub.
func NewHub() *Hub { return &Hub{subs: map[*Subscription]struct{}{}} }

// Subscription is one reader of the hub: its lines arrive on C, which is
// closed when the hub closes.
type Subscription struct {
	C       <-chan Line
	c       chan Line
	filter  string // a function name, or "" for every function
	dropped atomic.Int64
	hub     *Hub
}

// Dropped returns and resets how many lines were dropped for this
// subscription since the last call.
func (s *Subscription) Dropped() int64 { return s.dropped.Swap(0) }

// Close ends the subscription; C stops receiving.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		h.subscribers.Add(-1)
		close(s.c)
	}
}

// Subscribe starts receiving lines of function (every function when "") with
// a buffer of buffer lines. ok is false when the hub is closed.
func (h *Hub) Subscribe(function string, buffer int) (sub *Subscription, ok bool) {
	c := make(chan Line, buffer)
	s := &Subscription{C: c, c: c, filter: function, hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	h.subs[s] = struct{}{}
	h.subscribers.Add(1)
	return s, true
}

// Publish hands one line to every subscriber without waiting for any.
func (h *Hub) Publish(at time.Time, function, level, text string) {
	if h.subscribers.Load() == 0 {
		return
	}
	line := Line{Seq: h.seq.Add(1), Time: at.In(bjtime.Location).Format("2006-01-02 15:04:05.000"), Function: function, Level: level, Text: text}
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		if s.filter != "" && s.filter != function {
			continue
		}
		select {
		case s.c <- line:
		default:
			s.dropped.Add(1)
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
	for s := range h.subs {
		delete(h.subs, s)
		close(s.c)
	}
	h.subscribers.Store(0)
}
