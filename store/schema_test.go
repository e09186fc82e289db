package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestWritesSeeEverySchemaChange changes a class's schema through every
// route that can (a create or an update adding a field, an import replacing
// the data, a write that fails) and checks the next write is held to the
// schema as it now is, not as a cache remembers it.
func TestWritesSeeEverySchemaChange(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		ctx := context.Background()
		wantType := func(t *testing.T, data map[string]any, code int) {
			t.Helper()
			_, err := s.Create(ctx, "T", data)
			if got, msg := bmobCode(err); got != code {
				t.Fatalf("Create T %v: code %d (%s, %v), want %d", data, got, msg, err, code)
			}
		}
		id := mustCreate(t, s, "T", map[string]any{"a": "x"})
		wantType(t, map[string]any{"a": 1.0}, 111)

		// An update adds a field: the next create sees its type.
		if _, err := s.Update(ctx, "T", id, map[string]any{"b": 1.0}); err != nil {
			t.Fatal(err)
		}
		wantType(t, map[string]any{"b": "s"}, 111)
		// A create adds a field: the next update sees it.
		mustCreate(t, s, "T", map[string]any{"c": true})
		if _, err := s.Update(ctx, "T", id, map[string]any{"c": 1.0}); err == nil {
			t.Fatal("an update wrote a Number into the Boolean field a create added")
		}

		// A write that fails adds nothing: its new field is still free.
		wantType(t, map[string]any{"d": 1.0, "a": 2.0}, 111)
		wantType(t, map[string]any{"d": "now a string"}, 0)

		// An import replaces the schema: the old types are gone, the new hold.
		doc := `{"format":"bmobemu-export","version":1,"classes":{"T":[` +
			`{"objectId":"i1","createdAt":"2024-01-01 00:00:00","updatedAt":"2024-01-01 00:00:00","a":5}]}}`
		if err := s.Import(ctx, strings.NewReader(doc)); err != nil {
			t.Fatal(err)
		}
		wantType(t, map[string]any{"a": "x"}, 111)
		wantType(t, map[string]any{"b": "s", "c": 1.0, "d": false}, 0)
		wantType(t, map[string]any{"a": 6.0}, 0)

		// An import without the class drops its schema.
		if err := s.Import(ctx, strings.NewReader(`{"format":"bmobemu-export","version":1,"classes":{}}`)); err != nil {
			t.Fatal(err)
		}
		wantType(t, map[string]any{"a": true}, 0)
		wantType(t, map[string]any{"a": "x"}, 111)
	})
}

// TestConcurrentWritersAddingFields has writers add fields to one class at
// once, through the group commit, while readers read it: every field's type
// must end up in the schema, and a clash with one must be refused.
func TestConcurrentWritersAddingFields(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		ctx := context.Background()
		const writers, fields = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*fields*2)
		for w := range writers {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for f := range fields {
					if _, err := s.Create(ctx, "C", map[string]any{fmt.Sprintf("w%df%d", w, f): float64(f)}); err != nil {
						errs <- err
					}
				}
			}()
			go func() {
				defer wg.Done()
				for range fields {
					if _, err := s.Find(ctx, "C", Query{Where: map[string]any{"w0f0": 0.0}}); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		all, err := s.Schemas(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(all["C"]); got != writers*fields {
			t.Fatalf("schema of C has %d fields, want %d: %v", got, writers*fields, all["C"])
		}
		for w := range writers {
			name := fmt.Sprintf("w%df9", w)
			if _, err := s.Create(ctx, "C", map[string]any{name: "text"}); err == nil {
				t.Errorf("a String went into Number field %s", name)
			}
		}
	})
}

// TestSchemaCacheDecodesOnce checks the cache answers the same bytes with
// the same decoded schema, and other bytes with a fresh decode.
func TestSchemaCacheDecodesOnce(t *testing.T) {
	c := newSchemaCache()
	first, err := c.decode("T", []byte(`{"a":"String"}`))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := c.decode("T", []byte(`{"a":"String"}`))
	first["probe"] = "x" // only to tell the maps apart
	if again["probe"] != "x" {
		t.Error("the same bytes were decoded again")
	}
	other, _ := c.decode("T", []byte(`{"a":"Number"}`))
	if other["a"] != "Number" || other["probe"] != "" {
		t.Errorf("changed bytes gave %v", other)
	}
	if none, _ := c.decode("T", nil); len(none) != 0 {
		t.Errorf("no schema gave %v", none)
	}
	if _, err := c.decode("T", []byte(`{`)); err == nil {
		t.Error("a damaged schema decoded")
	}
}

// TestMergeSchemaLeavesItsInputAlone checks a write never modifies the
// shared decoded schema, even when it adds a field.
func TestMergeSchemaLeavesItsInputAlone(t *testing.T) {
	shared := map[string]string{"a": "String"}
	fields := map[string]any{"a": "x", "b": 1.0}
	plan := []action{{op: "set", path: []string{"a"}}, {op: "set", path: []string{"b"}}}
	merged, changed, err := mergeSchema(shared, fields, plan)
	if err != nil || !changed {
		t.Fatalf("changed %v, err %v", changed, err)
	}
	if merged["b"] != "Number" || len(shared) != 1 {
		t.Errorf("merged %v, shared %v", merged, shared)
	}
}
