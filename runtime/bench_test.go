package runtime

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

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
			r, err := f.Invoke(context.Background(), get(Pair{"n", "200"}))
			if err != nil || r.Status != 200 {
				b.Fatal(err, r)
			}
		}
	})
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
