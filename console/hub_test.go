package console

import (
	"testing"
	"time"
)

func TestHubNeverWaitsForASlowSubscriber(t *testing.T) {
	h := NewHub()
	slow, ok := h.Subscribe("", 8)
	if !ok {
		t.Fatal("subscribe refused")
	}
	other, _ := h.Subscribe("other", 8)
	for i := 0; i < 1000; i++ { // nobody reads: every Publish must still return
		h.Publish(time.Now(), "hello", "log", "line")
	}
	if n := slow.Dropped(); n != 1000-8 {
		t.Fatalf("dropped %d lines for the slow subscriber, want %d", n, 1000-8)
	}
	if n := slow.Dropped(); n != 0 {
		t.Fatalf("Dropped does not reset: %d", n)
	}
	if len(other.C) != 0 || other.Dropped() != 0 {
		t.Fatal("a subscriber of another function got hello's lines")
	}
	first := <-slow.C
	if first.Function != "hello" || first.Text != "line" || first.Seq != 1 {
		t.Fatalf("first line: %+v", first)
	}
	slow.Close()
	slow.Close() // twice is harmless
	h.Publish(time.Now(), "other", "log", "x")
	if got := <-other.C; got.Text != "x" {
		t.Fatalf("other got %+v", got)
	}
}

func TestHubWithoutSubscribersKeepsNothing(t *testing.T) {
	h := NewHub()
	h.Publish(time.Now(), "f", "log", "x")
	if h.seq.Load() != 0 {
		t.Fatal("a line was made with no subscriber")
	}
}

func TestHubCloseEndsSubscriptions(t *testing.T) {
	h := NewHub()
	s, _ := h.Subscribe("", 4)
	h.Close()
	if _, open := <-s.C; open {
		t.Fatal("subscription still open after Close")
	}
	s.Close() // after the hub closed it: harmless
	if _, ok := h.Subscribe("", 4); ok {
		t.Fatal("a closed hub took a subscriber")
	}
	h.Publish(time.Now(), "f", "log", "x") // no panic on closed channels
}
