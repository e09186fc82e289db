package emulator

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// BenchmarkBenchHandlers runs the side-by-side kit's handlers
// (../shared/bench/functions: min, work, insert) through the whole fiber
// handler in-process, one call at a time, as `compare` drives them with
// GOMAXPROCS=1 (no sockets, so the per-call CPU of the path is what is left).
// insert runs on a store without fsync: it measures CPU, not the disk. On a
// shared machine ns/op is mostly waiting for a core; cpu-ns/op (the process's
// user+system time per call, GC included) is the figure to compare.
func BenchmarkBenchHandlers(b *testing.B) {
	src := filepath.Join("..", "..", "shared", "bench", "functions")
	if _, err := os.Stat(filepath.Join(src, "work.js")); err != nil {
		b.Skipf("the bench kit's functions are not beside the repo: %v", err)
	}
	emu, err := Open(Config{FunctionsDirs: []string{src}, DBPath: filepath.Join(b.TempDir(), "d.db"), NoSync: true,
		Sandbox: SandboxConfig{Off: true}, ManualTasks: true, Secret: "perf000000000000"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = emu.Close() })
	h := emu.App.Handler()
	for _, fn := range []string{"min", "work", "insert"} {
		b.Run(fn, func(b *testing.B) {
			var ctx fasthttp.RequestCtx
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				ctx.Request.Reset()
				ctx.Response.Reset()
				ctx.Request.Header.SetMethod("GET")
				ctx.Request.SetRequestURI("/perf000000000000/" + fn)
				h(&ctx)
				if ctx.Response.StatusCode() != 200 {
					b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
