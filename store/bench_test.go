package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// BenchmarkInsertConcurrent64 measures durable inserts with 64 writers.
func BenchmarkInsertConcurrent64(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchInserts(b, s)
}

// BenchmarkInsertConcurrent64Postgres is BenchmarkInsertConcurrent64 on
// PostgreSQL with durable commits (a pool of 64 connections).
func BenchmarkInsertConcurrent64Postgres(b *testing.B) {
	s, err := OpenPostgres(context.Background(), pgtest.Durable(pgtest.DSN(b)), Options{}, PostgresOptions{MaxConns: 64})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	benchInserts(b, s)
}

func benchInserts(b *testing.B, s Store) {
	ctx := context.Background()
	var next atomic.Int64
	txid0 := 0
	if bs, ok := s.(*boltStore); ok {
		txid0 = lastTxID(b, bs)
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if _, err := s.Create(ctx, "Bench", map[string]any{"name": "row", "score": 1.0}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inserts/s")
	if bs, ok := s.(*boltStore); ok { // how many writes shared each fsync
		b.ReportMetric(float64(b.N)/float64(commitsSince(b, bs, txid0)), "rows/commit")
	}
}

// lastTxID is the id of the last committed write transaction.
func lastTxID(t testing.TB, s *boltStore) int {
	t.Helper()
	var id int
	if err := s.view(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

func commitsSince(b *testing.B, s *boltStore, txid0 int) int {
	return max(1, lastTxID(b, s)-txid0)
}

// bigStore imports 100,000 rows into a fresh bbolt store.
func bigStore(b *testing.B) (Store, string) {
	path := filepath.Join(b.TempDir(), "bench.db")
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	fillBig(b, s)
	return s, path
}

func fillBig(b *testing.B, s Store) {
	ctx := context.Background()
	const rows = 100_000
	var doc strings.Builder
	doc.WriteString(`{"format":"bmobemu-export","version":1,"classes":{"Big":[`)
	for i := 0; i < rows; i++ {
		if i > 0 {
			doc.WriteString(",")
		}
		fmt.Fprintf(&doc, `{"objectId":"%010x","createdAt":"2024-01-01 00:00:00","updatedAt":"2024-01-01 00:00:00","n":%d,"city":"c%d","name":"row %d"}`, i, i, i%50, i)
	}
	doc.WriteString(`]}}`)
	if err := s.Import(ctx, strings.NewReader(doc.String())); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFilter100k measures a where on an unindexed field over 100,000 rows.
func BenchmarkFilter100k(b *testing.B) {
	s, _ := bigStore(b)
	defer s.Close()
	benchFilter(b, s)
}

// BenchmarkFilter100kPostgres is BenchmarkFilter100k on PostgreSQL (the
// where runs in SQL; no index on the fields).
func BenchmarkFilter100kPostgres(b *testing.B) {
	s, err := OpenPostgres(context.Background(), pgtest.DSN(b), Options{}, PostgresOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fillBig(b, s)
	benchFilter(b, s)
}

func benchFilter(b *testing.B, s Store) {
	ctx := context.Background()
	q := Query{Where: map[string]any{"city": "c7", "n": map[string]any{"$gte": 1000.0}}, Limit: -1, Count: true}
	if res, err := s.Find(ctx, "Big", q); err != nil || res.Count != 1980 { // load the cache
		b.Fatalf("count %d, %v", res.Count, err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Find(ctx, "Big", q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkColdLoad100k measures the first query of a 100,000-row class after
// opening the file (the lazy cache load).
func BenchmarkColdLoad100k(b *testing.B) {
	s, path := bigStore(b)
	s.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Find(context.Background(), "Big", Query{Limit: 1}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}
