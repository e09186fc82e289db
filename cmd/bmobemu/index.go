package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bmobemu/bmobemu/store"
)

// dataIndex is `bmobemu data index`: index a field of a class on PostgreSQL,
// drop the index, or list the indexed fields. A command rather than a
// bmobemu.yaml setting: an index is an operation on one database, run once by
// whoever runs it, built concurrently while the processes serving it go on;
// a setting would have every process starting race to build it, and would
// mean nothing on a bbolt file.
func dataIndex(ctx context.Context, inv invocation) error {
	fs := newFlagSet("data index")
	db := fs.String("db", defaultDB, "the postgres:// URL of the database (a bbolt file has nothing to index)")
	drop := fs.Bool("drop", false, "drop the index of CLASS FIELD instead of making it")
	args := inv.args
	if wantsHelp(args) {
		return &helpRequest{fs: fs}
	}
	var class, field string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			return errors.New("data index: give a class and a field: bmobemu data index CLASS FIELD [--drop] --db postgres://… (see --help)")
		}
		class, field, args = args[0], args[1], args[2:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("data index: unexpected %q: the class and field come first (see --help)", fs.Arg(0))
	}
	if !store.IsPostgresURL(*db) {
		return fmt.Errorf("data index: %s is a bbolt file, which filters in memory and has no field indexes; indexes are for PostgreSQL (--db postgres://…)", *db)
	}
	st, err := store.OpenDB(*db, store.Options{}, store.PostgresOptions{MaxConns: 2})
	if err != nil {
		return err
	}
	defer st.Close()
	ix, ok := st.(store.FieldIndexer)
	if !ok {
		return fmt.Errorf("data index: %s cannot index fields", store.Redact(*db))
	}
	switch {
	case class == "" && *drop:
		return errors.New("data index: --drop needs CLASS FIELD")
	case class == "":
		list, err := ix.FieldIndexes(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(inv.stdout, "no indexed fields")
		}
		for _, f := range list {
			fmt.Fprintf(inv.stdout, "%s %s (index %s)\n", f.Class, f.Field, f.Name)
		}
	case *drop:
		gone, err := ix.DropFieldIndex(ctx, class, field)
		if err != nil {
			return err
		}
		if !gone {
			return fmt.Errorf("data index: %s.%s is not indexed", class, field)
		}
		fmt.Fprintf(inv.stdout, "dropped the index of %s.%s\n", class, field)
	default:
		made, err := ix.IndexField(ctx, class, field)
		if err != nil {
			return err
		}
		if made {
			fmt.Fprintf(inv.stdout, "indexed %s.%s: where clauses testing it for equality ($in, $all, pointers, dates too) use the index\n", class, field)
		} else {
			fmt.Fprintf(inv.stdout, "%s.%s is indexed already\n", class, field)
		}
	}
	return nil
}
