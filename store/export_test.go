package store

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportImportRoundTrip(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		src, _ := openEngine(t, engine, Options{})
		ctx := context.Background()
		ids := seed(t, src)
		mustCreate(t, src, "Post", map[string]any{"likes": map[string]any{"__op": "AddRelation", "objects": []any{
			map[string]any{"__type": "Pointer", "className": "_User", "objectId": ids["u1"]}}}})
		var first bytes.Buffer
		if err := src.Export(ctx, &first); err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(first.Bytes(), &doc); err != nil || doc["format"] != "bmobemu-export" || doc["version"] != 1.0 {
			t.Fatalf("export header: %v %v", doc["format"], err)
		}

		dst, _ := openEngine(t, engine, Options{})
		mustCreate(t, dst, "Old", map[string]any{"x": 1.0}) // replaced by the import
		if err := dst.Import(ctx, bytes.NewReader(first.Bytes())); err != nil {
			t.Fatal(err)
		}
		var second bytes.Buffer
		if err := dst.Export(ctx, &second); err != nil {
			t.Fatal(err)
		}
		if first.String() != second.String() {
			t.Errorf("round trip differs:\n%s\n%s", first.String(), second.String())
		}
		// Imported data is live: queries, relations and the schema work.
		res, err := dst.Find(ctx, "Item", Query{Limit: -1, Where: map[string]any{"city": "SZ"}})
		if err != nil || names(res) != "a,c" {
			t.Errorf("query after import: %q %v", names(res), err)
		}
		if _, err := dst.Create(ctx, "Item", map[string]any{"score": "x"}); err == nil {
			t.Error("imported schema not enforced")
		}
		if _, err := dst.Get(ctx, "Old", "x", GetOptions{}); err == nil {
			t.Error("import kept an old class")
		}
		rel, err := dst.Find(ctx, "_User", Query{Limit: -1, Where: obj(t, `{"$relatedTo":{"object":{"__type":"Pointer","className":"Post","objectId":"`+
			strings.TrimSpace(firstID(t, dst, "Post"))+`"},"key":"likes"}}`)})
		if err != nil || len(rel.Results) != 1 {
			t.Errorf("relation members lost in import: %v %v", rel.Results, err)
		}
	})
}

func firstID(t *testing.T, s Store, class string) string {
	res, err := s.Find(context.Background(), class, Query{Limit: 1})
	if err != nil || len(res.Results) == 0 {
		t.Fatalf("no %s rows: %v", class, err)
	}
	return res.Results[0]["objectId"].(string)
}

func TestImportErrorsChangeNothing(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		tests := []struct{ name, doc string }{
			{"not json", `{"format":`},
			{"wrong format", `{"format":"other","version":1,"classes":{}}`},
			{"bad class", `{"format":"bmobemu-export","version":1,"classes":{"9x":[]}}`},
			{"no objectId", `{"format":"bmobemu-export","version":1,"classes":{"A":[{"createdAt":"2024-01-01 00:00:00","updatedAt":"2024-01-01 00:00:00"}]}}`},
			{"bad time", `{"format":"bmobemu-export","version":1,"classes":{"A":[{"objectId":"a","createdAt":"soon","updatedAt":"2024-01-01 00:00:00"}]}}`},
			{"type clash", `{"format":"bmobemu-export","version":1,"classes":{"A":[` +
				`{"objectId":"a","createdAt":"2024-01-01 00:00:00","updatedAt":"2024-01-01 00:00:00","n":1},` +
				`{"objectId":"b","createdAt":"2024-01-01 00:00:00","updatedAt":"2024-01-01 00:00:00","n":"1"}]}}`},
			{"duplicate id", `{"format":"bmobemu-export","version":1,"classes":{"A":[` +
				`{"objectId":"a","createdAt":"2024-01-01 00:00:00","updatedAt":"2024-01-01 00:00:00"},` +
				`{"objectId":"a","createdAt":"2024-01-01 00:00:00","updatedAt":"2024-01-01 00:00:00"}]}}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, _ := openEngine(t, engine, Options{})
				ctx := context.Background()
				mustCreate(t, s, "Keep", map[string]any{"x": 1.0})
				var before, after bytes.Buffer
				s.Export(ctx, &before)
				if err := s.Import(ctx, strings.NewReader(tt.doc)); err == nil {
					t.Fatal("Import accepted a bad document")
				}
				s.Export(ctx, &after)
				if before.String() != after.String() {
					t.Error("a failed import changed the data")
				}
			})
		}
	})
}

func TestExportFileReplacesAtomically(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		ctx := context.Background()
		dir := t.TempDir()
		path := filepath.Join(dir, "export.json")
		if err := os.WriteFile(path, []byte("old export"), 0o600); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, s, "A", map[string]any{"x": 1.0})
		if err := ExportFile(ctx, s, path); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		var buf bytes.Buffer
		s.Export(ctx, &buf)
		if string(b) != buf.String() {
			t.Errorf("file holds %q", b)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("temp files left behind: %v", entries)
		}
		// A failing export (cancelled context) leaves the previous file intact.
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if err := ExportFile(cancelled, s, path); err == nil {
			t.Fatal("cancelled export succeeded")
		}
		if b2, _ := os.ReadFile(path); string(b2) != string(b) {
			t.Error("failed export damaged the existing file")
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("temp files left behind after failure: %v", entries)
		}
	})
}
