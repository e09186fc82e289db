package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/bmobemu/bmobemu/internal/dbdamage"
)

// nested is a value with depth levels of objects ({"a":{"a":…1}}).
func nested(depth int) any {
	var v any = 1.0
	for range depth {
		v = map[string]any{"a": v}
	}
	return v
}

// nestedJSON is the same as JSON text, built without recursion.
func nestedJSON(depth int) string {
	return strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
}

// TestDeepValuesRefusedAtWrite is issue 10 item 4: an over-deep value is a
// Bmob-style 107 at write time, not a record that cannot be read back.
func TestDeepValuesRefusedAtWrite(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	if _, err := s.Create(ctx, "Deep", map[string]any{"ok": nested(MaxNesting)}); err != nil {
		t.Fatalf("%d levels refused: %v", MaxNesting, err)
	}
	for _, depth := range []int{MaxNesting + 1, 10_000} {
		_, err := s.Create(ctx, "Deep", map[string]any{"v": nested(depth)})
		var be *Error
		if !errors.As(err, &be) || be.Code != 107 || !strings.Contains(be.Message, "deeper than 100 levels") || !strings.Contains(be.Message, "v") {
			t.Fatalf("%d levels: %v, want a 107 naming the field and the limit", depth, err)
		}
	}
	created, err := s.Create(ctx, "Deep", map[string]any{"n": 1.0})
	if err != nil {
		t.Fatal(err)
	}
	// An array of objects counts too, and an update is checked the same way.
	deepArray := []any{nested(MaxNesting)}
	if _, err := s.Update(ctx, "Deep", created.ObjectID, map[string]any{"list": deepArray}); err == nil {
		t.Fatal("an update nesting 101 levels was accepted")
	}
	res, err := s.Find(ctx, "Deep", Query{Limit: -1})
	if err != nil || len(res.Results) != 2 {
		t.Fatalf("after the refusals: %d rows, %v", len(res.Results), err)
	}
}

// putRaw writes value as object id of class straight into the bbolt file,
// as an older bmobemu (or a damaged disk) could have left it.
func putRaw(t *testing.T, path, class, id string, value []byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(classesBucket).CreateBucketIfNotExists([]byte(class))
		if err != nil {
			return err
		}
		return b.Put([]byte(id), value)
	}); err != nil {
		t.Fatal(err)
	}
}

// logLines collects a store's log.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) log(level, line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+": "+line)
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// TestOneBadRecordCannotBreakItsClass is issue 10 item 4: a stored record that
// does not decode (the 10,000-level object old versions accepted) is skipped,
// logged and named; the rest of its class and the export still work.
func TestOneBadRecordCannotBreakItsClass(t *testing.T) {
	path := filepath.Join(t.TempDir(), "poison.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	good, err := s.Create(ctx, "Deep", map[string]any{"name": "fine"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	putRaw(t, path, "Deep", "badbadbad1", []byte(`{"c":1,"u":1,"f":{"x":`+nestedJSON(10_001)+`}}`))

	var logs logLines
	st, err := Open(path, Options{Log: logs.log})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := st.Find(ctx, "Deep", Query{Limit: -1})
	if err != nil || len(res.Results) != 1 || res.Results[0]["objectId"] != good.ObjectID {
		t.Fatalf("reading the class: %v %v", res.Results, err)
	}
	if _, err := st.Get(ctx, "Deep", good.ObjectID, GetOptions{}); err != nil {
		t.Fatalf("reading the good row: %v", err)
	}
	if !strings.Contains(logs.String(), "Deep/badbadbad1") {
		t.Fatalf("the skipped record is not named in the log: %s", logs.String())
	}
	var out bytes.Buffer
	if err := st.Export(ctx, &out); err != nil {
		t.Fatalf("export: %v", err)
	}
	if !strings.Contains(out.String(), good.ObjectID) || strings.Contains(out.String(), "badbadbad1") {
		t.Fatalf("export: %.300s", out.String())
	}
	damaged := st.(DamageReporter).Damaged()
	if len(damaged) != 1 || damaged[0].ObjectID != "badbadbad1" || !strings.Contains(damaged[0].Reason, "exceeded max depth") {
		t.Fatalf("Damaged() = %+v", damaged)
	}
	// The bad record can be deleted, and then the db is clean.
	if err := st.Delete(ctx, "Deep", "badbadbad1"); err != nil {
		t.Fatalf("deleting the bad record: %v", err)
	}
}

// bigAndSmall makes a db with a class spanning many pages and a small one,
// and returns its path.
func bigAndSmall(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "damaged.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pad := strings.Repeat("x", 300)
	for i := range 400 {
		if _, err := s.Create(ctx, "Big", map[string]any{"i": float64(i), "pad": pad}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		if _, err := s.Create(ctx, "Small", map[string]any{"i": float64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func damageLeaf(t *testing.T, path, class string, fill byte) {
	t.Helper()
	if err := dbdamage.LeafPage(path, class, fill); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedPageIsContained is issue 10 item 5 at the store boundary: a bbolt
// panic on a damaged page is an ErrDamaged error, other classes still read,
// Check describes the damage and Salvage copies every readable row.
func TestDamagedPageIsContained(t *testing.T) {
	for _, fill := range []byte{0x00, 0xAB} {
		t.Run(fmt.Sprintf("fill %#x", fill), func(t *testing.T) {
			path := bigAndSmall(t)
			damageLeaf(t, path, "Big", fill)
			ctx := context.Background()
			st, err := Open(path, Options{})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			_, err = st.Find(ctx, "Big", Query{Limit: -1})
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "database damaged") {
				t.Fatalf("reading the damaged class: %v, want ErrDamaged", err)
			}
			if res, err := st.Find(ctx, "Small", Query{Limit: -1}); err != nil || len(res.Results) != 5 {
				t.Fatalf("reading an intact class: %d rows, %v", len(res.Results), err)
			}
			if _, err := st.Create(ctx, "Small", map[string]any{"i": 5.0}); err != nil {
				t.Fatalf("writing an intact class: %v", err)
			}
			if err := st.Export(ctx, &bytes.Buffer{}); !errors.Is(err, ErrDamaged) {
				t.Fatalf("export of a damaged file: %v, want ErrDamaged", err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}

			rep, err := Check(path)
			if err != nil {
				t.Fatal(err)
			}
			var big, small ClassHealth
			for _, c := range rep.Classes {
				switch c.Name {
				case "Big":
					big = c
				case "Small":
					small = c
				}
			}
			if rep.OK() || big.Unreadable == "" || big.Readable == 0 || big.Readable >= 400 || small.Readable != 6 || small.Unreadable != "" {
				t.Fatalf("check: ok=%v big=%+v small=%+v problems=%v", rep.OK(), big, small, rep.Problems)
			}

			saved := filepath.Join(t.TempDir(), "saved.db")
			srep, err := Salvage(path, saved)
			if err != nil {
				t.Fatal(err)
			}
			if srep.Copied["Big"] != big.Readable || srep.Copied["Small"] != 6 {
				t.Fatalf("salvage copied %v, check saw %d readable Big rows", srep.Copied, big.Readable)
			}
			again, err := Check(saved)
			if err != nil || !again.OK() {
				t.Fatalf("the salvaged file is not clean: %+v %v", again, err)
			}
			st2, err := Open(saved, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st2.Close()
			res, err := st2.Find(ctx, "Big", Query{Limit: 1000})
			if err != nil || len(res.Results) != big.Readable {
				t.Fatalf("salvaged Big: %d rows, %v", len(res.Results), err)
			}
			// The rows kept are whole.
			b, _ := json.Marshal(res.Results[0])
			if !strings.Contains(string(b), `"pad":"xxx`) {
				t.Fatalf("salvaged row: %s", b)
			}
			if _, err := Salvage(path, saved); err == nil {
				t.Fatal("salvage overwrote an existing file")
			}
		})
	}
}
