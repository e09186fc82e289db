package jstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/dop251/goja"
)

// snapshots are one test file's stored snapshots, kept beside it in
// <file>.snap.json: a JSON object from "<test name> › <snapshot name>" to the
// value, indented and with sorted keys so that it reads and diffs well in review.
// A snapshot not stored yet is written; with update set, differing ones are
// rewritten instead of failing.
type snapshots struct {
	path    string
	update  bool
	loaded  bool
	entries map[string]json.RawMessage
	dirty   bool
	written int // new or rewritten entries
}

func newSnapshots(path string, update bool) *snapshots {
	return &snapshots{path: path, update: update}
}

func (s *snapshots) load() error {
	if s.loaded {
		return nil
	}
	s.loaded = true
	s.entries = map[string]json.RawMessage{}
	data, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading snapshots: %w", err)
	}
	if err := json.Unmarshal(data, &s.entries); err != nil {
		return fmt.Errorf("reading snapshots %s: %w (fix or delete the file, or run with --update-snapshots)", s.path, err)
	}
	return nil
}

// check compares value (JSON text) with the stored snapshot key; it returns
// the diff when they differ and the snapshot may not be updated.
func (s *snapshots) check(key, valueJSON string) (diff string, err error) {
	if err := s.load(); err != nil {
		return "", err
	}
	got, err := indentJSON([]byte(valueJSON))
	if err != nil {
		return "", err
	}
	stored, ok := s.entries[key]
	if ok {
		want, err := indentJSON(stored)
		if err != nil {
			return "", fmt.Errorf("snapshot %q in %s: %w", key, s.path, err)
		}
		if want == got {
			return "", nil
		}
		if !s.update {
			return lineDiff(want, got), nil
		}
	}
	s.entries[key] = json.RawMessage(got)
	s.dirty = true
	s.written++
	return "", nil
}

// save writes the file if anything changed.
func (s *snapshots) save() error {
	if !s.dirty {
		return nil
	}
	data, err := json.MarshalIndent(s.entries, "", "  ")
	if err != nil {
		return fmt.Errorf("writing snapshots: %w", err)
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing snapshots: %w", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("writing snapshots: %w", err)
	}
	s.dirty = false
	return nil
}

// indentJSON normalises JSON text: sorted keys, two-space indent, no HTML escaping.
func indentJSON(data []byte) (string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("snapshot value: %w", err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "", fmt.Errorf("snapshot value: %w", err)
	}
	return string(bytes.TrimRight(b.Bytes(), "\n")), nil
}

// snapshot(name, value) is the native behind snapshot(): null when it matches
// (or was written), else {message, diff}.
func (f *fileRun) snapshot(c goja.FunctionCall) goja.Value {
	if f.cur == nil {
		f.throw("snapshot() is only available inside a test")
	}
	name := c.Argument(0).String()
	f.snapN++
	if name == "" {
		name = strconv.Itoa(f.snapN)
	}
	key := f.cur.name + " › " + name
	text, err := f.jsonText(c.Argument(1))
	if err != nil {
		f.throw("snapshot %q: %v", name, err)
	}
	diff, err := f.snaps.check(key, text)
	if err != nil {
		f.throw("%v", err)
	}
	if diff == "" {
		return goja.Null()
	}
	o := f.vm.NewObject()
	_ = o.Set("message", fmt.Sprintf("snapshot %q differs from %s (- stored, + now; run with --update-snapshots to accept)", name, filepath.Base(f.snaps.path)))
	_ = o.Set("diff", diff)
	return o
}
