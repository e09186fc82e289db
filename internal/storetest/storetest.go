// Package storetest opens the store a test runs on: a bbolt file in
// t.TempDir() by default, or with BMOBEMU_TEST_STORE=postgres a fresh
// PostgreSQL database on the pgtest server, so a package's whole suite can
// run on either engine (.ci/run runs the REST API and module suites on both).
//
// A package that uses it stops the server at the end:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
package storetest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bmobemu/bmobemu/internal/pgtest"
	"github.com/bmobemu/bmobemu/store"
)

// EnvVar selects the engine: "postgres", or "" / "bbolt".
const EnvVar = "BMOBEMU_TEST_STORE"

// Engine is the engine tests run on.
func Engine() string {
	if os.Getenv(EnvVar) == "postgres" {
		return "postgres"
	}
	return "bbolt"
}

// Open opens an empty store with opt, closed when the test ends.
func Open(t testing.TB, opt store.Options) store.Store {
	t.Helper()
	var (
		s   store.Store
		err error
	)
	switch e := os.Getenv(EnvVar); e {
	case "", "bbolt":
		s, err = store.Open(filepath.Join(t.TempDir(), "data.db"), opt)
	case "postgres":
		s, err = store.OpenPostgres(context.Background(), pgtest.DSN(t), opt, store.PostgresOptions{MaxConns: 8})
	default:
		t.Fatalf("%s=%q: want bbolt or postgres", EnvVar, e)
	}
	if err != nil {
		t.Fatalf("open %s store: %v", Engine(), err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
