package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// schemaCache keeps the last decoded schema of each class of a bbolt store,
// keyed by the stored bytes it was decoded from: a write compares the bytes
// it reads in its own transaction with the cached ones, so any change to a
// schema (a write adding a field, an import, a repair) is seen by the next
// read without being told, and a cached schema can never be stale. Decoded
// schemas are shared: nobody may modify them (mergeSchema copies).
type schemaCache struct {
	mu      sync.Mutex
	byClass map[string]decodedSchema
}

// decodedSchema is one class's schema and the JSON it was decoded from.
type decodedSchema struct {
	raw    []byte
	fields map[string]string // read-only
}

func newSchemaCache() *schemaCache {
	return &schemaCache{byClass: map[string]decodedSchema{}}
}

// decode returns the field types stored as raw for class (a class with no
// schema yet has none). The answer must not be modified.
func (c *schemaCache) decode(class string, raw []byte) (map[string]string, error) {
	if raw == nil {
		c.mu.Lock()
		delete(c.byClass, class)
		c.mu.Unlock()
		return map[string]string{}, nil
	}
	c.mu.Lock()
	got, ok := c.byClass[class]
	c.mu.Unlock()
	if ok && bytes.Equal(got.raw, raw) {
		return got.fields, nil
	}
	schema := map[string]string{}
	if err := json.Unmarshal(raw, &schema); err != nil {
		return nil, fmt.Errorf("decode schema of %s: %w", class, err)
	}
	// raw belongs to the transaction: keep a copy.
	c.mu.Lock()
	c.byClass[class] = decodedSchema{raw: bytes.Clone(raw), fields: schema}
	c.mu.Unlock()
	return schema, nil
}
