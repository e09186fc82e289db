package testkit

import (
	"context"
	"fmt"

	"github.com/bmobemu/bmobemu/store"
)

// Rows returns every row of a class, oldest first, as the REST API shows them
// (at most store.MaxLimit).
func (s *Session) Rows(ctx context.Context, class string) ([]map[string]any, error) {
	return s.Find(ctx, class, store.Query{Limit: store.MaxLimit})
}

// Find runs a query on a class (a class that does not exist has no rows).
func (s *Session) Find(ctx context.Context, class string, q store.Query) ([]map[string]any, error) {
	res, err := s.Emu.Store.Find(ctx, class, q)
	if err != nil {
		return nil, fmt.Errorf("testkit: find in %s: %w", class, err)
	}
	if res.Results == nil {
		return []map[string]any{}, nil
	}
	return res.Results, nil
}

// Get returns one row by objectId.
func (s *Session) Get(ctx context.Context, class, id string) (map[string]any, error) {
	row, err := s.Emu.Store.Get(ctx, class, id, store.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("testkit: get %s/%s: %w", class, id, err)
	}
	return row, nil
}

// Insert adds a row (Bmob's types and __op allowed) and returns its objectId and
// createdAt.
func (s *Session) Insert(ctx context.Context, class string, row map[string]any) (store.Created, error) {
	c, err := s.Emu.Store.Create(ctx, class, row)
	if err != nil {
		return store.Created{}, fmt.Errorf("testkit: insert into %s: %w", class, err)
	}
	return c, nil
}

// Update changes one row.
func (s *Session) Update(ctx context.Context, class, id string, data map[string]any) error {
	if _, err := s.Emu.Store.Update(ctx, class, id, data); err != nil {
		return fmt.Errorf("testkit: update %s/%s: %w", class, id, err)
	}
	return nil
}
