package emulator

import (
	"crypto/rand"
	"path/filepath"
	"sync"
	"testing"
)

// TestProcessesStartingAtOnceShareTheirKeys: several starts on one new state
// path at the same moment all read whole keys, and the same ones (the README's
// two processes on one PostgreSQL database share .bmobemu/postgres.keys.json).
func TestProcessesStartingAtOnceShareTheirKeys(t *testing.T) {
	for round := 0; round < 20; round++ {
		db := filepath.Join(t.TempDir(), "state", "postgres")
		keys := make([]Keys, 8)
		errs := make([]error, len(keys))
		var wg sync.WaitGroup
		for i := range keys {
			wg.Add(1)
			go func(i int) { defer wg.Done(); keys[i], errs[i] = LoadOrCreateKeys(db, rand.Reader, Keys{}) }(i)
		}
		wg.Wait()
		for i := range keys {
			if errs[i] != nil {
				t.Fatalf("round %d, start %d: %v", round, i, errs[i])
			}
			if keys[i] != keys[0] || keys[i].MasterKey == "" {
				t.Fatalf("round %d: start %d has other keys: %+v vs %+v", round, i, keys[i], keys[0])
			}
		}
	}
}
