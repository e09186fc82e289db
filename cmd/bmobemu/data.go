package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmobemu/bmobemu/datapull"
	"github.com/bmobemu/bmobemu/store"
	bolt "go.etcd.io/bbolt"
)

// dataExport is `bmobemu data export`.
func dataExport(ctx context.Context, inv invocation) error {
	fs := newFlagSet("data export")
	db := fs.String("db", defaultDB, "bbolt database file or postgres:// URL")
	out := fs.String("out", "", "file to write (default: standard output)")
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	if !store.IsPostgresURL(*db) {
		if _, err := os.Stat(*db); err != nil {
			return fmt.Errorf("export: %w", err)
		}
	}
	st, err := store.OpenDB(*db, store.Options{}, store.PostgresOptions{})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return fmt.Errorf("%w\na running server holds it: bmobemu data backup --export --out FILE --db %s [--addr HOST:PORT] exports through it", err, *db)
		}
		return err
	}
	defer st.Close()
	if *out == "" {
		err = st.Export(ctx, inv.stdout)
	} else if err = store.ExportFile(ctx, st, *out); err == nil {
		fmt.Fprintf(inv.stdout, "exported %s to %s\n", store.Redact(*db), *out)
	}
	if errors.Is(err, store.ErrDamaged) {
		return fmt.Errorf("%w\n  see what is readable: bmobemu data check --db %s\n  copy every readable row to a new file: bmobemu data salvage --db %s --out NEW.db", err, *db, *db)
	}
	if dr, ok := st.(store.DamageReporter); ok && err == nil {
		for _, d := range dr.Damaged() {
			fmt.Fprintf(inv.stderr, "bmobemu: warning: left out damaged object %s/%s: %s\n", d.Class, d.ObjectID, d.Reason)
		}
	}
	return err
}

// dataCheck is `bmobemu data check`.
func dataCheck(_ context.Context, inv invocation) error {
	fs := newFlagSet("data check")
	db := fs.String("db", defaultDB, "bbolt database file (read only; stop the server using it first)")
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	rep, err := store.Check(*db)
	if err != nil {
		return err
	}
	printCheck(inv.stdout, rep)
	if !rep.OK() {
		return fmt.Errorf("%s is damaged: copy what is readable with bmobemu data salvage --db %s --out NEW.db", *db, *db)
	}
	return nil
}

// dataSalvage is `bmobemu data salvage`.
func dataSalvage(_ context.Context, inv invocation) error {
	fs := newFlagSet("data salvage")
	db := fs.String("db", defaultDB, "the damaged bbolt database file (only read)")
	out := fs.String("out", "", "the new db file to write (must not exist)")
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("salvage: --out NEW.db is required (the damaged file is only read)")
	}
	rep, err := store.Salvage(*db, *out)
	if err != nil {
		return err
	}
	printCheck(inv.stdout, rep.Lost)
	names := make([]string, 0, len(rep.Copied))
	for n := range rep.Copied {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s (%d)", n, rep.Copied[n]))
	}
	fmt.Fprintf(inv.stdout, "salvaged into %s: %s\n", *out, strings.Join(parts, ", "))
	fmt.Fprintf(inv.stdout, "the keys stay beside the old file: cp %s.keys.json %s.keys.json to keep them\n", *db, *out)
	return nil
}

// printCheck describes a CheckReport in plain words.
func printCheck(w io.Writer, rep store.CheckReport) {
	for _, c := range rep.Classes {
		switch {
		case c.Unreadable != "":
			fmt.Fprintf(w, "%s: DAMAGED: %d objects readable; part of the class is on a damaged page: %s\n", c.Name, c.Readable, c.Unreadable)
		case len(c.Damaged) > 0:
			fmt.Fprintf(w, "%s: %d objects readable, %d cannot be decoded\n", c.Name, c.Readable, len(c.Damaged))
		default:
			fmt.Fprintf(w, "%s: ok, %d objects\n", c.Name, c.Readable)
		}
		for _, d := range c.Damaged {
			fmt.Fprintf(w, "  object %s: %s\n", d.ObjectID, d.Reason)
		}
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "problem: %s\n", p)
	}
	if rep.OK() {
		fmt.Fprintf(w, "%s: no damage found (%d classes)\n", rep.Path, len(rep.Classes))
	}
}

// dataImport is `bmobemu data import`.
func dataImport(ctx context.Context, inv invocation) error {
	fs := newFlagSet("data import")
	db := fs.String("db", defaultDB, "bbolt database file (created if missing) or postgres:// URL")
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
	got, err := datapull.ReadFiles(paths, *class)
	if err != nil {
		return err
	}
	if err := importInto(ctx, *db, got, *merge); err != nil {
		return fmt.Errorf("import %s: %w", strings.Join(paths, ", "), err)
	}
	fmt.Fprintf(inv.stdout, "imported %s into %s: %s\n", strings.Join(paths, ", "), store.Redact(*db), summary(got))
	return nil
}

// dataPull is `bmobemu data pull`.
func dataPull(ctx context.Context, inv invocation) error {
	fs := newFlagSet("data pull")
	db := fs.String("db", defaultDB, "bbolt database file (created if missing) or postgres:// URL")
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
	opts := datapull.PullOptions{URL: *url, AppID: *appID, RESTKey: *restKey, MasterKey: *masterKey,
		Progress: func(class string, n int) { fmt.Fprintf(inv.stdout, "pulled %s: %d objects\n", class, n) }}
	if *classes != "" {
		opts.Classes = strings.Split(*classes, ",")
	}
	got, err := datapull.Pull(ctx, opts)
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
	fmt.Fprintf(inv.stdout, "pulled %s into %s: %s\n", *url, store.Redact(*db), summary(got))
	return nil
}

func importInto(ctx context.Context, db string, classes datapull.Classes, merge bool) error {
	if !store.IsPostgresURL(db) {
		if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil { // the default db's .bmobemu/
			return err
		}
	}
	st, err := store.OpenDB(db, store.Options{}, store.PostgresOptions{})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := datapull.Import(ctx, st, classes, merge); err != nil {
		return fmt.Errorf("%w (the db is unchanged)", err)
	}
	return nil
}

// writePages keeps what was pulled as Bmob REST JSON, one file per class.
func writePages(dir string, classes datapull.Classes) error {
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

func summary(c datapull.Classes) string {
	var parts []string
	for _, n := range c.Names() {
		parts = append(parts, fmt.Sprintf("%s (%d)", n, len(c[n])))
	}
	if len(parts) == 0 {
		return "no classes"
	}
	return strings.Join(parts, ", ")
}
