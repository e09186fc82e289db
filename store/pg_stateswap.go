package store

import (
	"context"
	"fmt"
)

// StateSwapper is implemented by stores that several bmobemu processes share
// (PostgreSQL): a compare-and-swap on one state value, so that of two
// processes changing the same value from the same version exactly one wins.
// The payment sandbox claims each notify delivery attempt with it.
type StateSwapper interface {
	StateKeeper
	// SwapState sets key to value only if key's value is old now (old nil:
	// only if key is absent), and reports whether it did.
	SwapState(key string, old, value []byte) (bool, error)
}

// SwapState implements StateSwapper: one statement, so the comparison and the
// write are atomic under any isolation level.
func (s *pgStore) SwapState(key string, old, value []byte) (bool, error) {
	ctx := context.Background()
	var sql string
	args := []any{key, value}
	if old == nil {
		sql = `INSERT INTO bmob_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`
	} else {
		sql = `UPDATE bmob_state SET value = $2 WHERE key = $1 AND value = $3`
		args = append(args, old)
	}
	tag, err := s.pool.Exec(ctx, sql, args...)
	if err != nil {
		return false, fmt.Errorf("swap %s: %w", key, err)
	}
	return tag.RowsAffected() == 1, nil
}

var _ StateSwapper = (*pgStore)(nil)
