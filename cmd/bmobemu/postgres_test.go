package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// TestDataMovesToPostgresAndBack: data import --db postgres://… takes a bbolt
// export, data export of PostgreSQL gives the same document, and an import
// of that into a new file gives it again; the output hides the URL's password.
func TestDataMovesToPostgresAndBack(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	in := filepath.Join(dir, "GameScore.json")
	_ = os.WriteFile(in, []byte(`{"results":[{"objectId":"e1kXT22L","createdAt":"2014-02-05 12:00:01","updatedAt":"2014-02-06 12:00:01","score":1337,"tags":["a"]}]}`), 0o644)
	file := filepath.Join(dir, "a.db")
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"data", "import", "--db", file, "--in", in}, &out, &errOut); code != 0 {
		t.Fatalf("import into the file: %s", errOut.String())
	}
	first := filepath.Join(dir, "first.json")
	if code := run(ctx, []string{"data", "export", "--db", file, "--out", first}, &out, &errOut); code != 0 {
		t.Fatalf("export of the file: %s", errOut.String())
	}
	pg := strings.Replace(pgtest.DSN(t), "postgres@", "postgres:s3cret@", 1) // trust auth ignores the password
	out.Reset()
	if code := run(ctx, []string{"data", "import", "--db", pg, "--in", first}, &out, &errOut); code != 0 {
		t.Fatalf("import into PostgreSQL: %s", errOut.String())
	}
	if strings.Contains(out.String(), "s3cret") || !strings.Contains(out.String(), "GameScore (1)") {
		t.Fatalf("import summary: %s", out.String())
	}
	second := filepath.Join(dir, "second.json")
	if code := run(ctx, []string{"data", "export", "--db", pg, "--out", second}, &out, &errOut); code != 0 {
		t.Fatalf("export of PostgreSQL: %s", errOut.String())
	}
	back := filepath.Join(dir, "back.db")
	if code := run(ctx, []string{"data", "import", "--db", back, "--in", second}, &out, &errOut); code != 0 {
		t.Fatalf("import back: %s", errOut.String())
	}
	third := filepath.Join(dir, "third.json")
	if code := run(ctx, []string{"data", "export", "--db", back, "--out", third}, &out, &errOut); code != 0 {
		t.Fatalf("export back: %s", errOut.String())
	}
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(second)
	c, _ := os.ReadFile(third)
	if len(a) == 0 || !bytes.Equal(a, b) || !bytes.Equal(a, c) {
		t.Fatalf("exports differ:\nfile     %s\npostgres %s\nback     %s", a, b, c)
	}
}
