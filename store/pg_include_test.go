package store

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// TestPostgresIncludeReadsOnceALevel: the objects an include reaches are read
// with one query per level of the include (here two levels: 30 comments'
// items, and those items' owners), none one by one; a missing target stays a
// Pointer; the answer equals the one read pointer by pointer.
func TestPostgresIncludeReadsOnceALevel(t *testing.T) {
	ctx := context.Background()
	s := openPG(t, pgtest.DSN(t)).(*pgStore)
	owner := mustCreate(t, s, "_User", map[string]any{"username": "ada", "password": "pw"})
	var recs []*record
	for i := 0; i < 30; i++ {
		item := mustCreate(t, s, "Item", map[string]any{"name": fmt.Sprint("item ", i),
			"owner": map[string]any{"__type": "Pointer", "className": "_User", "objectId": owner}})
		if i == 7 {
			item = "gone" // a pointer to nothing
		}
		id := mustCreate(t, s, "Comment", map[string]any{"n": float64(i),
			"item": map[string]any{"__type": "Pointer", "className": "Item", "objectId": item}})
		r, err := s.record(ctx, "Comment", id)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	inc := parseInclude([]string{"item.owner"})
	cache, err := s.prefetchIncludes(ctx, recs, inc)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		fast, slow := r.view(), r.view()
		expand(ctx, cache, fast, inc)
		expand(ctx, s, slow, inc)
		if a, b := canonObj(t, fast), canonObj(t, slow); a != b {
			t.Fatalf("comment %d:\nprefetched %s\none by one %s", i, a, b)
		}
		item, _ := fast["item"].(map[string]any)
		switch {
		case i == 7 && item["__type"] != "Pointer":
			t.Fatalf("a missing target: %v", item)
		case i != 7 && (item["__type"] != "Object" || item["owner"].(map[string]any)["username"] != "ada"):
			t.Fatalf("comment %d: %v", i, fast)
		}
	}
	if cache.reads != 0 {
		t.Fatalf("%d objects read one by one", cache.reads)
	}
	res, err := s.Find(ctx, "Comment", Query{Order: []string{"n"}, Limit: -1, Include: []string{"item.owner"}})
	if err != nil || len(res.Results) != 30 {
		t.Fatalf("find: %d %v", len(res.Results), err)
	}
}

func canonObj(t *testing.T, obj map[string]any) string {
	t.Helper()
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
