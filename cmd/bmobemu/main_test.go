package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInvokeAndData(t *testing.T) {
	dir := t.TempDir()
	fn := filepath.Join(dir, "functions")
	_ = os.Mkdir(fn, 0o755)
	_ = os.WriteFile(filepath.Join(fn, "add.js"), []byte(`function onRequest(request, response, modules) {
		console.log("adding", request.body.name);
		modules.oData.insert({table: "Item", data: {name: request.body.name || request.query.name}}, function (err, data) {
			response.send(JSON.parse(data));
		});
	}`), 0o644)
	db := filepath.Join(dir, "x.db")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"invoke", "add", "--functions", fn, "--db", db, "--body", `{"name":"pen"}`}, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "status: 200") || !strings.Contains(out.String(), `"objectId":`) ||
		!strings.Contains(out.String(), "[add] log: adding pen") {
		t.Fatalf("invoke: %d\n%s\n%s", code, out.String(), errOut.String())
	}
	out.Reset()
	code = run(context.Background(), []string{"invoke", "add", "--functions", fn, "--db", db, "--query", "name=cup"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("invoke with query: %d %s", code, errOut.String())
	}
	export := filepath.Join(dir, "export.json")
	out.Reset()
	if code := run(context.Background(), []string{"data", "export", "--db", db, "--out", export}, &out, &errOut); code != 0 {
		t.Fatalf("export: %s", errOut.String())
	}
	text, _ := os.ReadFile(export)
	if !strings.Contains(string(text), `"pen"`) || !strings.Contains(string(text), `"cup"`) {
		t.Fatalf("export lacks rows: %s", text)
	}
	db2 := filepath.Join(dir, "y.db")
	if code := run(context.Background(), []string{"data", "import", "--db", db2, "--in", export}, &out, &errOut); code != 0 {
		t.Fatalf("import: %s", errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"data", "export", "--db", db2}, &out, &errOut); code != 0 || !strings.Contains(out.String(), `"cup"`) {
		t.Fatalf("round trip: %d %s", code, out.String())
	}
	if code := run(context.Background(), []string{"invoke", "nope", "--functions", fn, "--db", db}, &out, &errOut); code == 0 {
		t.Fatal("invoking an unknown function must fail")
	}
	if code := run(context.Background(), []string{"serve", "--profile", "strict"}, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "--profile must be compat or bmob") {
		t.Fatalf("bad profile: %s", errOut.String())
	}
}

// With the default db, invoke and serve keep what they make in .bmobemu/ (one
// line in .gitignore), and a failed start makes nothing at all.
func TestDefaultDBKeepsTheWorkingTreeClean(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--functions", "missing", "--addr", "127.0.0.1:0"}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "functions folder") {
		t.Fatalf("serve without a functions folder: %d %s", code, errOut.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a failed start made %v", entries)
	}
	_ = os.Mkdir("functions", 0o755)
	_ = os.WriteFile(filepath.Join("functions", "ok.js"), []byte(`function onRequest(q, r) { r.send("ok") }`), 0o644)
	if code := run(context.Background(), []string{"invoke", "ok"}, &out, &errOut); code != 0 {
		t.Fatalf("invoke: %s", errOut.String())
	}
	var made []string
	_ = filepath.Walk(".", func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			made = append(made, p)
		}
		return nil
	})
	for _, p := range made {
		if p != filepath.Join("functions", "ok.js") && !strings.HasPrefix(p, ".bmobemu"+string(filepath.Separator)) {
			t.Errorf("%s was made outside .bmobemu/", p)
		}
	}
	if _, err := os.Stat(filepath.Join(".bmobemu", "bmobemu.db.keys.json")); err != nil {
		t.Errorf("the keys are not in .bmobemu/: %v", err)
	}
}

// A mini-program function through invoke, signing as the app --alipay-app names.
func TestInvokeCtxFunctionWithAlipayApp(t *testing.T) {
	dir := t.TempDir()
	fn := filepath.Join(dir, "functions")
	if err := os.MkdirAll(fn, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fn, "who.js"), []byte(`module.exports = async (ctx) => ({app: ctx.env.MP_APP_ID, x: ctx.args.x})`), 0o644); err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(dir, "app.json")
	file := fmt.Sprintf(`{"appId":"2021000000000123","privateKey":%q}`, base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PrivateKey(key)))
	if err := os.WriteFile(app, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := []string{"invoke", "who", "--functions", fn, "--db", filepath.Join(dir, "x.db"), "--alipay-app", app,
		"--body", `{"x":1}`, "--header", "X-Bmobemu-Alipay-User-Id=2088000000000001"}
	if code := run(context.Background(), args, &out, &errOut); code != 0 || !strings.Contains(out.String(), `{"app":"2021000000000123","x":1}`) {
		t.Fatalf("invoke: %d %s %s", code, out.String(), errOut.String())
	}
	errOut.Reset()
	args = []string{"invoke", "who", "--functions", fn, "--db", filepath.Join(dir, "x.db"), "--alipay-app", filepath.Join(dir, "none.json")}
	if code := run(context.Background(), args, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "--alipay-app: reading the Alipay app file") {
		t.Fatalf("a missing app file: %d %s", code, errOut.String())
	}
}
