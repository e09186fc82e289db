package store

import (
	"fmt"
	"sort"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// cache keeps a decoded copy of each class that has been read, so queries scan
// memory instead of decoding bbolt values. A class is loaded lazily from a bbolt
// read transaction and then kept current by the commit handlers of every write.
//
// bbolt runs commit handlers after releasing its writer lock, so handlers of
// consecutive transactions may run out of order. Each change therefore carries
// its transaction id: a record is only replaced by a newer version, a delete
// leaves a tombstone that older puts respect, and a class ignores changes from
// transactions its load already saw.
type cache struct {
	mu      sync.RWMutex
	classes map[string]*classCache
}

type classCache struct {
	base    uint64 // txid of the read that loaded it
	byID    map[string]*record
	list    []*record         // sorted by (created, id): the default order
	deleted map[string]uint64 // objectId -> txid of its delete
}

// change is one effect of a committed write on the cache.
type change struct {
	class string
	put   *record // insert or replace
	del   string  // objectId removed
	reset bool    // Import: drop every loaded class
}

func newCache() *cache { return &cache{classes: map[string]*classCache{}} }

// class returns the cached class, loading it from db on first use. The caller
// must not modify it and must hold c.mu for reading while using it; the
// returned unlock releases that.
func (c *cache) class(db *bolt.DB, name string, damage *damageLog) (*classCache, func(), error) {
	c.mu.RLock()
	if cc := c.classes[name]; cc != nil {
		return cc, c.mu.RUnlock, nil
	}
	c.mu.RUnlock()
	c.mu.Lock()
	if c.classes[name] == nil {
		cc, err := loadClass(db, name, damage)
		if err != nil {
			c.mu.Unlock()
			return nil, nil, err
		}
		c.classes[name] = cc
	}
	c.mu.Unlock()
	// Re-enter for reading; a reset may have dropped it meanwhile, so retry.
	return c.class(db, name, damage)
}

// loadClass reads a class; a record that cannot be decoded is skipped and
// noted in damage, so one bad record cannot break reads of its class.
func loadClass(db *bolt.DB, name string, damage *damageLog) (*classCache, error) {
	cc := &classCache{byID: map[string]*record{}, deleted: map[string]uint64{}}
	err := viewDB(db, func(tx *bolt.Tx) error {
		cc.base = uint64(tx.ID())
		b := tx.Bucket(classesBucket).Bucket([]byte(name))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			r, err := decodeRecord(string(k), v)
			if err != nil {
				damage.note(name, string(k), err)
				return nil
			}
			r.ver = cc.base
			cc.byID[r.id] = r
			cc.list = append(cc.list, r)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("load class %s: %w", name, err)
	}
	sort.Slice(cc.list, func(i, j int) bool { return before(cc.list[i], cc.list[j]) })
	return cc, nil
}

func before(a, b *record) bool {
	if !a.created.Equal(b.created) {
		return a.created.Before(b.created)
	}
	return a.id < b.id
}

// apply records the changes of committed transaction txid.
func (c *cache) apply(txid uint64, changes []change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range changes {
		if ch.reset {
			c.classes = map[string]*classCache{}
			continue
		}
		cc := c.classes[ch.class]
		if cc == nil || txid <= cc.base {
			continue // not loaded, or its load already saw this write
		}
		if ch.put != nil {
			cc.put(txid, ch.put)
		} else {
			cc.remove(txid, ch.del)
		}
	}
}

func (cc *classCache) put(txid uint64, r *record) {
	if t, dead := cc.deleted[r.id]; dead && t >= txid {
		return
	}
	r.ver = txid
	old := cc.byID[r.id]
	if old != nil && old.ver > txid {
		return
	}
	cc.byID[r.id] = r
	if old != nil {
		i := cc.index(old)
		if i >= 0 {
			cc.list[i] = r
			return
		}
	}
	i := sort.Search(len(cc.list), func(i int) bool { return before(r, cc.list[i]) })
	cc.list = append(cc.list, nil)
	copy(cc.list[i+1:], cc.list[i:])
	cc.list[i] = r
}

func (cc *classCache) remove(txid uint64, id string) {
	cc.deleted[id] = txid
	old := cc.byID[id]
	if old == nil {
		return
	}
	delete(cc.byID, id)
	if i := cc.index(old); i >= 0 {
		cc.list = append(cc.list[:i], cc.list[i+1:]...)
	}
}

// index finds r in the sorted list (its position is fixed by created and id,
// which never change).
func (cc *classCache) index(r *record) int {
	i := sort.Search(len(cc.list), func(i int) bool { return !before(cc.list[i], r) })
	if i < len(cc.list) && cc.list[i].id == r.id {
		return i
	}
	return -1
}
