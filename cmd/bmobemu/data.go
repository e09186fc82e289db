package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/bmobemu/bmobemu/store"
)

func data(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: bmobemu data export|import [--db FILE] [--out FILE | --in FILE]")
	}
	fs := newFlagSet("data "+args[0], os.Stderr)
	db := fs.String("db", "./bmobemu.db", "bbolt database file")
	out := fs.String("out", "", "export: file to write (default: standard output)")
	in := fs.String("in", "", "import: export file to read")
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
			return st.Export(ctx, stdout)
		}
		if err := store.ExportFile(ctx, st, *out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "exported %s to %s\n", *db, *out)
		return nil
	case "import":
		if *in == "" {
			return errors.New("import: --in FILE is required")
		}
		f, err := os.Open(*in)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		st, err := store.Open(*db, store.Options{})
		if err != nil {
			return err
		}
		defer st.Close()
		if err := st.Import(ctx, f); err != nil {
			return fmt.Errorf("import %s: %w (the db is unchanged)", *in, err)
		}
		fmt.Fprintf(stdout, "imported %s into %s\n", *in, *db)
		return nil
	}
	return fmt.Errorf("unknown data command %q: use export or import", args[0])
}
