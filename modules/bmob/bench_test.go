package bmob

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
)

// benchEnv is a store with 1,000 rows of T and a script function q() that
// runs one oArray.query for n = 7 (10 matches) from JS.
func benchEnv(b *testing.B) *testEnv {
	b.Helper()
	e := newEnv(b, modules.Bmob)
	for i := range 1000 {
		resp := e.api.Serve(context.Background(), restapi.Request{Method: http.MethodPost, Path: "/1/classes/T",
			Header: http.Header{"Content-Type": {"application/json"}}, Body: fmt.Appendf(nil, `{"n":%d,"s":"row %d"}`, i%100, i)})
		if resp.Status != http.StatusCreated {
			b.Fatalf("seed: %s", resp.Body)
		}
	}
	return e
}

// BenchmarkWrapperQuery is one oArray.query from JS: argument handling, the
// in-process REST call, the callback with the JSON text.
func BenchmarkWrapperQuery(b *testing.B) {
	e := benchEnv(b)
	if _, err := e.vu.Run(`var arr = load("oArray"); function q() { arr.query({table: "T", where: {n: 7}}, function (err, data) { out = data; }); }`); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := e.vu.Run("q()"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRESTQuery is the same query through restapi alone, the floor for
// BenchmarkWrapperQuery.
func BenchmarkRESTQuery(b *testing.B) {
	e := benchEnv(b)
	req := restapi.Request{Method: http.MethodGet, Path: "/1/classes/T", Query: url.Values{"where": {`{"n":7}`}}, Header: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for b.Loop() {
		if resp := e.api.Serve(context.Background(), req); resp.Status != http.StatusOK {
			b.Fatal(string(resp.Body))
		}
	}
}

// BenchmarkDataFind is one oData.find from JS, on both profiles: the module
// object of a fresh call, argument handling, the typed find, the callback
// with the JSON text (compat: the String object and its field getters).
func BenchmarkDataFind(b *testing.B) {
	for _, profile := range profiles {
		b.Run(string(profile), func(b *testing.B) {
			e := benchEnv(b)
			e.vu.Env().Profile = profile
			if _, err := e.vu.Run(`function q() { load("oData").find({table: "T", where: {n: 7}}, function (err, data) { out = data; }); }`); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := e.vu.Run("q()"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// reportCPU reports the process's user+system CPU time per op from now until
// the returned function runs: on a shared machine ns/op is mostly waiting.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			return 0
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() { b.ReportMetric(float64(cpu()-start)/float64(b.N), "cpu-ns/op") }
}
