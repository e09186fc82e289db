package eventloop

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// BenchmarkSetAndClearTimers sets n timers in one turn and clears them all, in
// the loop alone (no JavaScript): the cost per timer must not grow with n.
func BenchmarkSetAndClearTimers(b *testing.B) {
	for _, n := range []int{1000, 40000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			ids := make([]int64, n)
			for i := 0; i < b.N; i++ {
				l := New(goja.New(), nil)
				err := l.Run(context.Background(), func() error {
					for j := range ids {
						ids[j] = l.SetTimer(time.Second+time.Duration(j%500)*time.Millisecond, false, func() error { return nil })
					}
					for _, id := range ids {
						l.ClearTimer(id)
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/timer")
		})
	}
}
