package store

import (
	"context"
	"fmt"
	"time"
)

// NonceKeeper is implemented by stores that several processes share: the
// safe-sign nonces of REST requests are recorded there, so a nonce used on
// one process is refused by every other.
type NonceKeeper interface {
	// UseNonce records nonce as used until expires and reports whether it
	// was unused (or its earlier use has expired) at now.
	UseNonce(ctx context.Context, nonce string, expires, now time.Time) (fresh bool, err error)
}

// UseNonce implements NonceKeeper in one statement: the insert wins, or takes
// over an expired row; a live row makes it return nothing. Expired rows are
// pruned now and then by the same calls.
func (s *pgStore) UseNonce(ctx context.Context, nonce string, expires, now time.Time) (bool, error) {
	rows, err := s.pool.Query(ctx, `INSERT INTO bmob_nonces (nonce, expires) VALUES ($1, $2)
		ON CONFLICT (nonce) DO UPDATE SET expires = EXCLUDED.expires WHERE bmob_nonces.expires <= $3
		RETURNING 1`, nonce, expires.UnixMicro(), now.UnixMicro())
	if err != nil {
		return false, fmt.Errorf("record nonce: %w", err)
	}
	fresh := rows.Next()
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("record nonce: %w", err)
	}
	if fresh && s.nonceCalls.Add(1)%1000 == 0 {
		if _, err := s.pool.Exec(ctx, `DELETE FROM bmob_nonces WHERE expires <= $1`, now.UnixMicro()); err != nil {
			return true, fmt.Errorf("prune nonces: %w", err)
		}
	}
	return fresh, nil
}

var _ NonceKeeper = (*pgStore)(nil)
