package store

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// record reads one object, or 101 (also for a record that cannot be decoded,
// which is noted in the damage log).
func (s *boltStore) record(ctx context.Context, class, id string) (*record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var r *record
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(classesBucket).Bucket([]byte(class))
		if b == nil {
			return nil
		}
		v := b.Get([]byte(id))
		if v == nil {
			return nil
		}
		var err error
		if r, err = decodeRecord(id, v); err != nil {
			s.damage.note(class, id, err)
			r = nil
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", class, id, err)
	}
	if r == nil {
		return nil, notFound(id)
	}
	return r, nil
}

// scan returns the records of class matching where, in default order.
func (s *boltStore) scan(ctx context.Context, class string, where map[string]any) ([]*record, error) {
	c := &compiler{ctx: ctx, s: s}
	m, err := c.compile(where)
	if err != nil {
		return nil, err
	}
	var rows []*record
	err = s.matchRaw(ctx, class, m, nil, func(hits []hit) error {
		rows = s.decodeHits(class, hits, pageOrder(len(hits), hitOrder(hits, nil), 0, len(hits)))
		return nil
	})
	return rows, err
}

// before is the default order of records: by createdAt, then objectId.
func before(a, b *record) bool {
	if !a.created.Equal(b.created) {
		return a.created.Before(b.created)
	}
	return a.id < b.id
}

// hit is a record that matched, as it lies in bbolt (valid inside the read
// transaction only).
type hit struct {
	created int64
	id      []byte
	value   []byte
	decoded *record // set for an irregular record
	keys    []any   // the values of the query's order, or its distance
}

// hitOrder compares hits i and j by their keys (desc[k] reverses key k),
// then in the default order: createdAt, then objectId.
func hitOrder(hits []hit, desc []bool) func(i, j int) int {
	return func(i, j int) int {
		a, b := &hits[i], &hits[j]
		for k := range a.keys {
			if c, _ := compareValues(a.keys[k], b.keys[k]); c != 0 {
				if desc[k] {
					return -c
				}
				return c
			}
		}
		if a.created != b.created {
			return cmp.Compare(a.created, b.created)
		}
		return bytes.Compare(a.id, b.id)
	}
}

// pageOrder returns the indices of rows skip to skip+limit of n in the order
// cmp defines (limit and skip read as page reads them). A small page is
// selected in one pass instead of sorting every row.
func pageOrder(n int, cmp func(i, j int) int, skip, limit int) []int {
	if limit < 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit, n)
	skip = max(skip, 0)
	if skip >= n || limit == 0 {
		return nil
	}
	k := min(skip+limit, n)
	if k*4 >= n {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		slices.SortFunc(all, cmp)
		return all[skip:k]
	}
	best := make([]int, 0, k+1)
	for i := 0; i < n; i++ {
		if len(best) == k && cmp(i, best[k-1]) >= 0 {
			continue
		}
		pos, _ := slices.BinarySearchFunc(best, i, cmp)
		best = slices.Insert(best, pos, i)
		if len(best) > k {
			best = best[:k]
		}
	}
	return best[skip:]
}

// decodeHits decodes the records of hits at idx; one that passed the class's
// check but still does not decode (a number beyond float64) is noted and
// skipped.
func (s *boltStore) decodeHits(class string, hits []hit, idx []int) []*record {
	rows := make([]*record, 0, len(idx))
	for _, i := range idx {
		h := &hits[i]
		r, err := (&rawRecord{id: h.id, value: h.value, decoded: h.decoded}).record()
		if err != nil {
			s.damage.note(class, string(h.id), err)
			continue
		}
		rows = append(rows, r)
	}
	return rows
}

// matchRaw runs m over the stored records of class, in place, and gives the
// matches to done inside the same read transaction; keys, when set, gives
// each match its sort keys.
func (s *boltStore) matchRaw(ctx context.Context, class string, m matcher, keys func(r *rawRecord) []any, done func([]hit) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.view(func(tx *bolt.Tx) error {
		var hits []hit
		err := s.eachRaw(tx, class, func(r *rawRecord) {
			if m(r) {
				h := hit{created: r.created(), id: r.id, value: r.value, decoded: r.decoded}
				if keys != nil {
					h.keys = keys(r)
				}
				hits = append(hits, h)
			}
		})
		if err != nil {
			return err
		}
		return done(hits)
	})
	if err != nil {
		return fmt.Errorf("query %s: %w", class, err)
	}
	return nil
}

// Get returns one object as the REST API shows it.
func (s *boltStore) Get(ctx context.Context, class, objectID string, opt GetOptions) (map[string]any, error) {
	r, err := s.record(ctx, class, objectID)
	if err != nil {
		return nil, err
	}
	obj := project(r.view(), opt.Keys)
	expand(ctx, s, obj, parseInclude(opt.Include))
	return obj, nil
}

// Find runs a query. A class that does not exist has no rows. The where
// clause reads the stored JSON in place; only the page returned (or, for
// statistics, the matches) is decoded.
func (s *boltStore) Find(ctx context.Context, class string, q Query) (Result, error) {
	c := &compiler{ctx: ctx, s: s}
	m, err := c.compile(q.Where)
	if err != nil {
		return Result{}, err
	}
	m = q.andMatch(m)
	if q.isStatistics() {
		var rows []*record
		err = s.matchRaw(ctx, class, m, nil, func(hits []hit) error {
			rows = s.decodeHits(class, hits, pageOrder(len(hits), hitOrder(hits, nil), 0, len(hits)))
			return nil
		})
		if err != nil {
			return Result{}, err
		}
		return answer(ctx, s, rows, c.near, q)
	}
	keys, desc := sortKeys(q, c.near)
	var rows []*record
	count := 0
	err = s.matchRaw(ctx, class, m, keys, func(hits []hit) error {
		count = len(hits)
		rows = s.decodeHits(class, hits, pageOrder(len(hits), hitOrder(hits, desc), q.Skip, q.Limit))
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	res := Result{Results: objects(ctx, s, rows, q)}
	if q.Count {
		res.Count = count
	}
	return res, nil
}

// sortKeys gives the sort keys of a row for the query's order: its order
// fields, else the distance for $nearSphere, else none (the default order).
// Ties fall to the default order, as the stable sorts of answer do over rows
// in default order.
func sortKeys(q Query, near *nearSort) (func(r *rawRecord) []any, []bool) {
	if keys := parseOrder(q.Order); len(keys) > 0 {
		desc := make([]bool, len(keys))
		for i, k := range keys {
			desc[i] = k.desc
		}
		return func(r *rawRecord) []any {
			vals := make([]any, len(keys))
			for i, k := range keys {
				vals[i], _ = r.get(k.field)
			}
			return vals
		}, desc
	}
	if near != nil {
		return func(r *rawRecord) []any {
			v, _ := r.get(near.field)
			lat, lng, _ := geoOf(v)
			return []any{radians(near.lat, near.lng, lat, lng)}
		}, []bool{false}
	}
	return nil, nil
}

// answer finishes a query over the matching rows in default order:
// statistics, or order, count, skip, limit, keys and include.
func answer(ctx context.Context, s engine, rows []*record, near *nearSort, q Query) (Result, error) {
	if q.isStatistics() {
		groups, err := statistics(ctx, s, rows, q)
		return Result{Groups: groups}, err
	}
	switch {
	case len(q.Order) > 0:
		sortRecords(rows, q.Order)
	case near != nil:
		sortByDistance(rows, near)
	}
	res := Result{Results: objects(ctx, s, page(rows, q.Skip, q.Limit), q)}
	if q.Count {
		res.Count = len(rows)
	}
	return res, nil
}

// objects shows a page of rows as the REST API does: keys projected,
// include expanded.
func objects(ctx context.Context, s engine, rows []*record, q Query) []map[string]any {
	out := make([]map[string]any, 0, len(rows))
	inc := parseInclude(q.Include)
	for _, r := range rows {
		obj := project(r.view(), q.Keys)
		expand(ctx, s, obj, inc)
		out = append(out, obj)
	}
	return out
}

// pageBounds is the skip and limit a query asks for as both engines apply them:
// a negative limit is the default, a limit is capped at MaxLimit, a negative
// skip is 0.
func pageBounds(skip, limit int) (int, int) {
	if limit < 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	if skip < 0 {
		skip = 0
	}
	return skip, limit
}

// page applies skip and limit (see pageBounds).
func page[T any](rows []T, skip, limit int) []T {
	skip, limit = pageBounds(skip, limit)
	if skip >= len(rows) {
		return nil
	}
	rows = rows[skip:]
	if limit < len(rows) {
		rows = rows[:limit]
	}
	return rows
}

// orderKey is one parsed `order` entry.
type orderKey struct {
	field string
	desc  bool
}

func parseOrder(order []string) []orderKey {
	var keys []orderKey
	for _, o := range order {
		for _, f := range strings.Split(o, ",") {
			f = strings.TrimSpace(f)
			desc := strings.HasPrefix(f, "-")
			f = strings.TrimPrefix(f, "-")
			if f != "" {
				keys = append(keys, orderKey{field: f, desc: desc})
			}
		}
	}
	return keys
}

// lessBy orders two rows by keys: missing values first when ascending.
func lessBy(a, b row, keys []orderKey) bool {
	for _, k := range keys {
		va, _ := a.get(k.field)
		vb, _ := b.get(k.field)
		c, _ := compareValues(va, vb)
		if c != 0 {
			return (c < 0) != k.desc
		}
	}
	return false
}

func sortRecords(rows []*record, order []string) {
	keys := parseOrder(order)
	sort.SliceStable(rows, func(i, j int) bool { return lessBy(rows[i], rows[j], keys) })
}

func sortByDistance(rows []*record, n *nearSort) {
	dist := func(r *record) float64 {
		v, _ := r.get(n.field)
		lat, lng, _ := geoOf(v)
		return radians(n.lat, n.lng, lat, lng)
	}
	sort.SliceStable(rows, func(i, j int) bool { return dist(rows[i]) < dist(rows[j]) })
}

// project keeps keys (comma lists allowed) plus the system fields; keys that
// all start with "-" exclude fields instead.
func project(obj map[string]any, keys []string) map[string]any {
	var keep, drop []string
	for _, k := range keys {
		for _, f := range strings.Split(k, ",") {
			f = strings.TrimSpace(f)
			switch {
			case f == "":
			case strings.HasPrefix(f, "-"):
				drop = append(drop, f[1:])
			default:
				keep = append(keep, f)
			}
		}
	}
	if len(keep) > 0 {
		out := map[string]any{"objectId": obj["objectId"], "createdAt": obj["createdAt"], "updatedAt": obj["updatedAt"]}
		for _, k := range keep {
			if v, ok := obj[k]; ok {
				out[k] = v
			}
		}
		return out
	}
	for _, k := range drop {
		if !reservedFields[k] {
			delete(obj, k)
		}
	}
	return obj
}

// includeNode is the tree of `include` paths: "post.author" expands post, then
// author inside it; "post[title|likes]" also projects the included object.
type includeNode struct {
	keys     []string
	children map[string]*includeNode
}

func parseInclude(include []string) *includeNode {
	root := &includeNode{children: map[string]*includeNode{}}
	for _, inc := range include {
		for _, p := range strings.Split(inc, ",") {
			node := root
			for _, seg := range strings.Split(strings.TrimSpace(p), ".") {
				name, keys := seg, []string(nil)
				if i := strings.IndexByte(seg, '['); i > 0 && strings.HasSuffix(seg, "]") {
					name, keys = seg[:i], strings.Split(seg[i+1:len(seg)-1], "|")
				}
				if name == "" {
					break
				}
				child := node.children[name]
				if child == nil {
					child = &includeNode{children: map[string]*includeNode{}}
					node.children[name] = child
				}
				if keys != nil {
					child.keys = keys
				}
				node = child
			}
		}
	}
	return root
}

// expand replaces included Pointers in obj by the objects they point to
// ({"__type":"Object","className":…, fields}); missing targets stay Pointers.
func expand(ctx context.Context, s engine, obj map[string]any, node *includeNode) {
	for field, child := range node.children {
		switch v := obj[field].(type) {
		case map[string]any:
			obj[field] = expandPointer(ctx, s, v, child)
		case []any:
			for i, e := range v {
				if m, ok := e.(map[string]any); ok {
					v[i] = expandPointer(ctx, s, m, child)
				}
			}
		}
	}
}

func expandPointer(ctx context.Context, s engine, p map[string]any, node *includeNode) map[string]any {
	if p["__type"] != "Pointer" {
		return p
	}
	class, _ := p["className"].(string)
	id, _ := p["objectId"].(string)
	r, err := s.record(ctx, class, id)
	if err != nil {
		return p
	}
	obj := project(r.view(), node.keys)
	expand(ctx, s, obj, node)
	obj["__type"] = "Object"
	obj["className"] = class
	return obj
}

// Classes lists the classes that hold or held objects.
func (s *boltStore) Classes(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var names []string
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(classesBucket).ForEachBucket(func(k []byte) error {
			names = append(names, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list classes: %w", err)
	}
	return names, nil
}
