package store

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// testClock advances one second per reading, so createdAt order is the order
// of writes and times are predictable.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock {
	return &testClock{t: time.Date(2024, 3, 1, 10, 0, 0, 123456789, bjtime.Location)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func openTest(t testing.TB) (*boltStore, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.db")
	s, err := Open(path, Options{Now: newClock().Now})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s.(*boltStore), path
}

func mustCreate(t testing.TB, s Store, class string, data map[string]any) string {
	t.Helper()
	c, err := s.Create(context.Background(), class, data)
	if err != nil {
		t.Fatalf("Create %s %v: %v", class, data, err)
	}
	return c.ObjectID
}

func mustGet(t testing.TB, s Store, class, id string) map[string]any {
	t.Helper()
	o, err := s.Get(context.Background(), class, id, GetOptions{})
	if err != nil {
		t.Fatalf("Get %s/%s: %v", class, id, err)
	}
	return o
}

// bmobCode is the Bmob error code of err, or 0.
func bmobCode(err error) (int, string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, e.Message
	}
	return 0, ""
}

// obj decodes a JSON literal for table tests.
func obj(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := jsonUnmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func sortStrings(s []string) { sort.Strings(s) }

// engineNames are the engines every table-driven store test runs on.
var engineNames = []string{"bbolt", "postgres"}

// forEngines runs f once per engine as subtests, so a difference between
// the engines fails a test. PostgreSQL tests skip without the binaries
// (fail in CI; see pgtest).
func forEngines(t *testing.T, f func(t *testing.T, engine string)) {
	t.Helper()
	for _, e := range engineNames {
		t.Run(e, func(t *testing.T) { f(t, e) })
	}
}

// openEngine opens an empty store of engine with opt (the test clock when
// opt.Now is nil); path is the bbolt file, or the PostgreSQL DSN.
func openEngine(t testing.TB, engine string, opt Options) (Store, string) {
	t.Helper()
	if opt.Now == nil {
		opt.Now = newClock().Now
	}
	var (
		s      Store
		err    error
		target string
	)
	switch engine {
	case "bbolt":
		target = filepath.Join(t.TempDir(), "data.db")
		s, err = Open(target, opt)
	case "postgres":
		target = pgtest.DSN(t)
		s, err = OpenPostgres(context.Background(), target, opt, PostgresOptions{})
	default:
		t.Fatalf("unknown engine %s", engine)
	}
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { s.Close() })
	return s, target
}
