package store

import (
	"context"
	"testing"

	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// BenchmarkFieldIndex100k filters a 100,000-row class by one field: bbolt
// (memory scan; no indexes), PostgreSQL without an index on the field (SQL
// over every JSONB row of the class), and PostgreSQL with IndexField on it.
// Two filters: one row by name, and 2% of the rows by city (100 of them
// answered, all counted).
func BenchmarkFieldIndex100k(b *testing.B) {
	ctx := context.Background()
	queries := []struct {
		name  string
		q     Query
		count int
	}{
		{"one-row", Query{Where: map[string]any{"name": "row 77777"}, Limit: -1, Count: true}, 1},
		{"2-percent", Query{Where: map[string]any{"city": "c7"}, Limit: -1, Count: true}, 2000},
	}
	run := func(b *testing.B, s Store) {
		for _, q := range queries {
			b.Run(q.name, func(b *testing.B) {
				if res, err := s.Find(ctx, "Big", q.q); err != nil || res.Count != q.count { // warm
					b.Fatalf("count %d, %v", res.Count, err)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := s.Find(ctx, "Big", q.q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	b.Run("bbolt", func(b *testing.B) {
		s, _ := bigStore(b)
		defer s.Close()
		run(b, s)
	})
	pg, err := OpenPostgres(ctx, pgtest.DSN(b), Options{}, PostgresOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Close()
	fillBig(b, pg)
	b.Run("postgres-unindexed", func(b *testing.B) { run(b, pg) })
	for _, f := range []string{"name", "city"} {
		if _, err := pg.(FieldIndexer).IndexField(ctx, "Big", f); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("postgres-indexed", func(b *testing.B) { run(b, pg) })
}
