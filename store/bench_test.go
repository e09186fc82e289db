package store

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

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
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		if _, err := s.Find(ctx, "Big", q); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// BenchmarkColdLoad100k measures the first query of a 100,000-row class after
// opening the file (the lazy cache load).
func BenchmarkColdLoad100k(b *testing.B) {
	s, path := bigStore(b)
	s.Close()
	cpu := startCPU(b)
	var paused time.Duration
	for i := 0; i < b.N; i++ {
		s, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Find(context.Background(), "Big", Query{Limit: 1}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		t := processCPU()
		s.Close()
		runtime.GC() // the previous open's garbage is not this one's cost
		paused += processCPU() - t
		b.StartTimer()
	}
	cpu.start += paused
	cpu.report(b)
}

// restLikeWhere is the where of a REST query by a caller without the master
// key: the filter, and the ACL clause restapi adds (readRule), joined by $and.
func restLikeWhere() map[string]any {
	return map[string]any{"$and": []any{
		map[string]any{"city": "c7", "n": map[string]any{"$gte": 1000.0}},
		map[string]any{"$or": []any{map[string]any{"ACL": nil}, map[string]any{"ACL.*.read": true}}},
	}}
}

// BenchmarkFilter100kPage20 is the REST data path's filtered list over
// 100,000 rows (bench/pocketbase.sh): an unindexed field, 20 rows back, the
// count, and the ACL clause of a caller without the master key.
func BenchmarkFilter100kPage20(b *testing.B) {
	s, _ := bigStore(b)
	defer s.Close()
	ctx := context.Background()
	q := Query{Where: restLikeWhere(), Limit: 20, Count: true}
	if _, err := s.Find(ctx, "Big", q); err != nil { // the first query after opening (the cache load of main)
		b.Fatal(err)
	}
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		res, err := s.Find(ctx, "Big", q)
		if err != nil || res.Count != 1980 || len(res.Results) != 20 {
			b.Fatalf("count %d, %d rows, %v", res.Count, len(res.Results), err)
		}
	}
	cpu.report(b)
}

// BenchmarkOrder100k orders all 100,000 rows by a field and returns 20.
func BenchmarkOrder100k(b *testing.B) {
	s, _ := bigStore(b)
	defer s.Close()
	ctx := context.Background()
	q := Query{Order: []string{"-name"}, Limit: 20}
	if _, err := s.Find(ctx, "Big", q); err != nil {
		b.Fatal(err)
	}
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		if res, err := s.Find(ctx, "Big", q); err != nil || len(res.Results) != 20 {
			b.Fatalf("%d rows, %v", len(res.Results), err)
		}
	}
	cpu.report(b)
}

// BenchmarkGet100k reads one object by id from a 100,000-row class.
func BenchmarkGet100k(b *testing.B) {
	s, _ := bigStore(b)
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Get(ctx, "Big", "0000000001", GetOptions{}); err != nil {
		b.Fatal(err)
	}
	cpu := startCPU(b)
	for i := 0; i < b.N; i++ {
		if _, err := s.Get(ctx, "Big", fmt.Sprintf("%010x", i%100_000), GetOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// BenchmarkHeapAfterQuery100k reports the Go heap kept after one query over
// 100,000 rows (heap-MB; not a speed).
func BenchmarkHeapAfterQuery100k(b *testing.B) {
	s, _ := bigStore(b)
	defer s.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Find(ctx, "Big", Query{Where: restLikeWhere(), Limit: 20}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
}

// cpuTimer reports the process's CPU time per operation (cpu-ms/op, GC
// included), which a shared machine disturbs far less than wall time.
type cpuTimer struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU(b *testing.B) *cpuTimer {
	b.ResetTimer()
	return &cpuTimer{start: processCPU()}
}

func (c *cpuTimer) report(b *testing.B) {
	b.ReportMetric(float64(processCPU()-c.start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
