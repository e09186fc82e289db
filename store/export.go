package store

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Export format (`bmobemu data export`, read back by Import):
//
//	{"format":"bmobemu-export","version":1,"classes":{"<Class>":[<object>, …], …}}
//
// Each object is written as the REST API shows it (objectId, createdAt and
// updatedAt as "YYYY-MM-DD HH:mm:ss" Beijing time, Bmob's types as
// {"__type":…}), with one addition: a Relation field keeps its members as
// {"__type":"Relation","className":"X","objectIds":["…",…]} so nothing is lost.
// Objects are listed oldest first; keys are sorted. Import also accepts ISO 8601
// times and times with fractional seconds.
//
// Password hashes of _User objects (never part of an object) travel in a
// separate "passwords" member, objectId -> PBKDF2 hash, so an export restores
// logins; sessions are not exported. An imported _User object that carries a
// plain "password" (a document written by hand) has it hashed.
const (
	ExportFormat  = "bmobemu-export"
	ExportVersion = 1
)

// exportDoc is the decoded export document.
type exportDoc struct {
	Format  string                      `json:"format"`
	Version int                         `json:"version"`
	Classes map[string][]map[string]any `json:"classes"`
	// Passwords are the password hashes of _User objects, by objectId.
	Passwords map[string]string `json:"passwords,omitempty"`
}

// Export writes every class from one consistent read transaction.
func (s *boltStore) Export(ctx context.Context, w io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	doc := exportDoc{Format: ExportFormat, Version: ExportVersion, Classes: map[string][]map[string]any{}}
	err := s.view(func(tx *bolt.Tx) error {
		if err := tx.Bucket(passwordsBucket).ForEach(func(k, v []byte) error {
			if doc.Passwords == nil {
				doc.Passwords = map[string]string{}
			}
			doc.Passwords[string(k)] = string(v)
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(classesBucket).ForEachBucket(func(name []byte) error {
			var recs []*record
			err := tx.Bucket(classesBucket).Bucket(name).ForEach(func(k, v []byte) error {
				r, err := decodeRecord(string(k), v)
				if err != nil {
					s.damage.note(string(name), string(k), err) // left out, named in the log and by Damaged
					return nil
				}
				recs = append(recs, r)
				return nil
			})
			if err != nil {
				return err
			}
			doc.Classes[string(name)] = exportObjects(recs)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return writeExport(w, doc)
}

// exportObjects is a class's records as the export lists them: oldest first,
// each as the REST API shows it.
func exportObjects(recs []*record) []map[string]any {
	sort.Slice(recs, func(i, j int) bool { return before(recs[i], recs[j]) })
	objs := make([]map[string]any, len(recs))
	for i, r := range recs {
		objs[i] = r.exportView()
	}
	return objs
}

// writeExport writes the export document to w, as both engines' Export do.
func writeExport(w io.Writer, doc exportDoc) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

// ExportFile exports s to path without ever losing an existing export: it
// writes a temporary file in the same folder, fsyncs it, then renames it.
func ExportFile(ctx context.Context, s Store, path string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = s.Export(ctx, tmp); err != nil {
		return fmt.Errorf("export to %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("export to %s: sync: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("export to %s: close: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("export to %s: rename: %w", path, err)
	}
	if d, derr := os.Open(filepath.Dir(path)); derr == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
	return nil
}

// importClass is one class of an import, validated before the transaction.
type importClass struct {
	records []*record
	schema  map[string]string
}

// Import replaces the whole content with an export, in one transaction; on
// any error nothing changes.
func (s *boltStore) Import(ctx context.Context, r io.Reader) error {
	classes, passwords, err := s.readImport(r)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(tx *bolt.Tx) ([]change, error) {
		for _, b := range [][]byte{classesBucket, schemaBucket, passwordsBucket, sessionsBucket} {
			if err := tx.DeleteBucket(b); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
				return nil, err
			}
			if _, err := tx.CreateBucket(b); err != nil {
				return nil, err
			}
		}
		for name, ic := range classes {
			b, err := tx.Bucket(classesBucket).CreateBucket([]byte(name))
			if err != nil {
				return nil, fmt.Errorf("class %s: %w", name, err)
			}
			for _, r := range ic.records {
				if err := putRecord(b, r); err != nil {
					return nil, err
				}
			}
			if err := writeSchema(tx.Bucket(schemaBucket), name, ic.schema); err != nil {
				return nil, err
			}
		}
		users := tx.Bucket(classesBucket).Bucket([]byte("_User"))
		for id, h := range passwords {
			if users == nil || users.Get([]byte(id)) == nil {
				continue // the hash of a user not in the document
			}
			if err := tx.Bucket(passwordsBucket).Put([]byte(id), []byte(h)); err != nil {
				return nil, fmt.Errorf("password of %s: %w", id, err)
			}
		}
		if err := reindexUnique(tx, true); err != nil {
			return nil, err
		}
		return []change{{reset: true}}, nil
	})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}

// readImport decodes and validates an export document before either engine's
// Import writes anything: its classes by name, and the password hashes to store
// by objectId (those of plain passwords in _User objects first, then the
// document's own).
func (s *base) readImport(r io.Reader) (map[string]*importClass, map[string]string, error) {
	var doc exportDoc
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("import: read export: %w", err)
	}
	if doc.Format != ExportFormat || doc.Version != ExportVersion {
		return nil, nil, fmt.Errorf("import: not a %s version %d document (format %q, version %d)", ExportFormat, ExportVersion, doc.Format, doc.Version)
	}
	classes := map[string]*importClass{}
	passwords := map[string]string{}
	for name, objs := range doc.Classes {
		ic, err := s.prepareImport(name, objs, passwords)
		if err != nil {
			return nil, nil, fmt.Errorf("import: class %s: %w", name, err)
		}
		classes[name] = ic
	}
	for id, h := range doc.Passwords {
		if _, own := passwords[id]; !own {
			passwords[id] = h
		}
	}
	return classes, passwords, nil
}

// prepareImport validates one class; plain passwords of _User objects are
// hashed into passwords.
func (s *base) prepareImport(name string, objs []map[string]any, passwords map[string]string) (*importClass, error) {
	if err := checkClass(name); err != nil {
		return nil, err
	}
	ic := &importClass{schema: map[string]string{}}
	seen := map[string]bool{}
	for i, o := range objs {
		if name == "_User" {
			plainPw, hasPw := o["password"].(string)
			rest, _, err := s.prepareUserWrite("_User", withoutKey(o, "password"))
			if err != nil {
				return nil, fmt.Errorf("object %d: %w", i, err)
			}
			if hasPw && plainPw != "" {
				h, err := s.hashPassword(plainPw)
				if err != nil {
					return nil, err
				}
				id, _ := o["objectId"].(string)
				passwords[id] = h
			}
			o = rest
		}
		r, err := importRecord(o)
		if err != nil {
			return nil, fmt.Errorf("object %d: %w", i, err)
		}
		if seen[r.id] {
			return nil, fmt.Errorf("object %d: duplicate objectId %s", i, r.id)
		}
		seen[r.id] = true
		for k, v := range r.fields {
			t := typeName(v)
			if t == "" {
				continue
			}
			if want, ok := ic.schema[k]; ok && want != t {
				return nil, fmt.Errorf("object %s: %w", r.id, typeError(k, want, t))
			}
			ic.schema[k] = t
		}
		ic.records = append(ic.records, r)
	}
	return ic, nil
}

func importRecord(o map[string]any) (*record, error) {
	id, _ := o["objectId"].(string)
	if id == "" {
		return nil, Errorf(103, "objectId required.")
	}
	times := [2]time.Time{}
	for i, k := range []string{"createdAt", "updatedAt"} {
		s, _ := o[k].(string)
		t, ok := parseDate(s)
		if !ok {
			return nil, Errorf(107, "invalid date: %s.", jsonText(o[k]))
		}
		times[i] = t.Truncate(time.Microsecond)
	}
	r := &record{id: id, created: times[0], updated: times[1], fields: map[string]any{}}
	for k, v := range o {
		if reservedFields[k] {
			continue
		}
		if err := checkField(k); err != nil {
			return nil, err
		}
		if rel, ok := v.(map[string]any); ok && rel["__type"] == "Relation" {
			cls, _ := rel["className"].(string)
			ids, _ := rel["objectIds"].([]any)
			for _, e := range ids {
				if _, ok := e.(string); !ok {
					return nil, Errorf(107, "invalid op value")
				}
			}
			if cls == "" {
				return nil, Errorf(107, "invalid op value")
			}
			r.fields[k] = map[string]any{"__type": "Relation", "className": cls, "objectIds": append([]any{}, ids...)}
			continue
		}
		n, err := normalizeValue(k, v)
		if err != nil {
			return nil, err
		}
		r.fields[k] = n
	}
	return r, nil
}

// withoutKey is a shallow copy of m without key.
func withoutKey(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}
