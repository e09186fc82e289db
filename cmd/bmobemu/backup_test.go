package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveForTest runs `bmobemu serve` on a loopback port until the test ends and
// returns its address and banner; it needs at least one function.
func serveForTest(t *testing.T, args ...string) (addr, banner string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--watch=false"}, args...), pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	})
	var b strings.Builder
	sc := bufio.NewScanner(pr)
	re := regexp.MustCompile(`REST API:\s+http://([0-9.:]+)/1/`)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
		}
		if strings.HasPrefix(sc.Text(), "     curl") { // the banner's last line (the test serves functions)
			break
		}
	}
	if addr == "" {
		t.Fatalf("serve printed no address:\n%s", b.String())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return addr, b.String()
}

// data backup copies a served db while writers keep writing; data export of
// the locked file says how to get one.
func TestDataBackupOfARunningServer(t *testing.T) {
	dir := t.TempDir()
	fn := filepath.Join(dir, "functions")
	_ = os.Mkdir(fn, 0o755)
	_ = os.WriteFile(filepath.Join(fn, "add.js"), []byte(`function onRequest(request, response, modules) {
		modules.oData.insert({table: "Item", data: {n: request.body.n, twice: request.body.n * 2}}, function (err, data) { response.send(data); });
	}`), 0o644)
	db := filepath.Join(dir, "live.db")
	addr, banner := serveForTest(t, "--functions", fn, "--db", db)
	secret := regexp.MustCompile(`secret key:\s+(\w+)`).FindStringSubmatch(banner)[1]

	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"data", "export", "--db", db}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "locked") || !strings.Contains(errOut.String(), "bmobemu data backup --export") {
		t.Fatalf("export of a served db: %d %s", code, errOut.String())
	}
	// Writers insert while backups are taken.
	insert := func(n int) {
		resp, err := http.Post("http://"+addr+"/"+secret+"/add", "application/json", strings.NewReader(fmt.Sprintf(`{"n":%d}`, n)))
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
	}
	for i := 0; i < 10; i++ {
		insert(i)
	}
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				insert(100 + w*100 + i)
			}
		}(w)
	}
	backup := filepath.Join(dir, "copy.db")
	out.Reset()
	errOut.Reset()
	code := run(context.Background(), []string{"data", "backup", "--addr", addr, "--db", db, "--out", backup}, &out, &errOut)
	wg.Wait()
	if code != 0 || !strings.Contains(out.String(), "backed up http://"+addr+" to "+backup) {
		t.Fatalf("backup: %d %s %s", code, out.String(), errOut.String())
	}
	// The copy is a db of its own: export it and check every object is whole.
	out.Reset()
	if code := run(context.Background(), []string{"data", "export", "--db", backup}, &out, &errOut); code != 0 {
		t.Fatalf("export of the backup: %s", errOut.String())
	}
	rows := regexp.MustCompile(`"n":(\d+)[^}]*"twice":(\d+)`).FindAllStringSubmatch(out.String(), -1)
	if len(rows) < 10 {
		t.Fatalf("the backup holds %d objects, want at least the 10 written before it:\n%s", len(rows), out.String())
	}
	for _, r := range rows {
		var n, twice int
		fmt.Sscan(r[1], &n)
		fmt.Sscan(r[2], &twice)
		if twice != 2*n {
			t.Fatalf("a torn object: %v", r[0])
		}
	}
	// --export through the server gives the JSON export of every object now.
	exported := filepath.Join(dir, "export.json")
	if code := run(context.Background(), []string{"data", "backup", "--export", "--addr", addr, "--db", db, "--out", exported}, &out, &errOut); code != 0 {
		t.Fatalf("backup --export: %s", errOut.String())
	}
	if text, _ := os.ReadFile(exported); strings.Count(string(text), `"twice":`) != 50 {
		t.Fatalf("export through the server: %d objects", strings.Count(string(text), `"twice":`))
	}
	// A wrong master key is refused and the existing backup is kept.
	errOut.Reset()
	before, _ := os.ReadFile(backup)
	if code := run(context.Background(), []string{"data", "backup", "--addr", addr, "--master-key", "wrong", "--out", backup}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "HTTP 401") {
		t.Fatalf("wrong key: %d %s", code, errOut.String())
	}
	if after, _ := os.ReadFile(backup); !bytes.Equal(before, after) {
		t.Fatal("a refused backup changed the file")
	}
	if code := run(context.Background(), []string{"data", "backup", "--addr", addr, "--db", db}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "--out FILE is required") {
		t.Fatal("backup without --out")
	}
}

// The banner's try: line shows the call --try names, and that call works.
func TestServeTryLine(t *testing.T) {
	fn := t.TempDir()
	_ = os.WriteFile(filepath.Join(fn, "a.js"), []byte(`function onRequest(q, r) { r.send("fail") }`), 0o644)
	_ = os.WriteFile(filepath.Join(fn, "hello.js"), []byte(`function onRequest(q, r) { r.send("hello " + q.query.who) }`), 0o644)
	_, banner := serveForTest(t, "--functions", fn, "--db", filepath.Join(t.TempDir(), "t.db"), "--try", "hello?who=ada")
	m := regexp.MustCompile(`try: curl -s '(http://[^']+)'`).FindStringSubmatch(banner)
	if m == nil || !strings.HasSuffix(m[1], "/hello?who=ada") {
		t.Fatalf("try line:\n%s", banner)
	}
	resp, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "hello ada" {
		t.Fatalf("the try line's call: %d %s", resp.StatusCode, b)
	}
}
