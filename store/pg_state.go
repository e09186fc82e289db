package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// LoadState implements StateKeeper: the sandbox's records live in
// bmob_state, so every process sharing the database sees the same trades.
func (s *pgStore) LoadState(key string) ([]byte, error) {
	var v []byte
	err := s.pool.QueryRow(context.Background(), `SELECT value FROM bmob_state WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", key, err)
	}
	return v, nil
}

// StateKeys lists the keys kept under prefix, in byte order.
func (s *pgStore) StateKeys(prefix string) ([]string, error) {
	// Not LIKE: the prefix may hold % or _.
	sql := `SELECT key FROM bmob_state WHERE key >= $1 AND left(key, length($1)) = $1 ORDER BY key`
	rows, err := s.pool.Query(context.Background(), sql, prefix)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	return keys, nil
}

// SaveStates keeps each value under its key (nil removes it), in one transaction.
func (s *pgStore) SaveStates(values map[string][]byte) error {
	ctx := context.Background()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for k, v := range values {
			var err error
			if v == nil {
				_, err = tx.Exec(ctx, `DELETE FROM bmob_state WHERE key = $1`, k)
			} else {
				_, err = tx.Exec(ctx, `INSERT INTO bmob_state (key, value) VALUES ($1, $2)
					ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, k, v)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	return nil
}

var _ StateKeeper = (*pgStore)(nil)
