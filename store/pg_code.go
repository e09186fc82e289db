package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The function code deployed over REST (PUT /1/functions/<name>) lives in
// bmob_functions on PostgreSQL, so every process serves what any one
// deployed (functions.CodeStore). Each save takes a new number from one
// sequence: a process compares the numbers it has with the table's and
// reloads the names whose number changed. A per-name counter would not do:
// a name removed and deployed again would start over at a number a process
// may still hold.

// SaveCode keeps src as the deployed code of name and returns its version.
func (s *pgStore) SaveCode(ctx context.Context, name string, src []byte) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, `INSERT INTO bmob_functions (name, source, version) VALUES ($1, $2, nextval('bmob_functions_version'))
		ON CONFLICT (name) DO UPDATE SET source = EXCLUDED.source, version = EXCLUDED.version RETURNING version`, name, src).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("save function %s: %w", name, err)
	}
	return v, nil
}

// DeleteCode removes the deployed code of name; ok is false when there was none.
func (s *pgStore) DeleteCode(ctx context.Context, name string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM bmob_functions WHERE name = $1`, name)
	if err != nil {
		return false, fmt.Errorf("remove function %s: %w", name, err)
	}
	return tag.RowsAffected() > 0, nil
}

// CodeVersions maps each deployed function to its version.
func (s *pgStore) CodeVersions(ctx context.Context) (map[string]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, version FROM bmob_functions`)
	if err != nil {
		return nil, fmt.Errorf("list deployed functions: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var (
			name string
			v    int64
		)
		if err := rows.Scan(&name, &v); err != nil {
			return nil, fmt.Errorf("list deployed functions: %w", err)
		}
		out[name] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list deployed functions: %w", err)
	}
	return out, nil
}

// Code reads the deployed code of name; ok is false when there is none.
func (s *pgStore) Code(ctx context.Context, name string) (src []byte, version int64, ok bool, err error) {
	err = s.pool.QueryRow(ctx, `SELECT source, version FROM bmob_functions WHERE name = $1`, name).Scan(&src, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("read function %s: %w", name, err)
	}
	return src, version, true, nil
}
