package paysim

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/bmobemu/bmobemu/internal/atomicfile"
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
	// Created whole or not at all: two processes starting at once must not each
	// write their own keys, nor read the other's half written.
	err = atomicfile.Create(path, append(out, '\n'), 0o600)
	if errors.Is(err, atomicfile.ErrExists) {
		return LoadOrCreateKeyFile(path, keys)
	}
	if err != nil {
		return fmt.Errorf("writing sandbox keys: %w", err)
	}
	return nil
}
