package runtime

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

// A caller whose deadline runs out while it waits for a VM (here: while its
// VM's slow top level runs) is busy, and costs nothing: the VM it waited for
// is kept, not thrown away by an instant timeout (issue 11, item 12).
func TestDeadlineSpentWaitingIsBusyAndKeepsTheVM(t *testing.T) {
	var made atomic.Int32
	e, err := New(Options{Registry: modules.NewRegistry(), Env: &modules.Env{Profile: modules.Compat},
		Timeout: time.Second, PoolSize: 1,
		Setup: func(*goja.Runtime) error { made.Add(1); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	f := compile(t, e, "slow", `var t0 = Date.now(); while (Date.now() - t0 < 700) {}
		function onRequest(request, response) { if (request.query.spin) for (;;) {} response.send('ok') }`)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // holds the only VM to its deadline; the VM is then thrown away
		defer wg.Done()
		if r := call(t, f, get(fncall.Pair{Key: "spin", Value: "1"})); r.Status != 504 {
			t.Errorf("spinning call: %d %q", r.Status, r.Body)
		}
	}()
	time.Sleep(500 * time.Millisecond)
	// Waits for the slot (until ~1 s), then for a new VM's top level (~0.7 s):
	// its own deadline (~1.5 s) passes meanwhile.
	resp, err := f.Invoke(context.Background(), get())
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("waiting caller: %v %v, want ErrBusy", resp, err)
	}
	wg.Wait()
	if r := call(t, f, get()); r.Status != 200 || string(r.Body) != "ok" {
		t.Fatalf("next call: %d %q", r.Status, r.Body)
	}
	if n := made.Load(); n != 2 {
		t.Fatalf("%d VMs made, want 2 (the busy caller's VM served the next call)", n)
	}
}
