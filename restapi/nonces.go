package restapi

import (
	"context"
	"sync"
	"time"
)

// NonceRecorder records used safe-sign nonces where several processes see
// them (store.NonceKeeper of a PostgreSQL store).
type NonceRecorder interface {
	UseNonce(ctx context.Context, nonce string, expires, now time.Time) (fresh bool, err error)
}

// WithNonces records safe-sign nonces in r (shared by every process on one
// database); without it they are kept in this process's memory.
func WithNonces(r NonceRecorder) Option { return func(a *API) { a.sharedNonces = r } }

// useNonce records a signed request's nonce, valid until expires, and returns
// why the request is refused ("" when the nonce is fresh).
func (a *API) useNonce(nonce string, expires, now time.Time) string {
	if a.sharedNonces != nil {
		fresh, err := a.sharedNonces.UseNonce(context.Background(), nonce, expires, now)
		if err != nil {
			return "nonce check failed: " + err.Error()
		}
		if !fresh {
			return "replayed X-Bmob-Noncestr-Key"
		}
		return ""
	}
	if !a.nonces.add(nonce, expires, now) {
		return "replayed X-Bmob-Noncestr-Key"
	}
	return ""
}

// nonceCache remembers the nonces of signed requests until their timestamp
// leaves the window, so a replay inside the window is refused. Two generations
// swapped every ttl keep memory bounded by the request rate: an entry lives at
// least ttl after it is added, and ttl (two windows) is the longest any nonce
// needs remembering, as its timestamp is at most one window ahead.
type nonceCache struct {
	ttl      time.Duration
	mu       sync.Mutex
	cur, old map[string]time.Time
	rotated  time.Time
}

// add records nonce (valid until expires) and reports whether it was new.
func (c *nonceCache) add(nonce string, expires, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil {
		c.cur, c.old, c.rotated = map[string]time.Time{}, map[string]time.Time{}, now
	}
	for _, m := range []map[string]time.Time{c.cur, c.old} {
		if exp, ok := m[nonce]; ok && now.Before(exp) {
			return false
		}
	}
	if now.Sub(c.rotated) >= c.ttl {
		c.old, c.cur, c.rotated = c.cur, map[string]time.Time{}, now
	}
	c.cur[nonce] = expires
	return true
}
