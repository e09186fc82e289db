package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ClassHealth is what Check found in one class.
type ClassHealth struct {
	Name string
	// Readable is how many objects could be read and decoded.
	Readable int
	// Damaged are objects whose bytes were read but do not decode.
	Damaged []DamagedRecord
	// Unreadable, when set, says why part of the class could not be walked
	// (bbolt failed on a damaged page); Readable then counts what was reached.
	Unreadable string
}

// CheckReport is the result of Check.
type CheckReport struct {
	Path    string
	Classes []ClassHealth
	// Problems are findings outside the classes (other buckets, bbolt's own
	// page consistency check), in plain words.
	Problems []string
}

// OK reports whether nothing is wrong.
func (r CheckReport) OK() bool {
	if len(r.Problems) > 0 {
		return false
	}
	for _, c := range r.Classes {
		if len(c.Damaged) > 0 || c.Unreadable != "" {
			return false
		}
	}
	return true
}

// Check reads the whole database at path (opened read-only, so it works while
// nothing else holds the file's lock): every class and every object, then
// bbolt's page consistency check. A damaged page or record is reported, never
// fatal.
func Check(path string) (CheckReport, error) {
	rep := CheckReport{Path: path}
	db, err := openReadOnly(path)
	if err != nil {
		return rep, err
	}
	defer db.Close()
	names, err := classNames(db)
	if err != nil {
		rep.Problems = append(rep.Problems, "the list of classes cannot be read: "+err.Error())
	}
	for _, name := range names {
		h := ClassHealth{Name: name}
		rows, why := readClass(db, name)
		for _, row := range rows {
			if _, err := decodeRecord(row.id, row.value); err != nil {
				h.Damaged = append(h.Damaged, DamagedRecord{Class: name, ObjectID: row.id, Reason: err.Error()})
				continue
			}
			h.Readable++
		}
		h.Unreadable = why
		rep.Classes = append(rep.Classes, h)
	}
	for _, b := range [][]byte{schemaBucket, passwordsBucket, sessionsBucket, uniqueBucket, stateBucket} {
		if _, why := readBucket(db, func(tx *bolt.Tx) *bolt.Bucket { return tx.Bucket(b) }); why != "" {
			rep.Problems = append(rep.Problems, fmt.Sprintf("bucket %s: %s", b, why))
		}
	}
	if rep.OK() { // bbolt's own walk; skipped on damage it would trip over itself
		if err := viewDB(db, func(tx *bolt.Tx) error {
			for e := range tx.Check() {
				rep.Problems = append(rep.Problems, "page check: "+e.Error())
			}
			return nil
		}); err != nil {
			rep.Problems = append(rep.Problems, "page check: "+err.Error())
		}
	}
	return rep, nil
}

// SalvageReport is the result of Salvage.
type SalvageReport struct {
	Copied map[string]int // objects copied, by class
	Lost   CheckReport    // what could not be copied, as Check describes it
}

// Salvage copies every readable object of the database at src into a new
// database at dst (which must not exist): per class, the objects before and
// after a damaged page, skipping records that do not decode; the schema,
// password hashes and sessions as far as they are readable. The unique-field
// index is rebuilt when dst is first opened.
func Salvage(src, dst string) (SalvageReport, error) {
	rep := SalvageReport{Copied: map[string]int{}}
	if _, err := os.Stat(dst); err == nil {
		return rep, fmt.Errorf("salvage: %s already exists; give a new file", dst)
	}
	lost, err := Check(src)
	if err != nil {
		return rep, err
	}
	rep.Lost = lost
	in, err := openReadOnly(src)
	if err != nil {
		return rep, err
	}
	defer in.Close()
	out, err := bolt.Open(dst, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return rep, fmt.Errorf("salvage: create %s: %w", dst, err)
	}
	names, _ := classNames(in)
	err = out.Update(func(tx *bolt.Tx) error {
		classes, err := tx.CreateBucketIfNotExists(classesBucket)
		if err != nil {
			return err
		}
		for _, name := range names {
			rows, _ := readClass(in, name)
			b, err := classes.CreateBucketIfNotExists([]byte(name))
			if err != nil {
				return fmt.Errorf("class %s: %w", name, err)
			}
			for _, row := range rows {
				if _, err := decodeRecord(row.id, row.value); err != nil {
					continue
				}
				if err := b.Put([]byte(row.id), row.value); err != nil {
					return fmt.Errorf("class %s: %w", name, err)
				}
				rep.Copied[name]++
			}
		}
		for _, name := range [][]byte{schemaBucket, passwordsBucket, sessionsBucket, stateBucket} {
			rows, _ := readBucket(in, func(tx *bolt.Tx) *bolt.Bucket { return tx.Bucket(name) })
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			for _, row := range rows {
				if err := b.Put([]byte(row.id), row.value); err != nil {
					return fmt.Errorf("bucket %s: %w", name, err)
				}
			}
		}
		return nil
	})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(dst)
		return rep, fmt.Errorf("salvage into %s: %w", dst, err)
	}
	// Opening builds the unique index (and refuses nothing it wrote).
	st, err := Open(dst, Options{})
	if err != nil {
		return rep, fmt.Errorf("salvage: reopen %s: %w", dst, err)
	}
	return rep, st.Close()
}

func openReadOnly(path string) (*bolt.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := checkBoltFile(path); err != nil {
		return nil, err
	}
	var db *bolt.DB
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%w: %v", ErrDamaged, p)
			}
		}()
		db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
		return err
	}()
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("open database %s: the file is locked; stop the bmobemu using it first: %w", path, err)
		}
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

func classNames(db *bolt.DB) ([]string, error) {
	var names []string
	err := viewDB(db, func(tx *bolt.Tx) error {
		classes := tx.Bucket(classesBucket)
		if classes == nil {
			return nil
		}
		return classes.ForEachBucket(func(k []byte) error {
			names = append(names, string(k))
			return nil
		})
	})
	return names, err
}

// rawRow is one key and value as stored.
type rawRow struct {
	id    string
	value []byte
}

func readClass(db *bolt.DB, name string) ([]rawRow, string) {
	return readBucket(db, func(tx *bolt.Tx) *bolt.Bucket {
		if c := tx.Bucket(classesBucket); c != nil {
			return c.Bucket([]byte(name))
		}
		return nil
	})
}

// readBucket copies a bucket's plain key/value pairs, walking forward from
// the first key and, if a damaged page stops that walk, backward from the
// last, so the rows on both sides of the damage are kept. why says what
// stopped a walk ("" when none did).
func readBucket(db *bolt.DB, pick func(*bolt.Tx) *bolt.Bucket) ([]rawRow, string) {
	got := map[string][]byte{}
	walk := func(backward bool) error {
		return viewDB(db, func(tx *bolt.Tx) error {
			b := pick(tx)
			if b == nil {
				return nil
			}
			c := b.Cursor()
			first, next := c.First, c.Next
			if backward {
				first, next = c.Last, c.Prev
			}
			for k, v := first(); k != nil; k, v = next() {
				if v == nil { // a nested bucket
					continue
				}
				if _, seen := got[string(k)]; seen && backward {
					return nil // met the forward walk
				}
				got[string(k)] = bytes.Clone(v)
			}
			return nil
		})
	}
	why := ""
	if err := walk(false); err != nil {
		why = err.Error()
		if err := walk(true); err != nil {
			why += "; walking back from the end: " + err.Error()
		}
	}
	rows := make([]rawRow, 0, len(got))
	for k, v := range got {
		rows = append(rows, rawRow{id: k, value: v})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].id < rows[j].id })
	return rows, why
}
