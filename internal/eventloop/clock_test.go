package eventloop

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/clock"
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestFrozenClockStepsToTimersInOrder(t *testing.T) {
	fake := clock.NewFake(start)
	l := New(goja.New(), nil)
	l.UseClock(fake, nil)
	var fired []time.Duration
	err := l.Run(context.Background(), func() error {
		for _, d := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second} {
			d := d
			l.SetTimer(d, false, func() error { fired = append(fired, fake.Now().Sub(start)); return nil })
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}
	if len(fired) != 3 || fired[0] != want[0] || fired[1] != want[1] || fired[2] != want[2] {
		t.Fatalf("timers fired at %v, want %v", fired, want)
	}
	if got := fake.Now().Sub(start); got != 3*time.Second {
		t.Fatalf("clock at +%v after the last timer, want +3s", got)
	}
}

func TestFrozenClockWaitsWhenNotStepping(t *testing.T) {
	fake := clock.NewFake(start)
	l := New(goja.New(), nil)
	l.UseClock(fake, func() bool { return false })
	ran := false
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := l.Run(ctx, func() error {
		l.SetTimer(time.Minute, false, func() error { ran = true; return nil })
		return nil
	})
	if !errors.Is(err, context.DeadlineExceeded) || ran {
		t.Fatalf("err %v, ran %v: the timer must wait for the clock", err, ran)
	}
	if !fake.Now().Equal(start) {
		t.Fatalf("clock moved to %v", fake.Now())
	}
}

func TestFrozenClockAdvancedFromOutside(t *testing.T) {
	fake := clock.NewFake(start)
	l := New(goja.New(), nil)
	l.UseClock(fake, func() bool { return false })
	ran := make(chan struct{})
	go func() {
		for {
			if _, ok := fake.Next(); ok {
				fake.Advance(time.Minute)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	err := l.Run(context.Background(), func() error {
		l.SetTimer(time.Minute, false, func() error { close(ran); return nil })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
	default:
		t.Fatal("timer did not run")
	}
}

func TestClearedTimerDoesNotStep(t *testing.T) {
	fake := clock.NewFake(start)
	l := New(goja.New(), nil)
	l.UseClock(fake, nil)
	err := l.Run(context.Background(), func() error {
		id := l.SetTimer(time.Hour, false, func() error { return errors.New("cleared timer ran") })
		l.SetTimer(time.Second, false, func() error { l.ClearTimer(id); return nil })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := fake.Now().Sub(start); got != time.Second {
		t.Fatalf("clock at +%v, want +1s (the cleared timer must not move it)", got)
	}
}
