package testkit

import (
	"context"
	"fmt"
	"time"
)

// Advance moves the frozen clock forward by d and waits until the work it
// released (timers that fell due, and what they started) has run.
func (s *Session) Advance(ctx context.Context, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("testkit: the clock cannot go back (advance by %v)", d)
	}
	return s.stepTo(ctx, s.Clock.Now().Add(d))
}

// SetTime moves the frozen clock to t (timers never fire twice; moving back
// only changes what Date tells) and waits for the work it released.
func (s *Session) SetTime(ctx context.Context, t time.Time) error {
	if !t.After(s.Clock.Now()) {
		s.Clock.Set(t)
		return s.Settle(ctx)
	}
	return s.stepTo(ctx, t)
}

// Settle waits until every script's remaining work, and the payment sandbox's
// notify attempts, wait only for the clock.
func (s *Session) Settle(ctx context.Context) error {
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	for pause := 50 * time.Microsecond; !s.Emu.Functions.Settled() || s.sandboxBusy(); {
		select {
		case <-ctx.Done():
			return fmt.Errorf("testkit: scripts still running after the clock step: %w", ctx.Err())
		case <-time.After(pause):
		}
		if pause < 5*time.Millisecond {
			pause *= 2
		}
	}
	return nil
}
