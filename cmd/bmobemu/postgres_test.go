package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/emulator"
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

// TestDataPullIntoPostgres: data pull --db postgres://… reads a Bmob-compatible
// server (bmobemu serving a bbolt file, on loopback) into PostgreSQL, and the
// export of PostgreSQL then equals the export of the file it was pulled from.
func TestDataPullIntoPostgres(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	in := filepath.Join(dir, "GameScore.json")
	_ = os.WriteFile(in, []byte(`{"results":[`+
		`{"objectId":"e1kXT22L","createdAt":"2014-02-05 12:00:01","updatedAt":"2014-02-06 12:00:01","score":1337,"name":"甲","at":{"__type":"Date","iso":"2014-02-05 12:00:01"}},`+
		`{"objectId":"f2kXT22M","createdAt":"2014-02-07 12:00:01","updatedAt":"2014-02-07 12:00:01","score":7,"tags":["a","b"],"geo":{"__type":"GeoPoint","latitude":30.5,"longitude":114.3}}]}`), 0o644)
	file := filepath.Join(dir, "source.db")
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"data", "import", "--db", file, "--in", in}, &out, &errOut); code != 0 {
		t.Fatalf("import into the source file: %s", errOut.String())
	}
	want := filepath.Join(dir, "want.json")
	if code := run(ctx, []string{"data", "export", "--db", file, "--out", want}, &out, &errOut); code != 0 {
		t.Fatalf("export of the source file: %s", errOut.String())
	}
	emu, err := emulator.Open(emulator.Config{FunctionsDirs: []string{dir}, DBPath: file})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = emu.Serve(ctx, ln) }()
	pg := pgtest.DSN(t)
	out.Reset()
	if code := run(ctx, []string{"data", "pull", "--url", "http://" + ln.Addr().String(), "--app-id", emu.Keys.AppID,
		"--rest-key", emu.Keys.RESTKey, "--classes", "GameScore", "--db", pg}, &out, &errOut); code != 0 {
		t.Fatalf("pull into PostgreSQL: %s", errOut.String())
	}
	if !strings.Contains(out.String(), "GameScore (2)") {
		t.Fatalf("pull summary: %s", out.String())
	}
	got := filepath.Join(dir, "got.json")
	if code := run(ctx, []string{"data", "export", "--db", pg, "--out", got}, &out, &errOut); code != 0 {
		t.Fatalf("export of PostgreSQL: %s", errOut.String())
	}
	a, _ := os.ReadFile(want)
	b, _ := os.ReadFile(got)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("the pulled rows differ from the source:\nsource   %s\npostgres %s", a, b)
	}
}
