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
	// StateKeys lists the keys that start with prefix, in byte order.
	StateKeys(prefix string) ([]string, error)
	// SaveStates keeps each value under its key (a nil value removes the
	// key), durably, in one transaction.
	SaveStates(values map[string][]byte) error
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

// SaveStates implements StateKeeper.
func (s *boltStore) SaveStates(values map[string][]byte) error {
	err := updateDB(s.db, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(stateBucket)
		if err != nil {
			return err
		}
		for k, v := range values {
			if v == nil {
				err = b.Delete([]byte(k))
			} else {
				err = b.Put([]byte(k), v)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save sandbox state: %w", err)
	}
	return nil
}

// StateKeys lists the keys kept under prefix, in order.
func (s *boltStore) StateKeys(prefix string) ([]string, error) {
	var keys []string
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(stateBucket)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.Seek([]byte(prefix)); k != nil && bytes.HasPrefix(k, []byte(prefix)); k, _ = c.Next() {
			keys = append(keys, string(k))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", prefix, err)
	}
	return keys, nil
}
