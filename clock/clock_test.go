package clock

import (
	"sync"
	"testing"
	"time"
)

func TestFakeFiresInOrderOnlyWhenDue(t *testing.T) {
	start := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	c := NewFake(start)
	var mu sync.Mutex
	var fired []string
	var wg sync.WaitGroup
	add := func(name string, d time.Duration) func() bool {
		wg.Add(1)
		return c.AfterFunc(d, func() {
			mu.Lock()
			fired = append(fired, name)
			mu.Unlock()
			wg.Done()
		})
	}
	add("b", 2*time.Second)
	add("a", time.Second)
	stop := add("never", 3*time.Second)
	c.Advance(500 * time.Millisecond)
	if next, ok := c.Next(); !ok || !next.Equal(start.Add(time.Second)) {
		t.Fatalf("Next = %v %v", next, ok)
	}
	if !stop() {
		t.Fatal("stop of a pending timer reported false")
	}
	wg.Done() // the stopped timer never runs
	c.Advance(2 * time.Second)
	wg.Wait()
	if got := c.Now(); !got.Equal(start.Add(2500 * time.Millisecond)) {
		t.Fatalf("Now = %v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(fired) != 2 {
		t.Fatalf("fired %v", fired)
	}
	if stop() {
		t.Fatal("stop after removal reported true")
	}
}

func TestRealClockRuns(t *testing.T) {
	done := make(chan struct{})
	Real().AfterFunc(time.Millisecond, func() { close(done) })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("real AfterFunc never fired")
	}
}

func TestFakeStepToOnlyMovesForward(t *testing.T) {
	start := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	c := NewFake(start)
	fired := make(chan struct{})
	c.AfterFunc(time.Second, func() { close(fired) })
	c.StepTo(start.Add(-time.Hour))
	if !c.Now().Equal(start) {
		t.Fatalf("StepTo backwards moved the clock to %v", c.Now())
	}
	c.StepTo(start.Add(time.Second))
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("timer due at the step never fired")
	}
	if !c.Now().Equal(start.Add(time.Second)) {
		t.Fatalf("Now = %v", c.Now())
	}
	var _ Stepper = c
}
