package emulator

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/store"
)

func write(t testing.TB, dir, name, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func open(t *testing.T, fnDir, db string) *Emulator {
	t.Helper()
	emu, err := Open(Config{FunctionsDirs: []string{fnDir}, DBPath: db, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return emu
}

func TestFunctionsRunStringifiesLikeBmob(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "caller.js", `function onRequest(request, response, modules) {
		modules.oFunctions.run({name: "callee", data: {n: 42, f: 1.5, b: true, o: {a: 1}, arr: [1, "x"], s: "中 文&="}}, function (err, data) {
			response.send({err: err, data: String(data)});
		});
	}`)
	write(t, dir, "callee.js", `function onRequest(request, response) {
		response.send({method: request.method, body: request.body, types: Object.keys(request.body).map(function (k) { return typeof request.body[k]; })});
	}`)
	write(t, dir, "ghost.js", `function onRequest(request, response, modules) {
		modules.oFunctions.run({name: "nobody"}, function (err, data) { response.send({err: err, data: String(data)}); });
	}`)
	emu := open(t, dir, filepath.Join(t.TempDir(), "d.db"))
	resp, err := emu.Functions.Invoke(context.Background(), "caller", &fncall.Request{Method: "GET", Header: http.Header{}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"err":null,"data":"{\"method\":\"POST\",\"body\":{\"_e\":\"callee\",\"n\":\"42\",\"f\":\"1.5\",\"b\":\"true\",\"o\":\"[object Object]\",\"arr\":\"1,x\",\"s\":\"中 文&=\"},\"types\":[\"string\",\"string\",\"string\",\"string\",\"string\",\"string\",\"string\"]}"}`
	if string(resp.Body) != want {
		t.Fatalf("got  %s\nwant %s", resp.Body, want)
	}
	resp, _ = emu.Functions.Invoke(context.Background(), "ghost", &fncall.Request{Method: "GET", Header: http.Header{}})
	if string(resp.Body) != `{"err":null,"data":"post function nobody not exists"}` {
		t.Fatalf("unknown callee: %s", resp.Body)
	}
}

func TestCorruptDBIsRefusedAndKept(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "bad.db")
	garbage := bytes.Repeat([]byte("not a bbolt file "), 512)
	write(t, dir, "bad.db", string(garbage))
	_, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: db})
	if err == nil || !strings.Contains(err.Error(), db) {
		t.Fatalf("want a clear error naming the file, got %v", err)
	}
	after, _ := os.ReadFile(db)
	if !bytes.Equal(after, garbage) {
		t.Fatal("a corrupt db file was modified")
	}
}

func TestLockedDBIsRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data.db")
	first := open(t, dir, db)
	if _, err := first.Store.Create(context.Background(), "Keep", map[string]any{"v": 1.0}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: db})
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("want a lock error, got %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("opening a locked db must give up quickly")
	}
	res, err := first.Store.Find(context.Background(), "Keep", storeQuery())
	if err != nil || len(res.Results) != 1 {
		t.Fatalf("the first emulator lost data: %v %v", err, res)
	}
}

func TestSecretIsKeptBesideTheDB(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "k.db")
	a, err := LoadOrCreateSecret(db, bytes.NewReader(bytes.Repeat([]byte{0xab}, 64)))
	if err != nil || a != "abababababababab" {
		t.Fatalf("secret %q %v", a, err)
	}
	b, err := LoadOrCreateSecret(db, bytes.NewReader(bytes.Repeat([]byte{0x01}, 8)))
	if err != nil || b != a {
		t.Fatalf("second read made a new secret: %q %v", b, err)
	}
}

func storeQuery() store.Query { return store.Query{Limit: -1} }

func TestKeysFileGainsAppKeysAndKeepsItsSecret(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "old.db")
	write(t, dir, "old.db.keys.json", `{"secretKey": "0348d0c262bc91d9"}`)
	k, err := LoadOrCreateKeys(db, bytes.NewReader(bytes.Repeat([]byte{0x5a}, 128)), Keys{})
	if err != nil {
		t.Fatal(err)
	}
	if k.SecretKey != "0348d0c262bc91d9" || len(k.AppID) != 32 || len(k.RESTKey) != 32 || len(k.MasterKey) != 32 || len(k.SecurityCode) != 16 {
		t.Fatalf("keys %+v", k)
	}
	// Overrides win but are not written; the file keeps what it made.
	o, err := LoadOrCreateKeys(db, bytes.NewReader(nil), Keys{MasterKey: "m", SecurityCode: "c"})
	if err != nil || o.MasterKey != "m" || o.SecurityCode != "c" || o.AppID != k.AppID || o.SecretKey != k.SecretKey {
		t.Fatalf("override %+v %v", o, err)
	}
	again, err := LoadOrCreateKeys(db, bytes.NewReader(nil), Keys{})
	if err != nil || again != k {
		t.Fatalf("reread %+v %v, want %+v", again, err, k)
	}
	write(t, dir, "bad.db.keys.json", `not json`)
	if _, err := LoadOrCreateKeys(filepath.Join(dir, "bad.db"), bytes.NewReader(nil), Keys{}); err == nil || !strings.Contains(err.Error(), "not a bmobemu keys file") {
		t.Fatalf("bad file: %v", err)
	}
}
