package store

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Options configure Open. The zero value is ready to use.
type Options struct {
	// Now is the clock for createdAt and updatedAt (default time.Now). A test clock
	// plugs in here.
	Now func() time.Time
	// Random is the source of objectIds (default crypto/rand).
	Random io.Reader
	// LockTimeout is how long Open waits for another process's lock on the file
	// (default 1s).
	LockTimeout time.Duration
	// NoSync skips fsync on commit: for throwaway stores (handler tests), where a
	// crash may lose data and nothing else matters.
	NoSync bool
	// PasswordIterations is the PBKDF2 work factor of new password hashes
	// (default DefaultPasswordIterations; tests may lower it).
	PasswordIterations int
	// Log receives a line for each damaged record a read skips (nil: nowhere).
	Log func(level, line string)
}

// Bucket layout: one nested bucket per class under classesBucket (key objectId,
// value an encoded record) and the field types of each class under schemaBucket
// (key class name, value a JSON object field -> type name).
var (
	classesBucket = []byte("classes")
	schemaBucket  = []byte("schema")
)

// base is what every engine shares: the clock, the random source of
// objectIds, tokens and salts, and the password work factor.
type base struct {
	now func() time.Time

	randMu sync.Mutex // Options.Random need not be safe for concurrent use
	random io.Reader

	iterations int // PBKDF2 work factor of new password hashes
}

// withDefaults fills the zero fields of opt.
func (opt Options) withDefaults() Options {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Random == nil {
		opt.Random = rand.Reader
	}
	if opt.LockTimeout <= 0 {
		opt.LockTimeout = time.Second
	}
	if opt.PasswordIterations <= 0 {
		opt.PasswordIterations = DefaultPasswordIterations
	}
	return opt
}

func newBase(opt Options) base {
	return base{now: opt.Now, random: opt.Random, iterations: opt.PasswordIterations}
}

// boltStore is the bbolt engine of Store.
type boltStore struct {
	base
	db    *bolt.DB
	path  string
	cache *cache

	// damage remembers the damaged records reads skipped.
	damage *damageLog

	// commits is the group commit every write goes through.
	commits *committer

	// schemas saves writes decoding their class's schema again.
	schemas *schemaCache
}

// bbolt's meta page starts after a 16-byte page header with this magic number
// and version; checking them first means Open never touches a foreign file.
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	pageHeaderBytes = 16
)

// Open opens (or creates) the bbolt database at path. A file locked by another
// process, or one that is not a bbolt database, gives a clear error and is left
// untouched.
func Open(path string, opt Options) (Store, error) {
	opt = opt.withDefaults()
	if err := checkBoltFile(path); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opt.LockTimeout})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("open database %s: the file is locked; another bmobemu may be using it (waited %s): %w", path, opt.LockTimeout, err)
		}
		return nil, fmt.Errorf("open database %s: not a usable bbolt database file (it was not modified): %w", path, err)
	}
	db.NoSync = opt.NoSync
	if err := updateDB(db, func(tx *bolt.Tx) error {
		for _, b := range [][]byte{classesBucket, schemaBucket, passwordsBucket, sessionsBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if tx.Bucket(uniqueBucket) == nil { // a database from before the index
			return reindexUnique(tx, false)
		}
		return nil
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: create buckets: %w", path, err)
	}
	return &boltStore{base: newBase(opt), db: db, path: path, cache: newCache(), damage: &damageLog{log: opt.Log}, commits: newCommitter(db), schemas: newSchemaCache()}, nil
}

// checkBoltFile rejects an existing non-empty file whose first page is not a
// bbolt meta page, before bbolt opens (and might lock or grow) it.
func checkBoltFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, pageHeaderBytes+8)
	n, err := io.ReadFull(f, head)
	if n == 0 && (err == io.EOF) {
		return nil // empty file: bbolt initialises it
	}
	if err != nil {
		return fmt.Errorf("open database %s: not a bbolt database file (too short; it was not modified)", path)
	}
	magic := binary.LittleEndian.Uint32(head[pageHeaderBytes:])
	version := binary.LittleEndian.Uint32(head[pageHeaderBytes+4:])
	if magic != boltMagic || version != boltVersion {
		if bytes.HasPrefix(head, []byte("{")) {
			return fmt.Errorf("open database %s: this is a JSON file, not a bbolt database (an export? use data import); it was not modified", path)
		}
		return fmt.Errorf("open database %s: not a bbolt database file (bad magic or version; it was not modified)", path)
	}
	return nil
}

// Close releases the database file.
func (s *boltStore) Close() error {
	s.commits.close() // queued writes commit first
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close database %s: %w", s.path, err)
	}
	return nil
}

// newObjectID returns 10 lowercase hex characters.
func (s *base) newObjectID() (string, error) {
	var b [5]byte
	s.randMu.Lock()
	_, err := io.ReadFull(s.random, b[:])
	s.randMu.Unlock()
	if err != nil {
		return "", fmt.Errorf("generate objectId: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
