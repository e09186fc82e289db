package eventloop

import (
	"context"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// An answer given in a turn pauses the loop before the next macrotask, even
// with work queued: the queued work runs in Continue.
func TestRunUntilPausesBeforeQueuedWork(t *testing.T) {
	l := New(goja.New(), nil)
	answered, ran := false, 0
	var chunk func() error
	chunk = func() error {
		if ran++; ran < 100 {
			l.Enqueue(chunk)
		}
		return nil
	}
	paused, err := l.RunUntil(context.Background(), func() error {
		l.Enqueue(chunk)
		answered = true
		return nil
	}, func() bool { return answered })
	if err != nil || !paused || ran != 0 {
		t.Fatalf("paused %v, err %v, ran %d: want a pause before any queued work", paused, err, ran)
	}
	if err := l.Continue(context.Background()); err != nil || ran != 100 {
		t.Fatalf("continue: err %v, ran %d", err, ran)
	}
}

// A loop kept busy with queued work still ends at its context's deadline.
func TestBusyQueueEndsAtTheDeadline(t *testing.T) {
	l := New(goja.New(), nil)
	var spin func() error
	spin = func() error { l.Enqueue(spin); return nil }
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := l.Run(ctx, spin); err != context.DeadlineExceeded {
		t.Fatalf("err %v", err)
	}
}

// Timers due at the same time run in the order they were set; a timer cleared
// after falling due (by one that ran before it) does not run; an interval may
// clear itself.
func TestTimerOrderAndClears(t *testing.T) {
	l := New(goja.New(), nil)
	var order []string
	err := l.Run(context.Background(), func() error {
		var second int64
		l.SetTimer(5*time.Millisecond, false, func() error { order = append(order, "first"); l.ClearTimer(second); return nil })
		second = l.SetTimer(5*time.Millisecond, false, func() error { order = append(order, "second"); return nil })
		l.SetTimer(5*time.Millisecond, false, func() error { order = append(order, "third"); return nil })
		ticks := 0
		var iv int64
		iv = l.SetTimer(time.Millisecond, true, func() error {
			if ticks++; ticks == 3 {
				l.ClearTimer(iv)
				order = append(order, "interval x3")
			}
			return nil
		})
		l.ClearTimer(12345) // unknown ids are ignored
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var timeouts []string
	interval := false
	for _, o := range order {
		if o == "interval x3" {
			interval = true
		} else {
			timeouts = append(timeouts, o)
		}
	}
	if len(timeouts) != 2 || timeouts[0] != "first" || timeouts[1] != "third" || !interval {
		t.Fatalf("order %v, want first, third (second cleared) and the interval clearing itself", order)
	}
}
