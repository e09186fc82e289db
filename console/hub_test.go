package console

import (
	"sync"
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
	at := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	for i := 0; i < 1000; i++ { // nobody reads: every Publish must still return
		h.Publish(at, "hello", "log", "line")
	}
	select {
	case <-slow.Ready():
	default:
		t.Fatal("Ready did not signal a waiting line")
	}
	if got := other.Take(nil); len(got) != 0 || other.Dropped() != 0 {
		t.Fatal("a subscriber of another function got hello's lines")
	}
	lines := slow.Take(nil)
	if len(lines) != 8 {
		t.Fatalf("took %d lines, want the window's 8", len(lines))
	}
	if n := slow.Dropped(); n != 1000-8 {
		t.Fatalf("dropped %d lines for the slow subscriber, want %d", n, 1000-8)
	}
	if n := slow.Dropped(); n != 0 {
		t.Fatalf("Dropped does not reset: %d", n)
	}
	want := Line{Time: "2026-01-02 11:04:05.006", Function: "hello", Level: "log", Text: "line"}
	if lines[0] != want {
		t.Fatalf("first line: %+v, want %+v (Beijing time)", lines[0], want)
	}
	// The window reopened: the next lines are kept again.
	h.Publish(at, "hello", "warn", "after")
	if got := slow.Take(nil); len(got) != 1 || got[0].Text != "after" {
		t.Fatalf("after Take: %+v", got)
	}
	slow.Close()
	slow.Close() // twice is harmless
	select {
	case <-slow.Done():
	default:
		t.Fatal("Done still open after Close")
	}
	h.Publish(at, "other", "log", "x")
	if got := other.Take(nil); len(got) != 1 || got[0].Text != "x" {
		t.Fatalf("other got %+v", got)
	}
}

// Many functions log at once while the reader takes windows: every line is
// either taken or counted as dropped, none is lost or counted twice.
func TestHubCountsEveryLineUnderConcurrency(t *testing.T) {
	h := NewHub()
	s, _ := h.Subscribe("", 50)
	const writers, each = 8, 5000
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				h.Publish(time.Now(), "f", "log", "x")
			}
		}()
	}
	stop := make(chan struct{})
	got := make(chan int64)
	go func() {
		var n int64
		for {
			select {
			case <-stop:
				got <- n
				return
			default:
				n += int64(len(s.Take(nil)))
			}
		}
	}()
	wg.Wait()
	close(stop)
	taken := <-got + int64(len(s.Take(nil)))
	if dropped := s.Dropped(); taken+dropped != writers*each {
		t.Fatalf("taken %d + dropped %d = %d, want %d", taken, dropped, taken+dropped, writers*each)
	}
}

func TestHubWithoutSubscribersKeepsNothing(t *testing.T) {
	h := NewHub()
	h.Publish(time.Now(), "f", "log", "x")
	s, _ := h.Subscribe("", 4)
	s.Close()
	if h.subs.Load() != nil {
		t.Fatal("the last Close left a subscriber list: Publish does more than one load")
	}
	if n := testing.AllocsPerRun(100, func() { h.Publish(time.Now(), "f", "log", "x") }); n != 0 {
		t.Fatalf("Publish with no subscriber allocates %v times", n)
	}
}

// A line for a reader costs the logging goroutine no allocation and no
// formatting, whether it is kept or dropped.
func TestHubPublishAllocatesNothing(t *testing.T) {
	h := NewHub()
	s, _ := h.Subscribe("", 50)
	defer s.Close()
	at := time.Now()
	if n := testing.AllocsPerRun(1000, func() { h.Publish(at, "f", "log", "x") }); n != 0 {
		t.Fatalf("Publish with a subscriber allocates %v times a line", n)
	}
}

func TestHubCloseEndsSubscriptions(t *testing.T) {
	h := NewHub()
	s, _ := h.Subscribe("", 4)
	h.Close()
	select {
	case <-s.Done():
	default:
		t.Fatal("subscription still open after Close")
	}
	s.Close() // after the hub closed it: harmless
	if _, ok := h.Subscribe("", 4); ok {
		t.Fatal("a closed hub took a subscriber")
	}
	h.Publish(time.Now(), "f", "log", "x") // no panic
}

// BenchmarkPublish is what a log line costs the function's goroutine: with
// no reader, with one reader whose window has room (taken each 50 lines), and
// with one whose window is full (the line is dropped).
func BenchmarkPublish(b *testing.B) {
	at := time.Now()
	b.Run("reader=none", func(b *testing.B) {
		h := NewHub()
		for i := 0; i < b.N; i++ {
			h.Publish(at, "f", "log", "a line")
		}
	})
	b.Run("reader=kept", func(b *testing.B) {
		h := NewHub()
		s, _ := h.Subscribe("", 50)
		buf := make([]Line, 0, 50)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			h.Publish(at, "f", "log", "a line")
			if i%50 == 49 {
				b.StopTimer()
				buf = s.Take(buf[:0])
				b.StartTimer()
			}
		}
	})
	b.Run("reader=full", func(b *testing.B) {
		h := NewHub()
		_, _ = h.Subscribe("", 50)
		for i := 0; i < b.N; i++ {
			h.Publish(at, "f", "log", "a line")
		}
	})
}
