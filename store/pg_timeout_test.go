package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/pgtest"
	"github.com/jackc/pgx/v5"
)

// TestPostgresStatementTimeout: with PostgresOptions.StatementTimeout (the
// --pg-statement-timeout flag), a statement that waits on a row another
// connection holds ends with PostgreSQL's statement-timeout error instead of
// waiting; the store keeps working once the row is free. Without the option
// the same write waits for the lock (checked for a while, then released).
func TestPostgresStatementTimeout(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	s, err := OpenPostgres(ctx, dsn, Options{}, PostgresOptions{MaxConns: 4, StatementTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	patient := openPG(t, dsn)
	made, err := s.Create(ctx, "Held", map[string]any{"n": 1.0})
	if err != nil {
		t.Fatal(err)
	}

	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM bmob_objects WHERE class = 'Held' AND id = $1 FOR UPDATE`, made.ObjectID); err != nil {
		t.Fatal(err)
	}

	began := time.Now()
	_, err = s.Update(ctx, "Held", made.ObjectID, map[string]any{"n": 2.0})
	if err == nil || !strings.Contains(err.Error(), "statement timeout") {
		t.Fatalf("update of a held row with a 300ms statement timeout: %v", err)
	}
	t.Logf("ended after %v: %v", time.Since(began), err)

	// Without a timeout the write waits for the lock.
	done := make(chan error, 1)
	go func() {
		_, err := patient.Update(ctx, "Held", made.ObjectID, map[string]any{"n": 3.0})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a store without a timeout did not wait for the held row: %v", err)
	case <-time.After(2 * time.Second):
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the waiting update, once the row is free: %v", err)
	}
	if _, err := s.Update(ctx, "Held", made.ObjectID, map[string]any{"n": 4.0}); err != nil {
		t.Fatalf("the timed store once the row is free: %v", err)
	}
}
