package store

import (
	"context"
	"fmt"
)

// include on PostgreSQL: before the answer's objects are expanded, every
// object the include tree reaches is read with one query per level of the
// tree (not one per pointer), and expand then takes them from memory.

// includeCache is the store with the objects an include reads prefetched.
type includeCache struct {
	*pgStore
	recs  map[objectKey]*record // nil: known to be missing
	reads int                   // objects read one by one (not prefetched)
}

type objectKey struct{ class, id string }

func (c *includeCache) record(ctx context.Context, class, id string) (*record, error) {
	if r, ok := c.recs[objectKey{class, id}]; ok {
		if r == nil {
			return nil, notFound(id)
		}
		return r, nil
	}
	c.reads++
	return c.pgStore.record(ctx, class, id)
}

// prefetchIncludes reads the objects that node reaches from recs. A failed
// read leaves the cache as far as it got: expand then reads the rest one by
// one, as without it.
func (s *pgStore) prefetchIncludes(ctx context.Context, recs []*record, node *includeNode) (*includeCache, error) {
	c := &includeCache{pgStore: s, recs: map[objectKey]*record{}}
	if len(node.children) == 0 {
		return c, nil
	}
	type reach struct {
		fields map[string]any
		node   *includeNode
	}
	level := make([]reach, 0, len(recs))
	for _, r := range recs {
		level = append(level, reach{r.fields, node})
	}
	for depth := 0; len(level) > 0 && depth < 16; depth++ {
		want := map[objectKey][]*includeNode{}
		for _, at := range level {
			for field, child := range at.node.children {
				for _, p := range pointersIn(at.fields[field]) {
					if _, done := c.recs[p]; !done {
						want[p] = append(want[p], child)
					}
				}
			}
		}
		if len(want) == 0 {
			break
		}
		classes, ids := make([]string, 0, len(want)), make([]string, 0, len(want))
		for k := range want {
			classes, ids = append(classes, escapeNUL(k.class)), append(ids, escapeNUL(k.id))
			c.recs[k] = nil
		}
		rows, err := s.pool.Query(ctx, `SELECT class, `+recordColumns+` FROM bmob_objects
			WHERE (class, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, classes, ids)
		if err != nil {
			return c, fmt.Errorf("include: %w", err)
		}
		next := level[:0:0]
		for rows.Next() {
			var class string
			r, err := scanRecordWith(rows, &class)
			if err != nil {
				rows.Close()
				return c, fmt.Errorf("include: %w", err)
			}
			k := objectKey{unescapeNUL(class), r.id}
			c.recs[k] = r
			for _, n := range want[k] {
				next = append(next, reach{r.fields, n})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return c, fmt.Errorf("include: %w", err)
		}
		level = next
	}
	return c, nil
}

// pointersIn are the Pointers a field holds: itself, or in its array.
func pointersIn(v any) []objectKey {
	var out []objectKey
	add := func(e any) {
		m, ok := e.(map[string]any)
		if !ok || m["__type"] != "Pointer" {
			return
		}
		class, ok1 := m["className"].(string)
		id, ok2 := m["objectId"].(string)
		if ok1 && ok2 {
			out = append(out, objectKey{class, id})
		}
	}
	switch t := v.(type) {
	case map[string]any:
		add(t)
	case []any:
		for _, e := range t {
			add(e)
		}
	}
	return out
}
