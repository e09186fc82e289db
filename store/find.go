package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// record returns one cached record, or 101.
func (s *boltStore) record(ctx context.Context, class, id string) (*record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cc, unlock, err := s.cache.class(s.db, class, s.damage)
	if err != nil {
		return nil, err
	}
	r := cc.byID[id]
	unlock()
	if r == nil {
		return nil, notFound(id)
	}
	return r, nil
}

// scan returns the records of class matching where, in default order.
func (s *boltStore) scan(ctx context.Context, class string, where map[string]any) ([]*record, error) {
	rows, _, err := s.match(ctx, class, where)
	return rows, err
}

func (s *boltStore) match(ctx context.Context, class string, where map[string]any) ([]*record, *nearSort, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	c := &compiler{ctx: ctx, s: s}
	m, err := c.compile(where)
	if err != nil {
		return nil, nil, err
	}
	cc, unlock, err := s.cache.class(s.db, class, s.damage)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	var out []*record
	for _, r := range cc.list {
		if m(r) {
			out = append(out, r)
		}
	}
	return out, c.near, nil
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

// Find runs a query. A class that does not exist has no rows.
func (s *boltStore) Find(ctx context.Context, class string, q Query) (Result, error) {
	rows, near, err := s.match(ctx, class, q.Where)
	if err != nil {
		return Result{}, err
	}
	return answer(ctx, s, rows, near, q)
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
	res := Result{Results: []map[string]any{}}
	if q.Count {
		res.Count = len(rows)
	}
	for _, r := range page(rows, q.Skip, q.Limit) {
		obj := project(r.view(), q.Keys)
		expand(ctx, s, obj, parseInclude(q.Include))
		res.Results = append(res.Results, obj)
	}
	return res, nil
}

// page applies skip and limit (negative limit: the default; capped at MaxLimit).
func page[T any](rows []T, skip, limit int) []T {
	if limit < 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	if skip < 0 {
		skip = 0
	}
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
