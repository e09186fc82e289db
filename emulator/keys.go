package emulator

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bmobemu/bmobemu/internal/atomicfile"
	"github.com/bmobemu/bmobemu/restapi"
)

// Keys are the application's credentials; see restapi.Keys.
type Keys = restapi.Keys

// keysFile is where the keys are kept: beside the db.
func keysFile(dbPath string) string { return dbPath + ".keys.json" }

// LoadOrCreateKeys returns the keys kept beside the db, making the missing ones
// on first use (the application id, REST and master keys as 32 hex characters, the
// secret key and security code as 16) and writing them back, so a file that holds
// only secretKey (the format before app keys existed) keeps its secret key and
// gains the others. Non-empty fields of override win over the file and are not
// written to it.
func LoadOrCreateKeys(dbPath string, random io.Reader, override Keys) (Keys, error) {
	path := keysFile(dbPath)
	var k Keys
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(data, &k); err != nil {
			return Keys{}, fmt.Errorf("reading %s: not a bmobemu keys file (delete it to make new keys): %w", path, err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return Keys{}, fmt.Errorf("reading %s: %w", path, err)
	}
	changed := false
	for _, f := range []struct {
		v     *string
		bytes int
	}{{&k.SecretKey, 8}, {&k.AppID, 16}, {&k.RESTKey, 16}, {&k.MasterKey, 16}, {&k.SecurityCode, 8}} {
		if *f.v != "" {
			continue
		}
		b := make([]byte, f.bytes)
		if _, err := io.ReadFull(random, b); err != nil {
			return Keys{}, fmt.Errorf("making keys: %w", err)
		}
		*f.v = hex.EncodeToString(b)
		changed = true
	}
	if changed {
		out, _ := json.MarshalIndent(k, "", "  ")
		out = append(out, '\n')
		if data == nil {
			// A new file: created whole or not at all, so processes starting at once
			// on one state folder never read it half written, and all use the keys
			// of the first one.
			err := atomicfile.Create(path, out, 0o600)
			if errors.Is(err, atomicfile.ErrExists) {
				return LoadOrCreateKeys(dbPath, random, override)
			}
			if err != nil {
				return Keys{}, fmt.Errorf("writing %s: %w", path, err)
			}
		} else if err := atomicfile.Replace(path, out, 0o600); err != nil { // an older file gains its missing keys
			return Keys{}, fmt.Errorf("writing %s: %w", path, err)
		}
	}
	for _, f := range []struct{ dst, src *string }{
		{&k.AppID, &override.AppID}, {&k.RESTKey, &override.RESTKey}, {&k.MasterKey, &override.MasterKey},
		{&k.SecurityCode, &override.SecurityCode}, {&k.SecretKey, &override.SecretKey},
	} {
		if *f.src != "" {
			*f.dst = *f.src
		}
	}
	return k, nil
}

// LoadOrCreateSecret returns the secret key kept beside the db, making the keys
// file on first use.
func LoadOrCreateSecret(dbPath string, random io.Reader) (string, error) {
	k, err := LoadOrCreateKeys(dbPath, random, Keys{})
	return k.SecretKey, err
}

// ReadKeys returns the keys kept beside the db without making any: a missing
// file is an error that says so.
func ReadKeys(dbPath string) (Keys, error) {
	path := keysFile(dbPath)
	data, err := os.ReadFile(path)
	if err != nil {
		return Keys{}, fmt.Errorf("reading the keys of %s: %w", dbPath, err)
	}
	var k Keys
	if err := json.Unmarshal(data, &k); err != nil {
		return Keys{}, fmt.Errorf("reading %s: not a bmobemu keys file: %w", path, err)
	}
	return k, nil
}
