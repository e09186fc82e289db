package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestPostgresFieldIndex: IndexField makes an index the planner can use for
// the where translation's equality, $in and $all on that field of that class
// (checked with EXPLAIN on 20,000 rows), answers stay the same with it, it is listed, made once, dropped;
// system columns are refused with 105.
func TestPostgresFieldIndex(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s := openPG(t, dsn)
	ix := s.(FieldIndexer)
	for i := 0; i < 50; i++ {
		mustCreate(t, s, "Big", map[string]any{"city": fmt.Sprintf("c%d", i%100), "n": float64(i)})
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// Enough rows, written directly, for the planner to prefer an index.
	if _, err := conn.Exec(ctx, `INSERT INTO bmob_objects (class, id, created, updated, fields)
		SELECT 'Big', 'g' || i, i, i, jsonb_build_object('city', 'c' || (i % 100), 'n', i) FROM generate_series(1000, 20000) i;
		ANALYZE bmob_objects`); err != nil {
		t.Fatal(err)
	}
	queries := []map[string]any{
		where(`{"city":"c7"}`),
		where(`{"city":{"$in":["c1","c2"]},"n":{"$gte":100}}`),
		where(`{"$or":[{"city":"c3"},{"city":"c4"}]}`),
	}
	before := map[int]string{}
	for i, w := range queries {
		res, err := s.Find(ctx, "Big", Query{Where: w, Limit: MaxLimit, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		before[i] = canon(t, res)
	}

	if made, err := ix.IndexField(ctx, "Big", "city"); err != nil || !made {
		t.Fatalf("index: %v %v", made, err)
	}
	if made, err := ix.IndexField(ctx, "Big", "city"); err != nil || made {
		t.Fatalf("index again: %v %v", made, err)
	}
	if _, err := ix.IndexField(ctx, "Big", "objectId"); err == nil || !strings.Contains(err.Error(), "105") {
		t.Fatalf("index objectId: %v", err)
	}
	list, err := ix.FieldIndexes(ctx)
	if err != nil || len(list) != 1 || list[0].Class != "Big" || list[0].Field != "city" {
		t.Fatalf("list: %v %v", list, err)
	}

	if _, err := conn.Exec(ctx, `ANALYZE bmob_objects`); err != nil {
		t.Fatal(err)
	}
	plan := func(class string, w map[string]any) string {
		b, inClass := classWhere(class)
		cond, _ := b.where(w)
		rows, err := conn.Query(ctx, `EXPLAIN SELECT id FROM bmob_objects WHERE `+inClass+` AND `+cond, b.args...)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(lines, "\n")
	}
	for i, w := range queries {
		if p := plan("Big", w); !strings.Contains(p, list[0].Name) {
			t.Errorf("query %d does not use the index:\n%s", i, p)
		}
		res, err := s.Find(ctx, "Big", Query{Where: w, Limit: MaxLimit, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := canon(t, res); got != before[i] {
			t.Errorf("query %d answers differently with the index:\n%s\n%s", i, before[i], got)
		}
	}
	if p := plan("Other", queries[0]); strings.Contains(p, list[0].Name) {
		t.Errorf("another class uses Big's index:\n%s", p)
	}

	if ok, err := ix.DropFieldIndex(ctx, "Big", "city"); err != nil || !ok {
		t.Fatalf("drop: %v %v", ok, err)
	}
	if p := plan("Big", queries[0]); strings.Contains(p, list[0].Name) {
		t.Errorf("dropped index still used:\n%s", p)
	}
	if list, err := ix.FieldIndexes(ctx); err != nil || len(list) != 0 {
		t.Fatalf("list after drop: %v %v", list, err)
	}
}
