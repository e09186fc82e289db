package multiproc

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestStatementTimeoutFlag: `serve --pg-statement-timeout 300ms` bounds every
// statement: a REST update of a row another connection holds is answered
// with an error instead of waiting for the row (the client would time out
// after 20 s), and the same update succeeds once the row is free.
func TestStatementTimeoutFlag(t *testing.T) {
	db := pgtest.DSN(t)
	dir := t.TempDir()
	fns := functionsDir(t, dir, nil)
	s := start(t, binary(t), db, filepath.Join(dir, "state"), fns, "--pg-statement-timeout", "300ms")
	ctx := context.Background()
	code, created, err := call(ctx, "POST", s.base+"/1/classes/Held", `{"n":1}`)
	if err != nil || code != http.StatusCreated {
		t.Fatalf("create: %d %v %v", code, created, err)
	}
	id, _ := created["objectId"].(string)

	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT 1 FROM bmob_objects WHERE class = 'Held' AND id = $1 FOR UPDATE`, id); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	code, out, err := call(ctx, "PUT", s.base+"/1/classes/Held/"+id, `{"n":2}`)
	if err != nil {
		t.Fatalf("update of the held row: %v (the statement timeout did not end it)", err)
	}
	t.Logf("answered after %v: %d %v", time.Since(began), code, out)
	msg, _ := out["error"].(string)
	if code < 400 || !strings.Contains(strings.ToLower(msg), "timeout") {
		t.Fatalf("update of a held row answered %d %v", code, out)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if code, out, err := call(ctx, "PUT", s.base+"/1/classes/Held/"+id, `{"n":3}`); err != nil || code != http.StatusOK {
		t.Fatalf("update once the row is free: %d %v %v", code, out, err)
	}
}
