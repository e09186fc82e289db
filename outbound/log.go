package outbound

import (
	"context"
	"fmt"
	"time"
)

type loggerKey struct{}

// WithLogger returns a context whose outbound calls are also logged to fn, so the
// runtime can send each line to the log of the function that made the call.
func WithLogger(ctx context.Context, fn func(line string)) context.Context {
	return context.WithValue(ctx, loggerKey{}, fn)
}

// logf sends a line to the context's logger, then to Options.Log.
func (r *Router) logLine(ctx context.Context, line string) {
	if fn, ok := ctx.Value(loggerKey{}).(func(string)); ok && fn != nil {
		fn(line)
	}
	if r.log != nil {
		r.log(ctx, line)
	}
}

// callLine formats `METHOD URL [via URL] -> STATUS (12ms)` or `-> error: …`.
func callLine(method, orig, via string, status int, err error, took time.Duration) string {
	where := method + " " + orig
	if via != "" {
		where += " via " + via
	}
	if err != nil {
		return fmt.Sprintf("%s -> error: %v (%dms)", where, err, took.Milliseconds())
	}
	return fmt.Sprintf("%s -> %d (%dms)", where, status, took.Milliseconds())
}
