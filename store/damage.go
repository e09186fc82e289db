package store

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// MaxNesting is how deeply objects and arrays may nest inside one field
// value: {"a":{"b":[1]}} is 3 levels. Deeper values are refused at write time
// with error 107 (Bmob documents no limit; 100 is far beyond real data and far
// below the depth at which decoding a stored record would fail).
const MaxNesting = 100

// ErrDamaged marks a failure caused by a damaged database file (bbolt
// panicked reading it, or a stored record cannot be decoded).
var ErrDamaged = errors.New("database damaged")

// DamagedRecord names a stored object that could not be read back; reads of
// its class and exports skip it.
type DamagedRecord struct {
	Class    string `json:"class"`
	ObjectID string `json:"objectId"`
	Reason   string `json:"reason"`
}

// DamageReporter is implemented by stores that skip damaged records: Damaged
// lists those seen so far, by class and objectId.
type DamageReporter interface {
	Damaged() []DamagedRecord
}

// nestingDepth is how deeply objects and arrays nest in v (a scalar is 0),
// counting no further than limit+1 (so a 10,000-level value costs little).
func nestingDepth(v any, limit int) int {
	var inner int
	switch v.(type) {
	case map[string]any, []any:
		if limit <= 0 {
			return 1
		}
	}
	switch t := v.(type) {
	case map[string]any:
		for _, e := range t {
			if inner = max(inner, nestingDepth(e, limit-1)); inner > limit {
				break
			}
		}
	case []any:
		for _, e := range t {
			if inner = max(inner, nestingDepth(e, limit-1)); inner > limit {
				break
			}
		}
	default:
		return 0
	}
	return inner + 1
}

// checkNesting refuses a record whose field values nest deeper than MaxNesting.
func checkNesting(fields map[string]any) error {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if nestingDepth(fields[k], MaxNesting) > MaxNesting {
			return Errorf(107, "invalid json: the value of %s nests objects and arrays deeper than %d levels.", k, MaxNesting)
		}
	}
	return nil
}

// damageLog remembers the damaged records reads have skipped and reports each
// once.
type damageLog struct {
	mu   sync.Mutex
	seen map[string]DamagedRecord
	log  func(level, line string)
}

func (d *damageLog) note(class, id string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	key := class + "/" + id
	if _, ok := d.seen[key]; ok {
		return
	}
	if d.seen == nil {
		d.seen = map[string]DamagedRecord{}
	}
	d.seen[key] = DamagedRecord{Class: class, ObjectID: id, Reason: err.Error()}
	if d.log != nil {
		d.log("error", fmt.Sprintf("skipping damaged object %s/%s (reads of %s and exports leave it out; delete it or run bmobemu data check): %v", class, id, class, err))
	}
}

func (d *damageLog) list() []DamagedRecord {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]DamagedRecord, 0, len(d.seen))
	for _, r := range d.seen {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Class != out[j].Class {
			return out[i].Class < out[j].Class
		}
		return out[i].ObjectID < out[j].ObjectID
	})
	return out
}

// Damaged implements DamageReporter.
func (s *boltStore) Damaged() []DamagedRecord { return s.damage.list() }

// contained runs fn so that a panic inside bbolt (a damaged page: a bad page
// type, an offset out of range, a fault in the memory map) becomes an
// ErrDamaged error instead of ending the process. bbolt rolls the transaction
// back when fn returns the error.
func contained(fn func(tx *bolt.Tx) error) func(tx *bolt.Tx) error {
	return func(tx *bolt.Tx) (err error) {
		// A read past the end of the map faults; make that a panic we can catch.
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%w: %v (run bmobemu data check)", ErrDamaged, p)
			}
		}()
		return fn(tx)
	}
}

// updateDB is db.Update with bbolt panics contained.
func updateDB(db *bolt.DB, fn func(tx *bolt.Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v (run bmobemu data check)", ErrDamaged, p)
		}
	}()
	return db.Update(contained(fn))
}

// view is db.View with bbolt panics contained.
func (s *boltStore) view(fn func(tx *bolt.Tx) error) error { return viewDB(s.db, fn) }

func viewDB(db *bolt.DB, fn func(tx *bolt.Tx) error) (err error) {
	defer func() { // a panic while beginning the transaction (damaged meta or freelist)
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v (run bmobemu data check)", ErrDamaged, p)
		}
	}()
	return db.View(contained(fn))
}
