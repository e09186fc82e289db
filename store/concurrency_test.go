package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

func TestConcurrentInserts(t *testing.T) {
	s, path := openTest(t)
	const workers, each = 64, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.Create(context.Background(), "Log", map[string]any{"w": float64(w), "i": float64(i)}); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	check := func(s Store, when string) {
		res, err := s.Find(context.Background(), "Log", Query{Limit: 0, Count: true})
		if err != nil || res.Count != workers*each {
			t.Fatalf("%s: count %d, %v; want %d", when, res.Count, err, workers*each)
		}
		seen := map[string]bool{}
		for w := 0; w < workers; w++ {
			res, err := s.Find(context.Background(), "Log", Query{Limit: -1, Where: map[string]any{"w": float64(w)}, Order: []string{"i"}})
			if err != nil || len(res.Results) != each {
				t.Fatalf("%s: worker %d has %d rows, %v", when, w, len(res.Results), err)
			}
			for i, r := range res.Results {
				if r["i"] != float64(i) {
					t.Fatalf("%s: worker %d row %d = %v", when, w, i, r["i"])
				}
				seen[fmt.Sprint(r["objectId"])] = true
			}
		}
		if len(seen) != workers*each {
			t.Fatalf("%s: %d distinct objectIds, want %d", when, len(seen), workers*each)
		}
	}
	check(s, "cache")
	s.Close()
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	check(s2, "after reopen")
}

// TestConcurrentIncrements updates one object from many goroutines: every
// increment must land, in bbolt and in the cache (whose commit handlers may
// run out of order).
func TestConcurrentIncrements(t *testing.T) {
	s, path := openTest(t)
	ctx := context.Background()
	// Load the class into the cache first so updates go through apply.
	id := mustCreate(t, s, "Counter", map[string]any{"n": 0.0})
	mustGet(t, s, "Counter", id)
	const workers, each = 32, 10
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.Update(ctx, "Counter", id, map[string]any{"n": map[string]any{"__op": "Increment", "amount": 1.0}}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if got := mustGet(t, s, "Counter", id)["n"]; got != float64(workers*each) {
		t.Errorf("cache n = %v, want %d", got, workers*each)
	}
	s.Close()
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got := mustGet(t, s2, "Counter", id)["n"]; got != float64(workers*each) {
		t.Errorf("stored n = %v, want %d", got, workers*each)
	}
}

// TestCacheFollowsEveryWrite mixes creates, updates and deletes from many
// goroutines, then compares the cache with a fresh load from bbolt.
func TestCacheFollowsEveryWrite(t *testing.T) {
	s, path := openTest(t)
	ctx := context.Background()
	mustCreate(t, s, "Mix", map[string]any{"v": 0.0})
	if _, err := s.Find(ctx, "Mix", Query{Limit: -1}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				id := mustCreate(t, s, "Mix", map[string]any{"v": float64(i)})
				if _, err := s.Update(ctx, "Mix", id, map[string]any{"v": float64(w*100 + i)}); err != nil {
					t.Error(err)
				}
				if i%3 == 0 {
					if err := s.Delete(ctx, "Mix", id); err != nil {
						t.Error(err)
					}
				}
			}
		}(w)
	}
	wg.Wait()
	cached, err := s.Find(ctx, "Mix", Query{Limit: MaxLimit, Count: true})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	fresh, err := s2.Find(ctx, "Mix", Query{Limit: MaxLimit, Count: true})
	if err != nil {
		t.Fatal(err)
	}
	if cached.Count != 1+16*10 || !deepEqual(jsonRoundTrip(t, cached.Results), jsonRoundTrip(t, fresh.Results)) {
		t.Errorf("cache (%d rows) differs from bbolt (%d rows)", cached.Count, fresh.Count)
	}
}

func jsonRoundTrip(t *testing.T, v any) any {
	var out any
	if err := jsonUnmarshal([]byte(jsonText(v)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}
