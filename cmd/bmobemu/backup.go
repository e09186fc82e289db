package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/server"
	"github.com/bmobemu/bmobemu/store"
)

// dataBackup is `bmobemu data backup`: a consistent copy of a running
// server's db, fetched from the server (which holds the file's lock) with the
// master key, checked, then moved into place.
func dataBackup(ctx context.Context, inv invocation) error {
	fs := newFlagSet("data backup")
	addr := fs.String("addr", defaultAddr, "address of the running bmobemu serve")
	db := fs.String("db", defaultDB, "the served db: its master key is read from <db>.keys.json")
	masterKey := fs.String("master-key", os.Getenv("BMOBEMU_MASTER_KEY"), "the server's master key (env BMOBEMU_MASTER_KEY; default: from <db>.keys.json)")
	out := fs.String("out", "", "file to write (required; replaced only once the copy is complete and checked)")
	export := fs.Bool("export", false, "write the JSON of data export instead of a bbolt file")
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("backup: --out FILE is required")
	}
	key := *masterKey
	if key == "" {
		k, err := emulator.ReadKeys(*db)
		if err != nil {
			return fmt.Errorf("backup: no --master-key, and %w", err)
		}
		key = k.MasterKey
	}
	base := *addr
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	url := base + server.BackupPath
	if *export {
		url += "?format=export"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	req.Header.Set("X-Bmob-Master-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("backup: is bmobemu serve running at %s? %w", *addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		text, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("backup: %s answered HTTP %d: %s", url, resp.StatusCode, strings.TrimSpace(string(text)))
	}
	n, err := writeChecked(resp.Body, *out, *export)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", *out, err)
	}
	fmt.Fprintf(inv.stdout, "backed up %s to %s (%d bytes)\n", base, *out, n)
	return nil
}

// writeChecked copies r to a temporary file beside path, checks that it is a
// whole bbolt db (or export) and renames it to path: an existing file is never
// replaced by a broken copy.
func writeChecked(r io.Reader, path string, export bool) (n int64, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if n, err = io.Copy(tmp, r); err != nil {
		return n, fmt.Errorf("receiving the copy: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return n, err
	}
	if err = tmp.Close(); err != nil {
		return n, err
	}
	if err = checkCopy(tmp.Name(), export); err != nil {
		return n, fmt.Errorf("the copy received is not usable (nothing was written): %w", err)
	}
	return n, os.Rename(tmp.Name(), path)
}

func checkCopy(path string, export bool) error {
	if export {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		var doc struct {
			Format string `json:"format"`
		}
		if err := json.NewDecoder(f).Decode(&doc); err != nil {
			return err
		}
		if doc.Format != store.ExportFormat {
			return fmt.Errorf("format %q, want %q", doc.Format, store.ExportFormat)
		}
		return nil
	}
	st, err := store.Open(path, store.Options{})
	if err != nil {
		return err
	}
	if _, err := st.Classes(context.Background()); err != nil {
		_ = st.Close()
		return err
	}
	return st.Close()
}
