package store

import (
	"fmt"
	"sync"
	"testing"

	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// TestSwapStateOneWinnerAcrossStores: sixteen swaps from the same version,
// through two stores on one database (two processes), make exactly one change;
// creating an existing key and swapping from a stale version are refused.
func TestSwapStateOneWinnerAcrossStores(t *testing.T) {
	dsn := pgtest.DSN(t)
	var swappers []StateSwapper
	for range 2 {
		sw, ok := openPG(t, dsn).(StateSwapper)
		if !ok {
			t.Fatal("the PostgreSQL store is no StateSwapper")
		}
		swappers = append(swappers, sw)
	}
	a := swappers[0]
	if ok, err := a.SwapState("k", nil, []byte("v0")); err != nil || !ok {
		t.Fatalf("create: %v %v", ok, err)
	}
	if ok, err := swappers[1].SwapState("k", nil, []byte("again")); err != nil || ok {
		t.Fatalf("creating an existing key: %v %v", ok, err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var won []string
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := fmt.Sprintf("v1-%d", i)
			ok, err := swappers[i%2].SwapState("k", []byte("v0"), []byte(v))
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won = append(won, v)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(won) != 1 {
		t.Fatalf("%d swaps from one version won: %v", len(won), won)
	}
	got, err := swappers[1].LoadState("k")
	if err != nil || string(got) != won[0] {
		t.Fatalf("stored %q (%v), want the winner's %q", got, err, won[0])
	}
	if ok, err := a.SwapState("k", []byte("v0"), []byte("late")); err != nil || ok {
		t.Fatalf("a stale swap: %v %v", ok, err)
	}
}
