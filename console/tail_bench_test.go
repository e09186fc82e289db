package console_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkLoggingCall is one call of a function that logs a line, 32 calls
// at a time over loopback to a real server: reader=none with no browser,
// reader=sse with a client reading the live log the whole time. The ratio of
// the two is what tailing the log costs the functions (bench/console-tail.sh
// measures the same with wrk and a real browser, out of process).
func BenchmarkLoggingCall(b *testing.B) {
	for _, reader := range []string{"none", "sse"} {
		b.Run("reader="+reader, func(b *testing.B) {
			s := serve(b, "", false)
			var read atomic.Int64
			if reader == "sse" {
				ctx, cancel := context.WithCancel(context.Background())
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/_console/events", nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				done := make(chan struct{})
				go func() {
					defer close(done)
					buf := make([]byte, 32<<10)
					for {
						n, err := resp.Body.Read(buf)
						read.Add(int64(n))
						if err != nil {
							return
						}
					}
				}()
				b.Cleanup(func() { cancel(); resp.Body.Close(); <-done })
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
			url := s.base + "/" + s.emu.Secret + "/hello"
			call := func() error {
				resp, err := client.Post(url, "application/json", strings.NewReader(`{"name":"bench"}`))
				if err != nil {
					return err
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				return resp.Body.Close()
			}
			for i := 0; i < 200; i++ { // warm the connections and the VMs
				if err := call(); err != nil {
					b.Fatal(err)
				}
			}
			b.SetParallelism(32)
			b.ResetTimer()
			start, cpu0 := time.Now(), processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := call(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "calls/s")
			// CPU a call (server, client and reader together): steadier than
			// calls/s on a machine others share.
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/call")
			if reader == "sse" && read.Load() == 0 {
				b.Fatal("the reader got nothing")
			}
		})
	}
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
