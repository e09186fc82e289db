package paysim

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// KeysFile is where the sandbox keys of a db are kept: beside it.
func KeysFile(dbPath string) string { return dbPath + ".sandbox.json" }

// KeySet is the content of a keys file: a JSON object with one part per
// provider, each owned by its provider (paysim/builtin has the built-in ones).
type KeySet interface {
	// Generate makes a fresh set.
	Generate() error
	// Check fills what is derived from the JSON (parsed keys) and reports a
	// part that is missing or unreadable.
	Check() error
}

// LoadOrCreateKeyFile reads the keys file at path into keys, or, when there is
// none, generates keys and writes them there with mode 0600. Once made, a keys
// file never changes, so pasted configs keep working. keys must be a pointer
// that encoding/json can fill.
func LoadOrCreateKeyFile(path string, keys KeySet) error {
	data, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(data, keys); err != nil {
			return fmt.Errorf("reading sandbox keys %s (delete it to make new keys): %w", path, err)
		}
		if err := keys.Check(); err != nil {
			return fmt.Errorf("reading sandbox keys %s (delete it to make new keys): %w", path, err)
		}
		return nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("reading sandbox keys: %w", err)
	}
	if err := keys.Generate(); err != nil {
		return err
	}
	out, err := json.MarshalIndent(keys, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding sandbox keys: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing sandbox keys: %w", err)
	}
	// O_EXCL: two processes starting at once must not each write their own keys.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateKeyFile(path, keys)
	}
	if err != nil {
		return fmt.Errorf("writing sandbox keys: %w", err)
	}
	if _, err := f.Write(append(out, '\n')); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return fmt.Errorf("writing sandbox keys %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("writing sandbox keys %s: %w", path, err)
	}
	return nil
}
