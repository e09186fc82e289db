package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// A backup taken while writers commit is a usable database holding a prefix of
// their writes: every object of a committed write, none half-written.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "live.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if _, err := s.Create(ctx, "Item", map[string]any{"w": w, "i": i, "pair": fmt.Sprint(w, "-", i)}); err != nil {
					t.Error(err)
					return
				}
			}
		}(w)
	}
	var buf bytes.Buffer
	n, err := Backup(ctx, s, &buf)
	wg.Wait()
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("backup: %d bytes, %v", n, err)
	}
	copyPath := filepath.Join(dir, "copy.db")
	if err := os.WriteFile(copyPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Open(copyPath, Options{})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer c.Close()
	res, err := c.Find(ctx, "Item", Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Results {
		if o["pair"] != fmt.Sprint(o["w"], "-", o["i"]) {
			t.Fatalf("a half-written object in the backup: %v", o)
		}
	}
	// A backup after the writers finished holds every object.
	buf.Reset()
	if _, err := Backup(ctx, s, &buf); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(copyPath+"2", buf.Bytes(), 0o600)
	c2, err := Open(copyPath+"2", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	all, err := c2.Find(ctx, "Item", Query{Limit: 1000, Count: true})
	if err != nil || len(all.Results) != 200 {
		t.Fatalf("full backup: %d objects, %v", len(all.Results), err)
	}
}
