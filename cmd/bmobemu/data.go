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

	"github.com/bmobemu/bmobemu/migrate"
	"github.com/bmobemu/bmobemu/store"
)

func data(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: bmobemu data export|import|pull|check|salvage [--db FILE] …  (bmobemu help)")
	}
	fs := newFlagSet("data "+args[0], os.Stderr)
	db := fs.String("db", "./bmobemu.db", "bbolt database file")
	out := fs.String("out", "", "export: file to write (default: standard output); pull: also keep the pages as DIR/<Class>.json; salvage: the new db file")
	var in listFlag
	fs.Var(&in, "in", "import: a bmobemu export, Bmob REST JSON ({\"results\":[…]}, class from the file name) or a folder of them; repeatable")
	class := fs.String("class", "", "import: the class of a single Bmob JSON file (default: its file name)")
	merge := fs.Bool("merge", false, "import, pull: keep the classes the input does not have (default: the db holds exactly the input)")
	url := fs.String("url", "", "pull: the REST API's base URL, e.g. https://api.bmobcloud.com")
	appID := fs.String("app-id", "", "pull: X-Bmob-Application-Id")
	restKey := fs.String("rest-key", "", "pull: X-Bmob-REST-API-Key")
	masterKey := fs.String("master-key", "", "pull: X-Bmob-Master-Key (reads what ACLs hide; needed to list classes)")
	classes := fs.String("classes", "", "pull: classes to pull, A,B (default: every class /1/schemas lists)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "export":
		if _, err := os.Stat(*db); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		st, err := store.Open(*db, store.Options{})
		if err != nil {
			return err
		}
		defer st.Close()
		if *out == "" {
			err = st.Export(ctx, stdout)
		} else if err = store.ExportFile(ctx, st, *out); err == nil {
			fmt.Fprintf(stdout, "exported %s to %s\n", *db, *out)
		}
		if errors.Is(err, store.ErrDamaged) {
			return fmt.Errorf("%w\n  see what is readable: bmobemu data check --db %s\n  copy every readable row to a new file: bmobemu data salvage --db %s --out NEW.db", err, *db, *db)
		}
		if dr, ok := st.(store.DamageReporter); ok && err == nil {
			for _, d := range dr.Damaged() {
				fmt.Fprintf(stderr, "bmobemu: warning: left out damaged object %s/%s: %s\n", d.Class, d.ObjectID, d.Reason)
			}
		}
		return err
	case "check":
		rep, err := store.Check(*db)
		if err != nil {
			return err
		}
		printCheck(stdout, rep)
		if !rep.OK() {
			return fmt.Errorf("%s is damaged: copy what is readable with bmobemu data salvage --db %s --out NEW.db", *db, *db)
		}
		return nil
	case "salvage":
		if *out == "" {
			return errors.New("salvage: --out NEW.db is required (the damaged file is only read)")
		}
		rep, err := store.Salvage(*db, *out)
		if err != nil {
			return err
		}
		printCheck(stdout, rep.Lost)
		names := make([]string, 0, len(rep.Copied))
		for n := range rep.Copied {
			names = append(names, n)
		}
		sort.Strings(names)
		var parts []string
		for _, n := range names {
			parts = append(parts, fmt.Sprintf("%s (%d)", n, rep.Copied[n]))
		}
		fmt.Fprintf(stdout, "salvaged into %s: %s\n", *out, strings.Join(parts, ", "))
		fmt.Fprintf(stdout, "the keys stay beside the old file: cp %s.keys.json %s.keys.json to keep them\n", *db, *out)
		return nil
	case "import":
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
		fmt.Fprintf(stdout, "imported %s into %s: %s\n", strings.Join(paths, ", "), *db, summary(got))
		return nil
	case "pull":
		opts := migrate.PullOptions{URL: *url, AppID: *appID, RESTKey: *restKey, MasterKey: *masterKey,
			Progress: func(class string, n int) { fmt.Fprintf(stdout, "pulled %s: %d objects\n", class, n) }}
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
		fmt.Fprintf(stdout, "pulled %s into %s: %s\n", *url, *db, summary(got))
		return nil
	}
	return fmt.Errorf("unknown data command %q: use export, import, pull, check or salvage", args[0])
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

func importInto(ctx context.Context, db string, classes migrate.Classes, merge bool) error {
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
