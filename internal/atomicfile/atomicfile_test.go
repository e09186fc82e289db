package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestCreateOneWinnerNoPartialReads: many writers race to create one file
// while readers poll it; exactly one writer wins, every other gets ErrExists,
// and no reader ever sees an empty or partial file.
func TestCreateOneWinnerNoPartialReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "keys.json")
	content := func(i int) []byte { return bytes.Repeat([]byte(fmt.Sprintf("writer %02d;", i)), 2000) }
	var wg sync.WaitGroup
	results := make([]error, 16)
	stop := make(chan struct{})
	var bad []string
	var mu sync.Mutex
	var readers sync.WaitGroup
	for r := 0; r < 4; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				data, err := os.ReadFile(path)
				if err == nil && len(data) != len(content(0)) {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("read %d bytes", len(data)))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range results {
		wg.Add(1)
		go func(i int) { defer wg.Done(); results[i] = Create(path, content(i), 0o600) }(i)
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	winners := 0
	for i, err := range results {
		switch {
		case err == nil:
			winners++
			if got, _ := os.ReadFile(path); !bytes.Equal(got, content(i)) {
				t.Fatalf("the file is not the winner's content")
			}
		case !errors.Is(err, ErrExists):
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if winners != 1 || len(bad) > 0 {
		t.Fatalf("%d winners, partial reads: %v", winners, bad)
	}
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("mode: %v %v", info, err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.tmp"))
	if len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestReplace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.json")
	if err := Create(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Replace(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Fatalf("got %q", got)
	}
}
