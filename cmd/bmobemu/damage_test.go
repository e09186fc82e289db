package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/internal/dbdamage"
	"github.com/bmobemu/bmobemu/store"
)

// damagedDB makes a real db with a class Big spanning many pages and a class
// Small, then overwrites a leaf page of Big.
func damagedDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "damaged.db")
	st, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 400 {
		if _, err := st.Create(ctx, "Big", map[string]any{"i": float64(i), "pad": strings.Repeat("x", 300)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		if _, err := st.Create(ctx, "Small", map[string]any{"i": float64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := dbdamage.LeafPage(path, "Big", 0xAB); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDamagedDBCommands is issue 10 item 5 for the CLI: export says what is
// wrong (no Go stack trace), check describes the damage, salvage copies every
// readable row into a clean new file.
func TestDamagedDBCommands(t *testing.T) {
	db := damagedDB(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"data", "export", "--db", db}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "database damaged") || !strings.Contains(errOut.String(), "data salvage") ||
		strings.Contains(errOut.String(), "goroutine ") {
		t.Fatalf("export: rc %d, stderr %s", code, errOut.String())
	}
	out.Reset()
	errOut.Reset()
	code = run(ctx, []string{"data", "check", "--db", db}, &out, &errOut)
	if code != 1 || !strings.Contains(out.String(), "Big: DAMAGED:") || !strings.Contains(out.String(), "Small: ok, 5 objects") {
		t.Fatalf("check: rc %d\n%s%s", code, out.String(), errOut.String())
	}
	saved := filepath.Join(t.TempDir(), "saved.db")
	out.Reset()
	errOut.Reset()
	if code := run(ctx, []string{"data", "salvage", "--db", db, "--out", saved}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "Small (5)") {
		t.Fatalf("salvage: rc %d\n%s%s", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := run(ctx, []string{"data", "check", "--db", saved}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "no damage found") {
		t.Fatalf("check of the salvaged file: rc %d\n%s", code, out.String())
	}
	out.Reset()
	if code := run(ctx, []string{"data", "export", "--db", saved}, &out, &errOut); code != 0 || !strings.Contains(out.String(), `"Small"`) {
		t.Fatalf("export of the salvaged file: rc %d %s", code, errOut.String())
	}
}

// TestServeDamagedDB is issue 10 item 5 for the server: the request that
// reaches the damaged page gets a clear 500 and the server keeps serving.
func TestServeDamagedDB(t *testing.T) {
	db := damagedDB(t)
	emu, err := emulator.Open(emulator.Config{FunctionsDirs: []string{t.TempDir()}, DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = emu.Serve(ctx, ln); close(done) }()
	defer func() { cancel(); <-done }()
	get := func(class string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/1/classes/"+class, nil)
		req.Header.Set("X-Bmob-Application-Id", emu.Keys.AppID)
		req.Header.Set("X-Bmob-REST-API-Key", emu.Keys.RESTKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("the server is gone: %v", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for range 2 {
		if status, body := get("Big"); status != 500 || !strings.HasPrefix(body, `{"code":500,"error":"database damaged: `) {
			t.Fatalf("damaged class: %d %s", status, body)
		}
		if status, body := get("Small"); status != 200 || strings.Count(body, `"objectId"`) != 5 {
			t.Fatalf("intact class: %d %s", status, body)
		}
	}
}
