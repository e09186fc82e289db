package restapi

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bmobemu/bmobemu/store"
)

// benchAPI is an API over a store holding 100,000 rows of class Big, a third of
// them (every third) behind an ACL that only user u1 may read.
func benchAPI(b *testing.B) *API {
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	var doc strings.Builder
	doc.WriteString(`{"format":"bmobemu-export","version":1,"classes":{"Big":[`)
	for i := range 100_000 {
		if i > 0 {
			doc.WriteString(",")
		}
		acl := ""
		if i%3 == 1 {
			acl = `,"ACL":{"u1":{"read":true,"write":true}}`
		}
		fmt.Fprintf(&doc, `{"objectId":"%010x","createdAt":"2024-01-01 00:00:00","updatedAt":"2024-01-01 00:00:00","n":%d,"city":"c%d","name":"row %d"%s}`, i, i, i%50, i, acl)
	}
	doc.WriteString(`]}}`)
	if err := st.Import(context.Background(), strings.NewReader(doc.String())); err != nil {
		b.Fatal(err)
	}
	return New(st, WithMasterKey(testMasterKey))
}

// BenchmarkFindWhere100k is GET /1/classes/Big?where=…&count=1 over 100,000
// rows: anonymous (the ACL filter applies) and with the master key.
func BenchmarkFindWhere100k(b *testing.B) {
	a := benchAPI(b)
	q := url.Values{"where": {`{"city":"c7","n":{"$gte":1000}}`}, "count": {"1"}, "limit": {"10"}}
	for _, bc := range []struct {
		name string
		hdr  []string
		want string
	}{{"anonymous", nil, `{"count":1320,`}, {"master", master(), `{"count":1980,`}} {
		b.Run(bc.name, func(b *testing.B) {
			resp := call(a, "GET", "/1/classes/Big?"+q.Encode(), "", bc.hdr...)
			if !strings.HasPrefix(string(resp.Body), bc.want) {
				b.Fatalf("%s", resp.Body[:min(len(resp.Body), 200)])
			}
			b.ResetTimer()
			for range b.N {
				call(a, "GET", "/1/classes/Big?"+q.Encode(), "", bc.hdr...)
			}
		})
	}
}

// BenchmarkInsertConcurrent64 is POST /1/classes/Bench from 64 goroutines.
func BenchmarkInsertConcurrent64(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	a := New(st)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if resp := call(a, "POST", "/1/classes/Bench", `{"name":"row","score":1}`); resp.Status != 201 {
					b.Errorf("insert: %d %s", resp.Status, resp.Body)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inserts/s")
}
