package runtime

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// DefaultMemoryLimit is the heap scripts may fill together before the calls
// running script code are stopped (see memoryWatch).
const DefaultMemoryLimit = 1 << 30

// memoryCheckEvery is how often the watchdog samples the heap: at the ~200 MB/s a
// runaway loop allocates, the heap passes the limit by a few MB per running call.
const memoryCheckEvery = 20 * time.Millisecond

// errMemoryLimit interrupts the VMs running when the heap passed the limit.
var errMemoryLimit = errors.New("memory limit exceeded")

// memoryWatch is the scripts' memory budget. goja keeps no account of what one
// VM allocates, so the budget is the process's live heap: while any script
// runs, a watchdog samples the heap (runtime/metrics, no stop-the-world); when
// it passes the limit it forces a collection (garbage does not count), and if
// the heap is still over, it interrupts every VM running script code at that
// moment: every call in progress (a runaway one is, by construction, among
// them). Those calls end with an error naming the limit and their VMs are
// thrown away, so what they held becomes garbage, and the memory is handed back
// to the OS. Like an OOM killer, it may stop an innocent call that ran beside
// the runaway one; the server and every later call go on.
type memoryWatch struct {
	limit uint64

	mu       sync.Mutex
	running  map[*vu]bool // VMs of calls in progress -> interrupted for memory
	watching bool         // the watchdog goroutine runs (it ends itself when nothing runs)
}

func newMemoryWatch(limit uint64) *memoryWatch {
	return &memoryWatch{limit: limit, running: map[*vu]bool{}}
}

// enter marks v as running script code; the watchdog runs while any VM does.
func (m *memoryWatch) enter(v *vu) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.running[v] = false
	if !m.watching {
		m.watching = true
		go m.watch()
	}
}

// leave marks v as done with its call and reports whether the watchdog
// interrupted it (then its interrupt may still be pending: the VM is not reused).
func (m *memoryWatch) leave(v *vu) (hit bool) {
	if m == nil {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	hit = m.running[v]
	delete(m.running, v)
	return hit
}

// watch samples the heap until a tick finds no call running. It ends itself
// rather than being stopped by leave, so calls coming one after another do not
// start and stop a goroutine and a ticker each.
func (m *memoryWatch) watch() {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heap := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	tick := time.NewTicker(memoryCheckEvery)
	defer tick.Stop()
	for range tick.C {
		m.mu.Lock()
		if len(m.running) == 0 {
			m.watching = false
			m.mu.Unlock()
			return
		}
		m.mu.Unlock()
		if heap() <= m.limit {
			continue
		}
		runtime.GC() // dead objects count until swept: only live ones matter
		if heap() <= m.limit {
			continue
		}
		m.mu.Lock()
		for v := range m.running {
			v.interrupt(errMemoryLimit)
			m.running[v] = true
		}
		m.mu.Unlock()
		// Give the stopped calls a moment to drop their VMs, then return the
		// memory to the OS.
		time.AfterFunc(200*time.Millisecond, debug.FreeOSMemory)
	}
}

// text names the limit for error answers and logs.
func (m *memoryWatch) text() string {
	return fmt.Sprintf("%d MB (--memory-limit)", m.limit>>20)
}
