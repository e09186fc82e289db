package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	bolt "go.etcd.io/bbolt"
)

// write runs fn in one durable transaction shared with the writes queued
// beside it (group commit, see committer) and returns once that transaction is
// on disk; its changes reach the cache when it commits, before write returns.
// fn may run more than once (its group is retried without a failing member),
// so it must only read its inputs.
func (s *boltStore) write(ctx context.Context, fn func(tx *bolt.Tx) ([]change, error)) error {
	return s.commits.doInGroup(ctx, func(tx *bolt.Tx) error {
		changes, err := fn(tx)
		if err != nil {
			return err
		}
		// Commit handlers run only if the transaction commits: a rolled back
		// group leaves the cache alone, and its retry registers them again.
		txid := uint64(tx.ID())
		tx.OnCommit(func() { s.cache.apply(txid, changes) })
		return nil
	})
}

// Create inserts an object; the class is created on first insert.
func (s *boltStore) Create(ctx context.Context, class string, data map[string]any) (Created, error) {
	if err := checkClass(class); err != nil {
		return Created{}, err
	}
	plan, uw, err := s.prepareWrite(class, data)
	if err != nil {
		return Created{}, err
	}
	now := s.now().Truncate(time.Microsecond)
	id, err := s.newObjectID()
	if err != nil {
		return Created{}, err
	}
	err = s.write(ctx, func(tx *bolt.Tx) ([]change, error) {
		b, err := tx.Bucket(classesBucket).CreateBucketIfNotExists([]byte(class))
		if err != nil {
			return nil, fmt.Errorf("create class %s: %w", class, err)
		}
		for b.Get([]byte(id)) != nil { // a collision is rare but possible
			if id, err = s.newObjectID(); err != nil {
				return nil, err
			}
		}
		r := &record{id: id, created: now, updated: now, fields: map[string]any{}}
		if err := s.applyPlan(tx, class, r.fields, plan); err != nil {
			return nil, err
		}
		if err := afterPut(tx, class, id, nil, r.fields, uw); err != nil {
			return nil, err
		}
		if err := putRecord(b, r); err != nil {
			return nil, err
		}
		return []change{{class: class, put: r}}, nil
	})
	if err != nil {
		return Created{}, err
	}
	return Created{ObjectID: id, CreatedAt: now}, nil
}

// Update applies data to one object.
func (s *boltStore) Update(ctx context.Context, class, objectID string, data map[string]any) (time.Time, error) {
	plan, uw, err := s.prepareWrite(class, data)
	if err != nil {
		return time.Time{}, err
	}
	now := s.now().Truncate(time.Microsecond)
	err = s.write(ctx, func(tx *bolt.Tx) ([]change, error) {
		b := tx.Bucket(classesBucket).Bucket([]byte(class))
		if b == nil {
			return nil, notFound(objectID)
		}
		v := b.Get([]byte(objectID))
		if v == nil {
			return nil, notFound(objectID)
		}
		r, err := decodeRecord(objectID, v)
		if err != nil {
			return nil, fmt.Errorf("%w: object %s/%s cannot be read back, so it cannot be updated (delete it): %v", ErrDamaged, class, objectID, err)
		}
		r.updated = now
		old := uniqueValues(class, r.fields)
		if err := s.applyPlan(tx, class, r.fields, plan); err != nil {
			return nil, err
		}
		if err := afterPut(tx, class, objectID, old, r.fields, uw); err != nil {
			return nil, err
		}
		if err := putRecord(b, r); err != nil {
			return nil, err
		}
		return []change{{class: class, put: r}}, nil
	})
	if err != nil {
		return time.Time{}, err
	}
	return now, nil
}

// Delete removes one object.
func (s *boltStore) Delete(ctx context.Context, class, objectID string) error {
	return s.write(ctx, func(tx *bolt.Tx) ([]change, error) {
		b := tx.Bucket(classesBucket).Bucket([]byte(class))
		if b == nil || b.Get([]byte(objectID)) == nil {
			return nil, notFound(objectID)
		}
		// A damaged record can still be deleted; its unique values (if any)
		// then stay reserved until `data check` rebuilds the index.
		if r, err := decodeRecord(objectID, b.Get([]byte(objectID))); err == nil {
			if err := afterDelete(tx, class, objectID, uniqueValues(class, r.fields)); err != nil {
				return nil, err
			}
		}
		if err := b.Delete([]byte(objectID)); err != nil {
			return nil, fmt.Errorf("delete %s/%s: %w", class, objectID, err)
		}
		return []change{{class: class, del: objectID}}, nil
	})
}

func notFound(id string) error { return Errorf(101, "object not found for %s.", id) }

func putRecord(b *bolt.Bucket, r *record) error {
	v, err := encodeRecord(r)
	if err != nil {
		return err
	}
	if err := b.Put([]byte(r.id), v); err != nil {
		return fmt.Errorf("store object %s: %w", r.id, err)
	}
	return nil
}

// applyPlan applies a write to fields and enforces the class schema: the first
// non-null value of a field fixes its type.
func (s *boltStore) applyPlan(tx *bolt.Tx, class string, fields map[string]any, plan []action) error {
	for _, a := range plan {
		if a.op == "AddRelation" || a.op == "RemoveRelation" {
			if tx.Bucket(classesBucket).Bucket([]byte(a.rel.className)) == nil {
				return Errorf(104, "relation className '%s' not exists.", a.rel.className)
			}
		}
	}
	if err := apply(fields, plan); err != nil {
		return err
	}
	sb := tx.Bucket(schemaBucket)
	schema, err := s.schemas.decode(class, sb.Get([]byte(class)))
	if err != nil {
		return err
	}
	schema, changed, err := mergeSchema(schema, fields, plan)
	if err != nil || !changed {
		return err
	}
	return writeSchema(sb, class, schema)
}

// mergeSchema checks the fields a plan wrote against schema and answers it
// with the types of new fields added (the first non-null value fixes a
// field's type). schema is never modified: it may be a shared decoded schema
// (schemaCache), so a new field goes into a copy, made once.
func mergeSchema(schema map[string]string, fields map[string]any, plan []action) (merged map[string]string, changed bool, err error) {
	merged = schema
	for _, a := range plan {
		name := a.path[0]
		got := typeName(fields[name])
		if got == "" {
			continue
		}
		want, ok := merged[name]
		if !ok {
			if !changed {
				merged = maps.Clone(schema)
				changed = true
			}
			merged[name] = got
			continue
		}
		if want != got {
			return schema, false, typeError(name, want, got)
		}
	}
	return merged, changed, nil
}

func writeSchema(sb *bolt.Bucket, class string, schema map[string]string) error {
	v, err := json.Marshal(schema)
	if err != nil {
		return fmt.Errorf("encode schema of %s: %w", class, err)
	}
	if err := sb.Put([]byte(class), v); err != nil {
		return fmt.Errorf("store schema of %s: %w", class, err)
	}
	return nil
}
