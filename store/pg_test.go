package store

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/bmobemu/bmobemu/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

func openPG(t *testing.T, dsn string) Store {
	t.Helper()
	s, err := OpenPostgres(context.Background(), dsn, Options{PasswordIterations: 1000}, PostgresOptions{MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestPostgresSchemaIsVersioned: processes opening a fresh database at once
// set the tables up once; the version is recorded; a database from a newer
// bmobemu is refused with a clear error.
func TestPostgresSchemaIsVersioned(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := OpenPostgres(ctx, dsn, Options{}, PostgresOptions{})
			if err != nil {
				errs <- err
				return
			}
			s.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent open: %v", err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, `SELECT version FROM bmob_schema_version`).Scan(&v); err != nil || v != PostgresSchemaVersion {
		t.Fatalf("version %d, %v; want %d", v, err, PostgresSchemaVersion)
	}
	if _, err := conn.Exec(ctx, `UPDATE bmob_schema_version SET version = 99`); err != nil {
		t.Fatal(err)
	}
	_, err = OpenPostgres(ctx, dsn, Options{}, PostgresOptions{})
	if err == nil || !strings.Contains(err.Error(), "schema version 99, newer than") {
		t.Fatalf("a newer schema: %v", err)
	}
}

// TestPostgresFromEnvironment: --db postgres:// takes host, user and
// database from the PG* environment variables.
func TestPostgresFromEnvironment(t *testing.T) {
	u, err := url.Parse(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGHOST", u.Query().Get("host"))
	t.Setenv("PGUSER", "postgres")
	t.Setenv("PGDATABASE", strings.TrimPrefix(u.Path, "/"))
	t.Setenv("PGSSLMODE", "disable")
	s, err := OpenDB("postgres://", Options{}, PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustCreate(t, s, "Env", map[string]any{"a": 1.0})
	// The row is in the database the environment named.
	direct := openPG(t, u.String())
	if res, err := direct.Find(context.Background(), "Env", Query{Limit: -1, Count: true}); err != nil || res.Count != 1 {
		t.Fatalf("count through the URL: %d %v", res.Count, err)
	}
	if got := Redact("postgres://bob:s3cret@db.example:5432/app"); strings.Contains(got, "s3cret") {
		t.Fatalf("Redact kept the password: %s", got)
	}
}

// TestPostgresTwoStoresOneDatabase: two stores (two processes) on one
// database see each other's writes at once, a username race has one winner,
// and concurrent increments through both are all counted.
func TestPostgresTwoStoresOneDatabase(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	a, b := openPG(t, dsn), openPG(t, dsn)
	id := mustCreate(t, a, "Counter", map[string]any{"n": 0.0})
	if got := mustGet(t, b, "Counter", id); got["n"] != 0.0 {
		t.Fatalf("b reads %v", got)
	}
	const workers, each = 16, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	won := make(chan string, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := []Store{a, b}[w%2]
			for i := 0; i < each; i++ {
				if _, err := s.Update(ctx, "Counter", id, map[string]any{"n": map[string]any{"__op": "Increment", "amount": 1}}); err != nil {
					errs <- err
				}
			}
			c, err := s.Create(ctx, "_User", map[string]any{"username": "same", "password": "pw"})
			if err == nil {
				won <- c.ObjectID
			} else if code, _ := bmobCode(err); code != 202 {
				errs <- fmt.Errorf("signup race: %w", err)
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	close(won)
	for err := range errs {
		t.Fatal(err)
	}
	if n := len(won); n != 1 {
		t.Fatalf("%d users named same were created", n)
	}
	if got := mustGet(t, a, "Counter", id); got["n"] != float64(workers*each) {
		t.Fatalf("n = %v after %d increments", got["n"], workers*each)
	}
	winner := <-won
	// A login through a, a session checked through b.
	if ok, err := a.CheckPassword(ctx, winner, "pw"); !ok || err != nil {
		t.Fatalf("password through a: %v %v", ok, err)
	}
	sess, err := a.CreateSession(ctx, winner, 3600e9)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := b.Session(ctx, sess.Token); !ok || err != nil || got.UserID != winner {
		t.Fatalf("session through b: %+v %v %v", got, ok, err)
	}
	if got, ok, _ := b.Lookup(ctx, "_User", "username", "same"); !ok || got != winner {
		t.Fatalf("lookup through b: %s %v", got, ok)
	}
}

// TestExportMovesBetweenEngines: an export of bbolt imported into PostgreSQL
// exports byte-identically, and back (how an app moves, see the README).
func TestExportMovesBetweenEngines(t *testing.T) {
	ctx := context.Background()
	bolt, _ := openEngine(t, "bbolt", Options{PasswordIterations: 1000})
	pg, _ := openEngine(t, "postgres", Options{PasswordIterations: 1000})
	back, _ := openEngine(t, "bbolt", Options{PasswordIterations: 1000})
	ids := seed(t, bolt)
	mustCreate(t, bolt, "_User", map[string]any{"username": "carl", "password": "pw", "email": "c@x.cn"})
	mustCreate(t, bolt, "Post", map[string]any{"likes": map[string]any{"__op": "AddRelation", "objects": []any{
		map[string]any{"__type": "Pointer", "className": "_User", "objectId": ids["u1"]}}}, "n": 1e21, "f": 0.1})
	var first, second, third bytes.Buffer
	if err := bolt.Export(ctx, &first); err != nil {
		t.Fatal(err)
	}
	if err := pg.Import(ctx, bytes.NewReader(first.Bytes())); err != nil {
		t.Fatal(err)
	}
	if err := pg.Export(ctx, &second); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Fatalf("bbolt -> postgres differs:\n%s\n%s", first.String(), second.String())
	}
	if err := back.Import(ctx, bytes.NewReader(second.Bytes())); err != nil {
		t.Fatal(err)
	}
	if err := back.Export(ctx, &third); err != nil {
		t.Fatal(err)
	}
	if first.String() != third.String() {
		t.Fatalf("postgres -> bbolt differs:\n%s\n%s", first.String(), third.String())
	}
	// Logins travel: the password hash came along.
	id, ok, err := pg.Lookup(ctx, "_User", "username", "carl")
	if !ok || err != nil {
		t.Fatalf("lookup after import: %v %v", ok, err)
	}
	if ok, err := pg.CheckPassword(ctx, id, "pw"); !ok || err != nil {
		t.Fatalf("password after import: %v %v", ok, err)
	}
}

// TestStateKeeperOnBothEngines: the sandbox's records (opaque values under
// keys) are kept, listed by prefix in byte order, and removed alike.
func TestStateKeeperOnBothEngines(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		k, ok := s.(StateKeeper)
		if !ok {
			t.Fatalf("%s store keeps no state", engine)
		}
		if err := k.SaveStates(map[string][]byte{"trade/b": []byte("2"), "trade/a": {0, 1}, "trade_x": []byte("x"), "notify/1": []byte("n")}); err != nil {
			t.Fatal(err)
		}
		keys, err := k.StateKeys("trade/")
		if err != nil || strings.Join(keys, ",") != "trade/a,trade/b" {
			t.Fatalf("keys %v %v", keys, err)
		}
		if v, err := k.LoadState("trade/a"); err != nil || !bytes.Equal(v, []byte{0, 1}) {
			t.Fatalf("load %v %v", v, err)
		}
		if err := k.SaveStates(map[string][]byte{"trade/a": nil, "trade/b": []byte("3")}); err != nil {
			t.Fatal(err)
		}
		if v, err := k.LoadState("trade/a"); err != nil || v != nil {
			t.Fatalf("removed key: %v %v", v, err)
		}
		if v, _ := k.LoadState("trade/b"); string(v) != "3" {
			t.Fatalf("replaced value: %q", v)
		}
		if keys, _ := k.StateKeys("trade_"); strings.Join(keys, ",") != "trade_x" {
			t.Fatalf("prefix with _: %v", keys)
		}
	})
}

// TestPostgresUpgradesAnOldSchema: a database at schema version 1 is
// upgraded at open and keeps its objects.
func TestPostgresUpgradesAnOldSchema(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{
		`CREATE TABLE bmob_schema_version (id int PRIMARY KEY, version int NOT NULL)`,
		`INSERT INTO bmob_schema_version VALUES (1, 1)`,
		pgMigrations[0],
		`INSERT INTO bmob_classes VALUES ('Old', '{"a":"Number"}')`,
		`INSERT INTO bmob_objects VALUES ('Old', 'abcdef0123', 1700000000000000, 1700000000000000, '{"a":1}')`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	s := openPG(t, dsn)
	if got := mustGet(t, s, "Old", "abcdef0123"); got["a"] != 1.0 || got["createdAt"] != "2023-11-15 06:13:20" {
		t.Fatalf("old object: %v", got)
	}
	if err := s.(StateKeeper).SaveStates(map[string][]byte{"k": []byte("v")}); err != nil {
		t.Fatalf("the table of version 2: %v", err)
	}
	var v int
	if err := conn.QueryRow(ctx, `SELECT version FROM bmob_schema_version`).Scan(&v); err != nil || v != PostgresSchemaVersion {
		t.Fatalf("version %d %v", v, err)
	}
}

// TestEnginesKeepNUL: a string holding the NUL character (which JSONB
// cannot hold, so PostgreSQL stores it escaped) is kept and read back alike on
// both engines: in objects, updates, a unique username, a Get by a NUL id.
func TestEnginesKeepNUL(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{PasswordIterations: 1000})
		ctx := context.Background()
		id := mustCreate(t, s, "Nul", map[string]any{"s": "a\x00b", "text": `a \u0000 written out`, "esc": "\x01\x02"})
		if _, err := s.Update(ctx, "Nul", id, map[string]any{"s": "x\x00", "list": map[string]any{"__op": "Add", "objects": []any{"\x00\x01"}}}); err != nil {
			t.Fatalf("update with NUL: %v", err)
		}
		got := mustGet(t, s, "Nul", id)
		if got["s"] != "x\x00" || got["text"] != `a \u0000 written out` || got["esc"] != "\x01\x02" || fmt.Sprint(got["list"]) != "[\x00\x01]" {
			t.Fatalf("read back: %q", got)
		}
		user := mustCreate(t, s, "_User", map[string]any{"username": "ad\x00a", "password": "pw"})
		if found, ok, err := s.Lookup(ctx, "_User", "username", "ad\x00a"); err != nil || !ok || found != user {
			t.Fatalf("lookup of a NUL username: %q %v %v", found, ok, err)
		}
		if _, ok, err := s.Lookup(ctx, "_User", "username", "ad\x01\x01a"); err != nil || ok {
			t.Fatalf("the escaped form found the user: %v %v", ok, err)
		}
		if _, err := s.Create(ctx, "_User", map[string]any{"username": "ad\x00a", "password": "pw"}); err == nil {
			t.Fatal("a second user with the same NUL username")
		}
		if _, err := s.Get(ctx, "Nul", "a\x00", GetOptions{}); err == nil || !strings.Contains(err.Error(), "101") {
			t.Fatalf("a NUL objectId: %v", err)
		}
	})
}
