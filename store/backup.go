package store

import (
	"context"
	"errors"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

// Backuper is a store that can copy its whole database while it keeps serving.
type Backuper interface {
	// Backup writes a consistent copy of the database file (a bbolt file that
	// Open accepts) to w, from one read transaction: writers carry on meanwhile
	// and none of their commits is half in the copy. It returns the bytes written.
	Backup(ctx context.Context, w io.Writer) (int64, error)
}

// ErrNoBackup is returned by Backup for a store that cannot copy itself.
var ErrNoBackup = errors.New("this store cannot be backed up while open")

// Backup writes a consistent copy of s's database to w (see Backuper).
func Backup(ctx context.Context, s Store, w io.Writer) (int64, error) {
	b, ok := s.(Backuper)
	if !ok {
		return 0, ErrNoBackup
	}
	return b.Backup(ctx, w)
}

// Backup implements Backuper with bbolt's Tx.WriteTo.
func (s *boltStore) Backup(ctx context.Context, w io.Writer) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup of %s: %w", s.path, err)
	}
	return n, nil
}
