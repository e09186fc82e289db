package store

import (
	"context"
	"errors"
	"fmt"
)

// Clause is a where clause compiled once and added to many queries through
// Query.And: the ACL read rule the REST API adds to every find of a caller
// without the master key is the same for every anonymous find. It is
// read-only, so any number of finds may share it.
type Clause struct {
	where map[string]any // as given: engines that translate where clauses read it
	match matcher
}

// errClauseSubQuery refuses a sub-query in a Clause: its answer would be the
// one of the time it was compiled.
var errClauseSubQuery = errors.New("a precompiled where clause cannot hold a sub-query")

// CompileClause compiles where for Query.And. It may not hold sub-queries
// ($inQuery, $select, $relatedTo…) or $nearSphere, whose answers depend on
// the data when (and the query where) they run. where must not be modified
// afterwards.
func CompileClause(where map[string]any) (*Clause, error) {
	if op := storeReadingOp(where); op != "" {
		return nil, fmt.Errorf("compile clause: %s: %w", op, errClauseSubQuery)
	}
	c := &compiler{ctx: context.Background(), s: noSubQueries{}}
	m, err := c.compile(where)
	if err != nil {
		return nil, fmt.Errorf("compile clause: %w", err)
	}
	return &Clause{where: where, match: m}, nil
}

// storeReadingOp is the first operator in v whose answer depends on when or
// in which query it runs ("" when there is none).
func storeReadingOp(v any) string {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			switch k {
			case "$relatedTo", "$inQuery", "$notInQuery", "$select", "$dontSelect", "$nearSphere":
				return k
			}
			if op := storeReadingOp(e); op != "" {
				return op
			}
		}
	case []any:
		for _, e := range t {
			if op := storeReadingOp(e); op != "" {
				return op
			}
		}
	}
	return ""
}

// noSubQueries is the engine a Clause compiles against: should a sub-query
// get past storeReadingOp, it fails rather than read a store.
type noSubQueries struct{}

func (noSubQueries) record(context.Context, string, string) (*record, error) {
	return nil, errClauseSubQuery
}

func (noSubQueries) scan(context.Context, string, map[string]any) ([]*record, error) {
	return nil, errClauseSubQuery
}

// whereAnd is the where clause of q with q.And folded in, for engines that
// translate the clause rather than run the compiled matcher: the query's own
// clause first, as the matcher runs them.
func (q Query) whereAnd() map[string]any {
	if q.And == nil {
		return q.Where
	}
	if len(q.Where) == 0 {
		return q.And.where
	}
	return map[string]any{"$and": []any{q.Where, q.And.where}}
}

// andMatch is m, then the query's added clause (if any).
func (q Query) andMatch(m matcher) matcher {
	if q.And == nil {
		return m
	}
	and := q.And.match
	return func(r row) bool { return m(r) && and(r) }
}
