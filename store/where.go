package store

import (
	"context"
	"regexp"
	"slices"
	"strings"
)

// row is what a where clause reads: a stored record, or a statistics group.
type row interface {
	get(path string) (any, bool)
}

// mapRow lets a plain object (a statistics group) be filtered by `having`.
type mapRow map[string]any

func (m mapRow) get(path string) (any, bool) { return lookupPath(m, path) }

// matcher is a compiled where clause.
type matcher func(r row) bool

// pred tests one field's value (present is false when the field is missing).
type pred func(v any, present bool) bool

// fieldOp compiles one $operator applied to field. ops is the whole operator
// object, for modifiers that travel with their operator ($options,
// $maxDistance…). A nil pred means the key only modifies another operator.
type fieldOp func(c *compiler, field string, arg any, ops map[string]any) (pred, error)

// fieldOps is the table of field operators, filled by init because the
// sub-query operators compile where clauses themselves.
var fieldOps map[string]fieldOp

func init() {
	fieldOps = map[string]fieldOp{
		"$lt": cmpOp(func(c int) bool { return c < 0 }), "$lte": cmpOp(func(c int) bool { return c <= 0 }),
		"$gt": cmpOp(func(c int) bool { return c > 0 }), "$gte": cmpOp(func(c int) bool { return c >= 0 }),
		"$ne": opNe, "$in": opIn, "$nin": opNin, "$exists": opExists, "$all": opAll,
		"$regex": opRegex, "$options": modifier,
		"$select": opSelect(false), "$dontSelect": opSelect(true),
		"$inQuery": opInQuery(false), "$notInQuery": opInQuery(true),
		"$nearSphere": opNearSphere, "$maxDistance": modifier, "$maxDistanceInMiles": modifier,
		"$maxDistanceInKilometers": modifier, "$maxDistanceInRadians": modifier,
		"$within": opWithin,
	}
}

// engine is what queries need from a store: one object by id, and the
// objects of a class matching a where clause (sub-queries, include).
type engine interface {
	record(ctx context.Context, class, id string) (*record, error)
	scan(ctx context.Context, class string, where map[string]any) ([]*record, error)
}

// compiler turns a decoded where object into a matcher. Sub-queries run while
// compiling, against the store, so the scan itself never locks another class.
type compiler struct {
	ctx  context.Context
	s    engine
	near *nearSort // set by $nearSphere: results default to nearest first
}

// compile normalizes a where clause from a caller, then compiles it.
func (c *compiler) compile(w map[string]any) (matcher, error) {
	p, err := plainDeep(w)
	if err != nil {
		return nil, err
	}
	w, _ = p.(map[string]any)
	return c.where(w)
}

func (c *compiler) where(w map[string]any) (matcher, error) {
	var ms []matcher
	for _, key := range clauseOrder(w) {
		m, err := c.clause(key, w[key])
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return func(r row) bool {
		for _, m := range ms {
			if !m(r) {
				return false
			}
		}
		return true
	}, nil
}

// clauseOrder lists the keys of a where object in the order their clauses
// run: plain equalities first (the cheapest, and usually the most selective
// test), then field operators, then $or, $and and $relatedTo; by name within
// each. The answer does not depend on it, only the work done per row.
func clauseOrder(w map[string]any) []string {
	rank := func(key string) int {
		if strings.HasPrefix(key, "$") {
			return 2
		}
		if ops, isMap := w[key].(map[string]any); isMap && hasOperator(ops) {
			return 1
		}
		return 0
	}
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return keys
}

func (c *compiler) clause(key string, v any) (matcher, error) {
	switch key {
	case "$or", "$and":
		subs, err := c.list(key, v)
		if err != nil {
			return nil, err
		}
		if key == "$and" {
			return func(r row) bool {
				for _, m := range subs {
					if !m(r) {
						return false
					}
				}
				return true
			}, nil
		}
		return func(r row) bool {
			for _, m := range subs {
				if m(r) {
					return true
				}
			}
			return false
		}, nil
	case "$relatedTo":
		return c.relatedTo(v)
	}
	if strings.HasPrefix(key, "$") {
		return nil, Errorf(102, "Invalid key '%s' for find", key)
	}
	p, err := c.constraint(key, v)
	if err != nil {
		return nil, err
	}
	if rp := rawConstraint(key, v); rp != nil {
		return rawClause(key, p, rp), nil
	}
	return func(r row) bool {
		val, ok := r.get(key)
		return p(val, ok)
	}, nil
}

func (c *compiler) list(key string, v any) ([]matcher, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, Errorf(102, "Invalid value for key '%s'.", key)
	}
	subs := make([]matcher, 0, len(arr))
	for _, e := range arr {
		w, ok := e.(map[string]any)
		if !ok {
			return nil, Errorf(102, "Invalid value for key '%s'.", key)
		}
		m, err := c.where(w)
		if err != nil {
			return nil, err
		}
		subs = append(subs, m)
	}
	return subs, nil
}

// constraint compiles the value given for a field: an operator object, or a
// value to equal.
func (c *compiler) constraint(field string, v any) (pred, error) {
	ops, isMap := v.(map[string]any)
	if !isMap || !hasOperator(ops) {
		want := operand(field, v)
		return func(got any, present bool) bool { return equalsOrContains(got, want) }, nil
	}
	var preds []pred
	for name, arg := range ops {
		op, ok := fieldOps[name]
		if !ok {
			return nil, Errorf(102, "Invalid key '%s' for find", name)
		}
		p, err := op(c, field, arg, ops)
		if err != nil {
			return nil, err
		}
		if p != nil {
			preds = append(preds, p)
		}
	}
	return func(got any, present bool) bool {
		for _, p := range preds {
			if !p(got, present) {
				return false
			}
		}
		return true
	}, nil
}

func hasOperator(m map[string]any) bool {
	for k := range m {
		if strings.HasPrefix(k, "$") {
			return true
		}
	}
	return false
}

// operand prepares a comparison value: createdAt and updatedAt accept a plain
// date string, and Dates become time.Time so comparisons are by instant.
func operand(field string, v any) any {
	if d, ok := dateOf(v); ok {
		return d
	}
	if s, ok := v.(string); ok && (field == "createdAt" || field == "updatedAt") {
		if d, ok := parseDate(s); ok {
			return d
		}
	}
	return v
}

// equalsOrContains is Bmob equality: a scalar also matches an array holding it.
func equalsOrContains(got, want any) bool {
	if deepEqual(got, want) {
		return true
	}
	if rel, ok := got.(map[string]any); ok && rel["__type"] == "Relation" {
		return relationHolds(rel, want)
	}
	if arr, ok := got.([]any); ok {
		if _, wantArr := want.([]any); !wantArr {
			return containsEqual(arr, want)
		}
	}
	return false
}

func modifier(*compiler, string, any, map[string]any) (pred, error) { return nil, nil }

func cmpOp(ok func(int) bool) fieldOp {
	return func(c *compiler, field string, arg any, _ map[string]any) (pred, error) {
		want := operand(field, arg)
		return func(got any, present bool) bool {
			if !present {
				return false
			}
			n, same := compareValues(normTime(got), want)
			return same && ok(n)
		}, nil
	}
}

// normTime lets a stored Date compare with a time.Time operand.
func normTime(v any) any {
	if m, ok := v.(map[string]any); ok && m["__type"] == "Date" {
		if d, ok := dateOf(m); ok {
			return d
		}
	}
	return v
}

func opNe(c *compiler, field string, arg any, _ map[string]any) (pred, error) {
	want := operand(field, arg)
	return func(got any, present bool) bool { return !equalsOrContains(got, want) }, nil
}

func inList(field string, arg any, key string) ([]any, error) {
	arr, ok := arg.([]any)
	if !ok {
		return nil, Errorf(102, "Invalid value for key '%s'.", key)
	}
	out := make([]any, len(arr))
	for i, e := range arr {
		out[i] = operand(field, e)
	}
	return out, nil
}

func opIn(c *compiler, field string, arg any, _ map[string]any) (pred, error) {
	list, err := inList(field, arg, "$in")
	if err != nil {
		return nil, err
	}
	return func(got any, present bool) bool { return anyMatch(got, list) }, nil
}

func opNin(c *compiler, field string, arg any, _ map[string]any) (pred, error) {
	list, err := inList(field, arg, "$nin")
	if err != nil {
		return nil, err
	}
	return func(got any, present bool) bool { return !anyMatch(got, list) }, nil
}

func anyMatch(got any, list []any) bool {
	for _, w := range list {
		if equalsOrContains(got, w) {
			return true
		}
	}
	return false
}

func opAll(c *compiler, field string, arg any, _ map[string]any) (pred, error) {
	list, err := inList(field, arg, "$all")
	if err != nil {
		return nil, err
	}
	return func(got any, present bool) bool {
		arr, ok := got.([]any)
		if !ok {
			return false
		}
		for _, w := range list {
			if !containsEqual(arr, w) {
				return false
			}
		}
		return true
	}, nil
}

func opExists(c *compiler, field string, arg any, _ map[string]any) (pred, error) {
	want, ok := arg.(bool)
	if !ok {
		return nil, Errorf(102, "Invalid value for key '%s'.", "$exists")
	}
	return func(got any, present bool) bool { return present == want }, nil
}

// opRegex compiles $regex with $options (i, m, s, x as in PCRE; x is accepted
// and ignored, as RE2 has no extended mode).
func opRegex(c *compiler, field string, arg any, ops map[string]any) (pred, error) {
	pattern, ok := arg.(string)
	if !ok {
		return nil, Errorf(102, "Invalid value for key '%s'.", "$regex")
	}
	flags := ""
	if o, ok := ops["$options"].(string); ok {
		for _, f := range o {
			switch f {
			case 'i', 'm', 's':
				flags += string(f)
			case 'x':
			default:
				return nil, Errorf(102, "Invalid value for key '%s'.", "$options")
			}
		}
	}
	if flags != "" {
		pattern = "(?" + flags + ")" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, Errorf(102, "Invalid value for key '%s'.", "$regex")
	}
	return func(got any, present bool) bool {
		s, ok := got.(string)
		return ok && re.MatchString(s)
	}, nil
}

// relationHolds: a Relation queried with a Pointer of its class matches when it
// holds that object (Bmob: a relation queries like an array of pointers).
func relationHolds(rel map[string]any, want any) bool {
	p, ok := want.(map[string]any)
	if !ok || (p["__type"] != "Pointer" && p["__type"] != "Object") || p["className"] != rel["className"] {
		return false
	}
	ids, _ := rel["objectIds"].([]any)
	for _, id := range ids {
		if id == p["objectId"] {
			return true
		}
	}
	return false
}
