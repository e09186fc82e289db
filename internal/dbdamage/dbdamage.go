// Package dbdamage damages a bmobemu bbolt file the way a bad disk sector
// does, for tests of how the store, the server and the CLI survive it.
package dbdamage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// LeafPage overwrites one leaf page in the middle of class's B+tree with fill
// bytes, leaving the file's meta pages (its header) intact. The class must
// span several pages (a few hundred objects of a few hundred bytes).
func LeafPage(path, class string, fill byte) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("damaging %s: %w", path, err)
	}
	var root uint64
	err = db.View(func(tx *bolt.Tx) error {
		classes := tx.Bucket([]byte("classes"))
		if classes == nil || classes.Bucket([]byte(class)) == nil {
			return fmt.Errorf("no class %s", class)
		}
		root = uint64(classes.Bucket([]byte(class)).Root())
		return nil
	})
	pageSize := db.Info().PageSize
	_ = db.Close()
	if err != nil {
		return fmt.Errorf("damaging %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("damaging %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, pageSize)
	if _, err := f.ReadAt(head, int64(root)*int64(pageSize)); err != nil {
		return fmt.Errorf("damaging %s: %w", path, err)
	}
	const branchFlag = 0x01
	flags, count := binary.LittleEndian.Uint16(head[8:]), int(binary.LittleEndian.Uint16(head[10:]))
	if flags&branchFlag == 0 || count < 3 {
		return fmt.Errorf("damaging %s: class %s's root page %d is not a branch with children (flags %x, count %d): add more objects", path, class, root, flags, count)
	}
	// Branch elements follow the 16-byte page header: pos, ksize (uint32), pgid (uint64).
	child := binary.LittleEndian.Uint64(head[16+(count/2)*16+8:])
	if _, err := f.WriteAt(bytes.Repeat([]byte{fill}, pageSize), int64(child)*int64(pageSize)); err != nil {
		return fmt.Errorf("damaging %s: %w", path, err)
	}
	return f.Sync()
}
