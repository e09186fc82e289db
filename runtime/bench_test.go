package runtime

import (
	"context"
	"fmt"
	"os"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

// BenchmarkFirstCall is the first call of a freshly loaded function: compile, a new
// VM, the script's top level and the call itself.
func BenchmarkFirstCall(b *testing.B) {
	e, _ := newEngine(&testing.T{}, modules.Compat, time.Second)
	src := []byte(`function onRequest(request, response, modules) { response.send({code: 200}); }`)
	for i := 0; i < b.N; i++ {
		f, err := e.Compile(fmt.Sprintf("cold%d", i), "cold.js", src)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Invoke(context.Background(), get()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInvokeTrivial is a warm call of response.send({code: 200}), no HTTP.
func BenchmarkInvokeTrivial(b *testing.B) {
	e, _ := newEngine(&testing.T{}, modules.Compat, time.Second)
	f, _ := e.Compile("hello", "hello.js", []byte(`function onRequest(request, response, modules) { response.send({code: 200}); }`))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.Invoke(context.Background(), get()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkInvokeHeavy is bench/functions/heavy.js: 100+ lines of loops, objects
// and JSON, the baseline later runtime work improves on.
func BenchmarkInvokeHeavy(b *testing.B) {
	src, err := os.ReadFile("../bench/functions/heavy.js")
	if err != nil {
		b.Fatal(err)
	}
	e, _ := newEngine(&testing.T{}, modules.Compat, 10*time.Second)
	f, _ := e.Compile("heavy", "heavy.js", src)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := f.Invoke(context.Background(), get(fncall.Pair{Key: "n", Value: "200"}))
			if err != nil || r.Status != 200 {
				b.Fatal(err, r)
			}
		}
	})
}

// BenchmarkClearTimeouts is one call that sets n timers and clears them all
// (issue 11, item 10; Node clears 40,000 in about 124 ms).
func BenchmarkClearTimeouts(b *testing.B) {
	for _, n := range []int{40000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			e, _ := newEngine(&testing.T{}, modules.Compat, time.Minute)
			f, _ := e.Compile("clears", "clears.js", []byte(`function onRequest(request, response) {
				var n = Number(request.query.n), ids = [];
				for (var i = 0; i < n; i++) ids.push(setTimeout(function () {}, 1000 + i % 500));
				for (var j = 0; j < n; j++) clearTimeout(ids[j]);
				response.send('cleared ' + n);
			}`))
			b.ReportAllocs()
			peak := watchHeap()
			for i := 0; i < b.N; i++ {
				r, err := f.Invoke(context.Background(), get(fncall.Pair{Key: "n", Value: fmt.Sprint(n)}))
				if err != nil || r.Status != 200 {
					b.Fatal(err, r)
				}
			}
			b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
		})
	}
}

// BenchmarkQueueMicrotaskChain is one call running a chain of a million
// queueMicrotask callbacks (issue 11, item 2; Node: 103 ms, 46 MB).
func BenchmarkQueueMicrotaskChain(b *testing.B) {
	e, _ := newEngine(&testing.T{}, modules.Compat, 5*time.Minute)
	f, _ := e.Compile("chain", "chain.js", []byte(microtaskChainSrc))
	b.ReportAllocs()
	peak := watchHeap()
	for i := 0; i < b.N; i++ {
		r, err := f.Invoke(context.Background(), get(fncall.Pair{Key: "n", Value: "1000000"}))
		if err != nil || string(r.Body) != "done 1000000" {
			b.Fatal(err, r)
		}
	}
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
}

// watchHeap samples the heap in use every 5 ms until the returned function is
// called, which reports the highest sample.
func watchHeap() (stop func() uint64) {
	done := make(chan struct{})
	result := make(chan uint64)
	go func() {
		var highest uint64
		var m goruntime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			goruntime.ReadMemStats(&m)
			highest = max(highest, m.HeapInuse)
			select {
			case <-done:
				result <- highest
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); return <-result }
}

// BenchmarkInvokeCtxTrivial is the mini-program style's warm call,
// `async (ctx) => ({code: 200})`, to compare with BenchmarkInvokeTrivial.
func BenchmarkInvokeCtxTrivial(b *testing.B) {
	e, _ := newEngine(&testing.T{}, modules.Compat, time.Second)
	f, _ := e.Compile("hello", "hello.js", []byte(`module.exports = async (ctx) => ({code: 200});`))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r, err := f.Invoke(context.Background(), get()); err != nil || r.Status != 200 {
				b.Fatal(err, r)
			}
		}
	})
}
