package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestTasksCommandsAgainstServe starts `bmobemu serve` on a project file and
// drives it with `bmobemu tasks list|run`; the banner lists the hook and tasks.
func TestTasksCommandsAgainstServe(t *testing.T) {
	dir := t.TempDir()
	fn := filepath.Join(dir, "functions")
	_ = os.Mkdir(fn, 0o755)
	files := map[string]string{
		"guard.js":  `function onRequest(request, response) { response.end({msg: "ok"}); }`,
		"rank.js":   `function onRequest(request, response) { response.end("ranked"); }`,
		"broken.js": `function onRequest(request, response) { throw new Error("no scores table"); }`,
		"bmobemu.yaml": "hook:\n  function: guard\n  tables: [Order]\ntasks:\n" +
			"  - {name: rank, rule: '0 0 * * * *', function: rank}\n  - {name: broken, rule: '0 30 3 * * *', function: broken}\n" +
			"  - {name: idle, rule: '0 0 9 * * 1', function: rank, enabled: false}\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(fn, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(dir, "s.db")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	served := make(chan int, 1)
	go func() {
		served <- run(ctx, []string{"serve", "--functions", fn, "--db", db, "--addr", "127.0.0.1:0", "--watch=false", "--sandbox=off"}, pw, io.Discard)
		pw.Close()
	}()
	defer func() {
		cancel()
		select {
		case <-served:
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	var addr string
	var banner []string
	sc := bufio.NewScanner(pr)
	re := regexp.MustCompile(`REST API:\s+http://([0-9.:]+)/1/`)
	for sc.Scan() {
		line := sc.Text()
		banner = append(banner, line)
		if m := re.FindStringSubmatch(line); m != nil {
			addr = m[1]
		}
		if strings.HasPrefix(line, "try:") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	text := strings.Join(banner, "\n")
	for _, want := range []string{
		"data hook:      guard (tables Order; all operations; timeout 5s)",
		"task:           rank             0 0 * * * *      -> rank, next ",
		"task:           idle             0 0 9 * * 1      -> rank, off",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}
	if addr == "" {
		t.Fatal("serve printed no REST line")
	}
	cli := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append(append([]string{"tasks"}, args...), "--addr", addr, "--db", db), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errText := cli("run", "rank")
	if code != 0 || !regexp.MustCompile(`^rank \(rank\): ok 200 in \S+ at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n$`).MatchString(out) {
		t.Fatalf("run rank: %d %q %s", code, out, errText)
	}
	code, out, errText = cli("run", "broken")
	if code == 0 || !strings.Contains(out, "broken (broken): failed") || !strings.Contains(out, "no scores table") || !strings.Contains(errText, "task broken failed") {
		t.Fatalf("run broken: %d %q %s", code, out, errText)
	}
	code, out, _ = cli("list")
	if code != 0 || !regexp.MustCompile(`(?m)^rank\s+0 0 \* \* \* \*\s+rank\s+\d{4}-\d\d-\d\d \d\d:00:00\s+\S+ \S+ ok in`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^broken .* failed in .*no scores table`).MatchString(out) || !regexp.MustCompile(`(?m)^idle\s.*\soff\s+-$`).MatchString(out) {
		t.Fatalf("list: %d\n%s", code, out)
	}
	code, _, errText = cli("run", "nope")
	if code == 0 || !strings.Contains(errText, `404 no such task "nope"`) {
		t.Fatalf("unknown task: %d %s", code, errText)
	}
	var out2, errOut bytes.Buffer
	if code := run(context.Background(), []string{"tasks", "list", "--addr", addr, "--master-key", "wrong"}, &out2, &errOut); code == 0 || !strings.Contains(errOut.String(), "401") {
		t.Fatalf("wrong key: %d %s", code, errOut.String())
	}
}
