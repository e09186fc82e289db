package nodecore

import (
	"testing"

	"github.com/bmobemu/bmobemu/modules/modulestest"
)

// BenchmarkFormat measures one console.log-style call, which loads the inspect
// code into the VM each time.
func BenchmarkFormat(b *testing.B) {
	vu := modulestest.New(b, nil)
	args := argsOf(b, vu, `'order %s paid:', 'o-1', {amount: 12.5, items: [1, 2, 3], buyer: {id: 'u1'}}`)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = Format(vu.Runtime(), args)
	}
}

// BenchmarkFormatter measures the same call through a Formatter kept per VM.
func BenchmarkFormatter(b *testing.B) {
	vu := modulestest.New(b, nil)
	args := argsOf(b, vu, `'order %s paid:', 'o-1', {amount: 12.5, items: [1, 2, 3], buyer: {id: 'u1'}}`)
	f, err := NewFormatter(vu.Runtime())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = f.Format(args)
	}
}
