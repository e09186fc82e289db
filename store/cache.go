package store

import (
	"sync"
)

// cache remembers, per class, what the first read of the class learned about
// its stored records: which ones cannot be decoded (damaged: every read skips
// them) and which ones are valid but not in the form encodeRecord writes
// (irregular: reads decode them whole). It holds no record values: queries
// read bbolt's memory map in place (see scan.go), so a class is never held
// whole in the Go heap and the first query after a restart decodes nothing
// it does not need.
//
// Records written by this process are always regular, so a class's
// knowledge only changes when a write replaces or removes a known record, or
// when Import replaces everything.
type cache struct {
	mu      sync.Mutex
	gen     uint64 // bumped by Import: checks begun before it are dropped
	classes map[string]*classState
}

// classState is what a check of a class found. It is never modified once
// published (a change publishes a copy), so scans read it without a lock.
type classState struct {
	special map[string]bool // objectId -> true: damaged (skipped), false: irregular
}

// change is one effect of a committed write on the cache.
type change struct {
	class string
	put   *record // insert or replace
	del   string  // objectId removed
	reset bool    // Import: drop what is known of every class
}

func newCache() *cache { return &cache{classes: map[string]*classState{}} }

// state returns what is known of class (nil: it has not been checked yet)
// and the generation to pass to publish after checking it.
func (c *cache) state(class string) (*classState, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.classes[class], c.gen
}

// publish records the result of checking class, unless an Import happened
// since the check began (gen is then stale) or another check got there first.
func (c *cache) publish(class string, gen uint64, st *classState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && c.classes[class] == nil {
		c.classes[class] = st
	}
}

// apply records the changes of committed transaction txid: a replaced or
// removed record is no longer special (every write stores the regular form).
func (c *cache) apply(txid uint64, changes []change) {
	_ = txid // states do not depend on the order of commits
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range changes {
		if ch.reset {
			c.classes = map[string]*classState{}
			c.gen++
			continue
		}
		st := c.classes[ch.class]
		if st == nil || len(st.special) == 0 {
			continue
		}
		id := ch.del
		if ch.put != nil {
			id = ch.put.id
		}
		if _, ok := st.special[id]; !ok {
			continue
		}
		next := make(map[string]bool, len(st.special))
		for k, v := range st.special {
			if k != id {
				next[k] = v
			}
		}
		c.classes[ch.class] = &classState{special: next}
	}
}
