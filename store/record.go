package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
)

// record is one stored object. Records in the cache are never mutated: a write
// builds a new record and swaps the pointer, so readers need no copy to scan.
type record struct {
	id      string
	created time.Time
	updated time.Time
	fields  map[string]any
	ver     uint64 // bbolt txid of the write that produced it (cache ordering)
}

// storedRecord is the bbolt value of a record. Times are unix microseconds, the
// precision Bmob keeps.
type storedRecord struct {
	Created int64          `json:"c"`
	Updated int64          `json:"u"`
	Fields  map[string]any `json:"f"`
}

func encodeRecord(r *record) ([]byte, error) {
	if err := checkNesting(r.fields); err != nil {
		return nil, err
	}
	b, err := json.Marshal(storedRecord{Created: r.created.UnixMicro(), Updated: r.updated.UnixMicro(), Fields: r.fields})
	if err != nil {
		return nil, fmt.Errorf("encode object %s: %w", r.id, err)
	}
	return b, nil
}

func decodeRecord(id string, b []byte) (*record, error) {
	var sr storedRecord
	if err := json.Unmarshal(b, &sr); err != nil {
		return nil, fmt.Errorf("decode object %s: %w", id, err)
	}
	if sr.Fields == nil {
		sr.Fields = map[string]any{}
	}
	return &record{id: id, created: time.UnixMicro(sr.Created), updated: time.UnixMicro(sr.Updated), fields: sr.Fields}, nil
}

// get reads a field, a dotted path into objects and arrays, or a system field
// (createdAt and updatedAt as time.Time).
func (r *record) get(path string) (any, bool) {
	switch path {
	case "objectId":
		return r.id, true
	case "createdAt":
		return r.created, true
	case "updatedAt":
		return r.updated, true
	}
	return lookupPath(r.fields, path)
}

// view is the object as the REST API shows it: a fresh copy, relations without
// their members, system fields as Bmob strings.
func (r *record) view() map[string]any {
	out := make(map[string]any, len(r.fields)+3)
	for k, v := range r.fields {
		out[k] = publicValue(v)
	}
	out["objectId"] = r.id
	out["createdAt"] = bjtime.Format(r.created)
	out["updatedAt"] = bjtime.Format(r.updated)
	return out
}

// exportView is view plus relation members, so an export loses nothing.
func (r *record) exportView() map[string]any {
	out := r.view()
	for k, v := range r.fields {
		if isType(v, "Relation") {
			out[k] = deepCopy(v)
		}
	}
	return out
}

// publicValue deep-copies v, hiding relation members (Bmob reads a relation
// back as {"__type":"Relation","className":…}).
func publicValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if isType(t, "Relation") {
			return map[string]any{"__type": "Relation", "className": t["className"]}
		}
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = publicValue(e)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = publicValue(e)
		}
		return a
	}
	return v
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}
