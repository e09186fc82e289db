package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmobemu/bmobemu/migrate"
	"github.com/bmobemu/bmobemu/store"
	bolt "go.etcd.io/bbolt"
)

// dataExport is `bmobemu data export`.
func dataExport(ctx context.Context, inv invocation) error {
	fs := newFlagSet("data export")
	db := fs.String("db", defaultDB, "bbolt database file")
	out := fs.String("out", "", "file to write (default: standard output)")
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	st, err := store.Open(*db, store.Options{})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return fmt.Errorf("%w\na running server holds it: bmobemu data backup --export --out FILE --db %s [--addr HOST:PORT] exports through it", err, *db)
		}
		return err
	}
	defer st.Close()
	if *out == "" {
		return st.Export(ctx, inv.stdout)
	}
	if err := store.ExportFile(ctx, st, *out); err != nil {
		return err
	}
	fmt.Fprintf(inv.stdout, "exported %s to %s\n", *db, *out)
	return nil
}

// dataImport is `bmobemu data import`.
func dataImport(ctx context.Context, inv invocation) error {
	fs := newFlagSet("data import")
	db := fs.String("db", defaultDB, "bbolt database file (created if missing)")
	var in listFlag
	fs.Var(&in, "in", "a bmobemu export, Bmob REST JSON ({\"results\":[…]}, class from the file name) or a folder of them; repeatable")
	class := fs.String("class", "", "the class of a single Bmob JSON file (default: its file name)")
	merge := fs.Bool("merge", false, "keep the classes the input does not have (default: the db holds exactly the input)")
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	if len(in) == 0 {
		return errors.New("import: --in FILE is required")
	}
	var paths []string
	for _, p := range in {
		paths = append(paths, strings.Split(p, ",")...)
	}
	got, err := migrate.ReadFiles(paths, *class)
	if err != nil {
		return err
	}
	if err := importInto(ctx, *db, got, *merge); err != nil {
		return fmt.Errorf("import %s: %w", strings.Join(paths, ", "), err)
	}
	fmt.Fprintf(inv.stdout, "imported %s into %s: %s\n", strings.Join(paths, ", "), *db, summary(got))
	return nil
}

// dataPull is `bmobemu data pull`.
func dataPull(ctx context.Context, inv invocation) error {
	fs := newFlagSet("data pull")
	db := fs.String("db", defaultDB, "bbolt database file (created if missing)")
	out := fs.String("out", "", "also keep the pages as DIR/<Class>.json")
	merge := fs.Bool("merge", false, "keep the classes the input does not have (default: the db holds exactly the input)")
	url := fs.String("url", "", "the REST API's base URL, e.g. https://api.bmobcloud.com")
	appID := fs.String("app-id", "", "X-Bmob-Application-Id")
	restKey := fs.String("rest-key", "", "X-Bmob-REST-API-Key")
	masterKey := fs.String("master-key", "", "X-Bmob-Master-Key (reads what ACLs hide; needed to list classes)")
	classes := fs.String("classes", "", "classes to pull, A,B (default: every class /1/schemas lists)")
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	opts := migrate.PullOptions{URL: *url, AppID: *appID, RESTKey: *restKey, MasterKey: *masterKey,
		Progress: func(class string, n int) { fmt.Fprintf(inv.stdout, "pulled %s: %d objects\n", class, n) }}
	if *classes != "" {
		opts.Classes = strings.Split(*classes, ",")
	}
	got, err := migrate.Pull(ctx, opts)
	if err != nil {
		return err
	}
	if *out != "" {
		if err := writePages(*out, got); err != nil {
			return err
		}
	}
	if err := importInto(ctx, *db, got, *merge); err != nil {
		return fmt.Errorf("pull: %w", err)
	}
	fmt.Fprintf(inv.stdout, "pulled %s into %s: %s\n", *url, *db, summary(got))
	return nil
}

func importInto(ctx context.Context, db string, classes migrate.Classes, merge bool) error {
	if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil { // the default db's .bmobemu/
		return err
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := migrate.Import(ctx, st, classes, merge); err != nil {
		return fmt.Errorf("%w (the db is unchanged)", err)
	}
	return nil
}

// writePages keeps what was pulled as Bmob REST JSON, one file per class.
func writePages(dir string, classes migrate.Classes) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pull: %w", err)
	}
	for name, objs := range classes {
		data, err := json.Marshal(map[string]any{"results": objs})
		if err != nil {
			return fmt.Errorf("pull: %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".json"), data, 0o644); err != nil {
			return fmt.Errorf("pull: %w", err)
		}
	}
	return nil
}

func summary(c migrate.Classes) string {
	var parts []string
	for _, n := range c.Names() {
		parts = append(parts, fmt.Sprintf("%s (%d)", n, len(c[n])))
	}
	if len(parts) == 0 {
		return "no classes"
	}
	return strings.Join(parts, ", ")
}
