package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// stateBucket holds the payment sandbox's records (trades, notifies and their
// attempts), apart from the app's classes: no REST route, query or export
// reaches it.
var stateBucket = []byte("sandbox")

// StateKeeper is implemented by stores that keep opaque state values for
// bmobemu itself (the payment sandbox), beside the app's data.
type StateKeeper interface {
	// LoadState returns the value kept under key (nil when there is none).
	LoadState(key string) ([]byte, error)
	// SaveState keeps value under key, durably, replacing what was there.
	SaveState(key string, value []byte) error
}

// LoadState implements StateKeeper.
func (s *boltStore) LoadState(key string) ([]byte, error) {
	var out []byte
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(stateBucket); b != nil {
			out = bytes.Clone(b.Get([]byte(key)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", key, err)
	}
	return out, nil
}

// SaveState implements StateKeeper.
func (s *boltStore) SaveState(key string, value []byte) error {
	err := updateDB(s.db, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(stateBucket)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), value)
	})
	if err != nil {
		return fmt.Errorf("save %s: %w", key, err)
	}
	return nil
}
