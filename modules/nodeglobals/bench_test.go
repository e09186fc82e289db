package nodeglobals

import (
	"testing"
	"time"

	"github.com/dop251/goja"
)

// BenchmarkEnable is the cost the globals add to every new VM.
func BenchmarkEnable(b *testing.B) {
	for i := 0; i < b.N; i++ {
		vm := goja.New()
		if err := Enable(vm, Options{Now: time.Now}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewVM(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = goja.New()
	}
}
