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
)

func TestDataImportBmobJSONAndPull(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "GameScore.json")
	_ = os.WriteFile(in, []byte(`{"results":[{"objectId":"e1kXT22L","createdAt":"2014-02-05 12:00:01","updatedAt":"2014-02-06 12:00:01","score":1337}]}`), 0o644)
	db := filepath.Join(dir, "a.db")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"data", "import", "--db", db, "--in", in}, &out, &errOut); code != 0 {
		t.Fatalf("import: %s", errOut.String())
	}
	if !strings.Contains(out.String(), "GameScore (1)") {
		t.Fatalf("import summary: %s", out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"data", "export", "--db", db}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), `"objectId":"e1kXT22L"`) || !strings.Contains(out.String(), `"createdAt":"2014-02-05 12:00:01"`) {
		t.Fatalf("export after import: %s", out.String())
	}
	// A malformed file is refused and the db keeps its content.
	bad := filepath.Join(dir, "Bad.json")
	_ = os.WriteFile(bad, []byte(`{"rows":[]}`), 0o644)
	errOut.Reset()
	if code := run(context.Background(), []string{"data", "import", "--db", db, "--in", bad}, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "not Bmob REST JSON") {
		t.Fatalf("bad file: %d %s", code, errOut.String())
	}

	// Serve that db, pull it into another one through the CLI.
	emu, err := emulator.Open(emulator.Config{FunctionsDirs: []string{dir}, DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = emu.Serve(ctx, ln) }()
	db2 := filepath.Join(dir, "b.db")
	pages := filepath.Join(dir, "pages")
	out.Reset()
	args := []string{"data", "pull", "--url", "http://" + ln.Addr().String(), "--app-id", emu.Keys.AppID, "--rest-key", emu.Keys.RESTKey,
		"--classes", "GameScore", "--db", db2, "--out", pages}
	if code := run(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("pull: %s", errOut.String())
	}
	if !strings.Contains(out.String(), "GameScore (1)") {
		t.Fatalf("pull summary: %s", out.String())
	}
	if page, err := os.ReadFile(filepath.Join(pages, "GameScore.json")); err != nil || !strings.Contains(string(page), `"e1kXT22L"`) {
		t.Fatalf("kept page: %s %v", page, err)
	}
	out.Reset()
	if code := run(context.Background(), []string{"data", "export", "--db", db2}, &out, &errOut); code != 0 || !strings.Contains(out.String(), `"updatedAt":"2014-02-06 12:00:01"`) {
		t.Fatalf("export of the pulled db: %s", out.String())
	}
	errOut.Reset()
	args[7] = "wrong"
	if code := run(context.Background(), args, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "401") {
		t.Fatalf("pull with a wrong key: %d %s", code, errOut.String())
	}
}
