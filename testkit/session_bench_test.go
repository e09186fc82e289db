package testkit

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkSessionOpen measures opening and closing a session with and
// without the payment sandbox (its keys are made once, before the timing).
func BenchmarkSessionOpen(b *testing.B) {
	dir := b.TempDir()
	src := "function onRequest(request, response, modules) { response.send('ok'); }"
	if err := os.WriteFile(filepath.Join(dir, "hello.js"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	if _, err := SandboxKeys(); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		off  bool
	}{{"sandbox", false}, {"nosandbox", true}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				s, err := Open(Options{Functions: []string{dir}, NoSandbox: c.off})
				if err != nil {
					b.Fatal(err)
				}
				if (s.Payments == nil) != c.off {
					b.Fatal("sandbox state is not what was asked")
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
