package restapi

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/store"
)

// BenchmarkBatchLoad is a loader's POST /1/batch of 50 creates, one batch
// after another, on a durable bbolt store: what loading 100,000 rows costs
// per batch.
func BenchmarkBatchLoad(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	a := New(st, WithMasterKey(testMasterKey))
	reqs := make([]string, MaxBatch)
	for i := range reqs {
		reqs[i] = fmt.Sprintf(`{"method":"POST","path":"/1/classes/Load","body":{"n":%d,"city":"c%d","name":"row %d"}}`, i, i%50, i)
	}
	body := `{"requests":[` + strings.Join(reqs, ",") + `]}`
	b.ResetTimer()
	for range b.N {
		resp := call(a, "POST", "/1/batch", body)
		if resp.Status != 200 || strings.Contains(string(resp.Body), `"error"`) {
			b.Fatalf("batch: %d %s", resp.Status, resp.Body)
		}
	}
	b.ReportMetric(float64(b.N*MaxBatch)/b.Elapsed().Seconds(), "rows/s")
}
