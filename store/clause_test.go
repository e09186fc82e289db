package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// readRuleOf is the ACL read rule restapi adds to finds, for the test.
func readRuleOf(who ...string) map[string]any {
	or := []any{map[string]any{"ACL": nil}}
	for _, w := range who {
		or = append(or, map[string]any{"ACL." + w + ".read": true})
	}
	return map[string]any{"$or": or}
}

// TestQueryAndAnswersLikeAnAndClause checks a find with a precompiled
// Query.And answers exactly as the same find with the clause joined to its
// where by $and: rows, order, count, pages and statistics.
func TestQueryAndAnswersLikeAnAndClause(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		ctx := context.Background()
		acls := []any{nil, map[string]any{"*": map[string]any{"read": true}},
			map[string]any{"u1": map[string]any{"read": true}}, map[string]any{"*": map[string]any{"write": true}}}
		for i := range 24 {
			data := map[string]any{"n": float64(i % 7), "g": fmt.Sprintf("g%d", i%3)}
			if acl := acls[i%len(acls)]; acl != nil {
				data["ACL"] = acl
			}
			mustCreate(t, s, "A", data)
		}
		for _, who := range [][]string{{"*"}, {"*", "u1"}} {
			rule := readRuleOf(who...)
			clause, err := CompileClause(rule)
			if err != nil {
				t.Fatal(err)
			}
			queries := []Query{
				{},
				{Where: map[string]any{"n": map[string]any{"$gte": 3.0}}, Order: []string{"-n"}, Count: true},
				{Where: map[string]any{"g": "g1"}, Skip: 1, Limit: 2, Order: []string{"n"}, Count: true},
				{Where: map[string]any{"$or": []any{map[string]any{"n": 1.0}, map[string]any{"n": 2.0}}}},
				{GroupBy: []string{"g"}, GroupCount: true, Sum: []string{"n"}},
				{Where: map[string]any{"nope": 1.0}, Count: true},
			}
			for i, q := range queries {
				joined := q
				joined.Where = rule
				if len(q.Where) > 0 {
					joined.Where = map[string]any{"$and": []any{q.Where, rule}}
				}
				want, err := s.Find(ctx, "A", joined)
				if err != nil {
					t.Fatal(err)
				}
				q.And = clause
				got, err := s.Find(ctx, "A", q)
				if err != nil {
					t.Fatal(err)
				}
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				if string(g) != string(w) {
					t.Errorf("%v query %d: got %s\nwant %s", who, i, g, w)
				}
			}
		}
		// The clause never let every row through: the test compares something.
		clause, _ := CompileClause(readRuleOf("*"))
		res, err := s.Find(ctx, "A", Query{And: clause, Count: true})
		if err != nil || res.Count != 12 {
			t.Errorf("anonymous count %d (%v), want 12", res.Count, err)
		}
		// A bad where clause is still refused as Bmob refuses it.
		if _, err := s.Find(ctx, "A", Query{Where: map[string]any{"$bad": 1.0}, And: clause}); err == nil {
			t.Error("a bad where clause passed beside a precompiled one")
		}
	})
}

// TestCompileClauseRefusesSubQueries checks a clause whose answer depends on
// when it runs is refused, however deep it sits.
func TestCompileClauseRefusesSubQueries(t *testing.T) {
	for _, w := range []map[string]any{
		{"p": map[string]any{"$inQuery": map[string]any{"className": "B", "where": map[string]any{}}}},
		{"$or": []any{map[string]any{"p": map[string]any{"$select": map[string]any{}}}}},
		{"$relatedTo": map[string]any{"object": map[string]any{"className": "B", "objectId": "x"}, "key": "r"}},
		{"g": map[string]any{"$nearSphere": map[string]any{"__type": "GeoPoint", "latitude": 1.0, "longitude": 1.0}}},
	} {
		if _, err := CompileClause(w); !errors.Is(err, errClauseSubQuery) {
			t.Errorf("CompileClause(%v) = %v, want a refusal", w, err)
		}
	}
	if _, err := CompileClause(map[string]any{"$bad": 1.0}); err == nil {
		t.Error("a bad clause compiled")
	}
}

// TestSharedClauseUnderConcurrentFinds runs finds sharing one clause at once.
func TestSharedClauseUnderConcurrentFinds(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	mustCreate(t, s, "A", map[string]any{"n": 1.0})
	mustCreate(t, s, "A", map[string]any{"n": 2.0, "ACL": map[string]any{"u": map[string]any{"read": true}}})
	clause, err := CompileClause(readRuleOf("*"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				res, err := s.Find(ctx, "A", Query{And: clause, Count: true})
				if err != nil || res.Count != 1 {
					t.Errorf("count %d (%v), want 1", res.Count, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
