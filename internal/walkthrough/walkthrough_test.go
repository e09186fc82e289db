package walkthrough

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// repoRoot is the repository, two folders up from this package.
const repoRoot = "../.."

// need skips when a tool is missing, except in CI (CI=true), where .ci/run
// installs every tool and a missing one is a failure.
func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed (.ci/run should install it)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds bin/bmobemu once for every test here, in a folder of its own.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bmobemu-walkthrough-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "bmobemu")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/bmobemu/bmobemu/cmd/bmobemu").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// freeAddr is a loopback address nothing listens on (just now).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// listening reports whether something accepts connections at addr.
func listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
	}
	return err == nil
}

// readmeBlock is the first ```sh block after heading in the README.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	i := strings.Index(text, heading)
	if i < 0 {
		t.Fatalf("README has no %q", heading)
	}
	text = text[i:]
	start := strings.Index(text, "```sh\n")
	end := strings.Index(text[start+6:], "\n```\n")
	if start < 0 || end < 0 {
		t.Fatalf("no sh block after %q", heading)
	}
	return text[start+6 : start+6+end+1]
}

// makeVar is a variable's default in the Makefile (NAME ?= value).
func makeVar(t *testing.T, name string) string {
	t.Helper()
	mk, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^` + name + `\s*\?=\s*(\S+)`).FindSubmatch(mk)
	if m == nil {
		t.Fatalf("Makefile has no %s ?=", name)
	}
	return string(m[1])
}

// clone lays out what the walk-through sees at the root of a fresh clone
// after make build: bin/bmobemu, and ../shared beside the repository.
func clone(t *testing.T) string {
	t.Helper()
	shared, err := filepath.Abs(filepath.Join(repoRoot, "..", "shared"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(shared, "conformance", "scripts", "pay.js")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the tutorial scripts are missing: %v", err)
		}
		t.Skipf("the tutorial scripts are not here: %v", err)
	}
	top := t.TempDir()
	root := filepath.Join(top, "bmobemu")
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(binary(t), filepath.Join(root, "bin", "bmobemu")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(shared, filepath.Join(top, "shared")); err != nil {
		t.Fatal(err)
	}
	return root
}

// runBlock runs a README block with bash in dir, with a generous limit.
func runBlock(t *testing.T, dir, block string, env ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", block)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The payment walk-through, pasted as written, works while make run holds its
// own address; when its address is taken it stops at once, says why and runs
// no later step.
func TestPaymentWalkthrough(t *testing.T) {
	need(t, "bash", "curl", "node", "sed")
	block := readmeBlock(t, "### Walk-through: the Alipay tutorial's scripts, offline")
	def := regexp.MustCompile(`PAY=\$\{PAY:-([0-9.:]+)\}`).FindStringSubmatch(block)
	if def == nil || def[1] == makeVar(t, "ADDR") {
		t.Fatalf("the walk-through must default to an address of its own, not make run's %s", makeVar(t, "ADDR"))
	}
	if strings.Contains(block, makeVar(t, "RUN_DB")) {
		t.Fatal("the walk-through must not use make run's db")
	}
	root := clone(t)
	pay := freeAddr(t)
	out, err := runBlock(t, root, block, "PAY="+pay)
	if err != nil {
		t.Fatalf("the walk-through failed: %v\n%s", err, out)
	}
	for _, want := range []string{
		"TRADE_SUCCESS, 0.01 yuan",
		"-> function payNotify (https://cloud.siton.xin/xxxx/payNotify): acknowledged, 1 attempt(s)",
		`"status":1`,
		"replaying n1 as n2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for i := 0; listening(pay); i++ { // it waits for its server; allow a loaded machine some slack
		if i == 100 {
			t.Fatal("the walk-through's server still runs after it ended")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Its address taken (make run on it, say): it stops at the server's start.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	begin := time.Now()
	out, err = runBlock(t, root, block, "PAY="+taken.Addr().String())
	if err == nil || !strings.Contains(out, "address already in use") || strings.Contains(out, "TRADE_SUCCESS") || strings.Contains(out, "Cannot POST") {
		t.Fatalf("with its address taken: err %v\n%s", err, out)
	}
	if d := time.Since(begin); d > 60*time.Second {
		t.Errorf("a failed start took %s to report", d)
	}
}

// children lists the child process ids of pid (Linux).
func children(pid int) []int {
	var out []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// startMakeRun runs `make run` with its own binary, db and address and
// returns once the server printed its try: line (or make ended).
func startMakeRun(t *testing.T, bin, db, addr string) (cmd *exec.Cmd, banner string, exited <-chan error) {
	t.Helper()
	cmd = exec.Command("make", "--no-print-directory", "run", "BIN="+bin, "RUN_DB="+db, "ADDR="+addr)
	cmd.Dir = repoRoot
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a group of its own, as a terminal gives
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { err := cmd.Wait(); pw.Close(); done <- err }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // whatever is left of the group
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var b strings.Builder
	deadline := time.After(4 * time.Minute) // make builds the binary and fillkeys first
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return cmd, b.String(), done
			}
			b.WriteString(l + "\n")
			if strings.HasPrefix(l, "try:") {
				go func() {
					for range lines {
					}
				}()
				return cmd, b.String(), done
			}
		case <-deadline:
			t.Fatalf("make run printed no try: line:\n%s", b.String())
		}
	}
}

// make run execs the server (stopping make stops it and frees the port), its
// try: line shows a call that works, and a second make run on another db
// cannot change the filled copies the first one serves.
func TestMakeRun(t *testing.T) {
	need(t, "make", "go")
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("needs /proc to see make's child")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bmobemu")
	db := filepath.Join(dir, "examples.db")
	addr := freeAddr(t)
	cmd, banner, exited := startMakeRun(t, bin, db, addr)
	if !strings.Contains(banner, "try:") {
		t.Fatalf("make run did not start:\n%s", banner)
	}
	kids := children(cmd.Process.Pid)
	if len(kids) != 1 {
		t.Fatalf("make has %d children, want the server alone", len(kids))
	}
	if exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", kids[0])); exe != bin {
		t.Fatalf("make's child is %s, not the server %s (the recipe must exec it)", exe, bin)
	}
	server := kids[0]

	// The try: line's call answers 200 with the guestbook's messages.
	m := regexp.MustCompile(`try: curl -s '(http://[^']+)'`).FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("no try: line:\n%s", banner)
	}
	resp, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"code":200`) {
		t.Fatalf("the try: line's call %s: %d %s", m[1], resp.StatusCode, body)
	}

	// The filled copies are kept per db; a second make run on another db and
	// the same (taken) address fails and leaves them alone.
	filled := filepath.Join(db+".examples", "alipay-app", "alipayNotify.js")
	before, err := os.ReadFile(filled)
	if err != nil {
		t.Fatalf("no filled copy beside the db: %v", err)
	}
	info, _ := os.Stat(filled)
	_, second, secondDone := startMakeRun(t, bin, filepath.Join(dir, "other.db"), addr)
	select {
	case err := <-secondDone:
		if err == nil || !strings.Contains(second, addr+" is taken (another make run?)") || strings.Contains(second, "try:") {
			t.Fatalf("a second make run on a taken address: %v\n%s", err, second)
		}
		if made, _ := filepath.Glob(filepath.Join(dir, "other.db*")); len(made) != 0 {
			t.Fatalf("the failed make run made %v", made)
		}
	case <-time.After(4 * time.Minute):
		t.Fatal("the second make run did not end")
	}
	after, _ := os.ReadFile(filled)
	info2, _ := os.Stat(filled)
	if string(after) != string(before) || !info2.ModTime().Equal(info.ModTime()) {
		t.Fatal("the second make run rewrote the first one's filled copies")
	}

	// Stopping make (a SIGTERM to make alone, as an IDE or kill does) stops the server.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("make did not end")
	}
	stopped := false
	for i := 0; i < 100 && !stopped; i++ {
		stopped = syscall.Kill(server, 0) != nil && !listening(addr)
		if !stopped {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !stopped {
		t.Fatal("the server outlived make run")
	}
}

// The REST API walk-through, against a server started as make run starts it
// (its own db under .bmobemu/, the guestbook's functions), on a free address
// instead of 127.0.0.1:8080: every call answers, and the deploy goes beside
// the db, not into the functions folder.
func TestRESTWalkthrough(t *testing.T) {
	need(t, "bash", "curl", "sed", "md5sum", "base64", "od")
	block := readmeBlock(t, "## Bmob's REST API")
	if !strings.Contains(block, "KEYS=.bmobemu/examples.db.keys.json") || !strings.Contains(block, "API=http://127.0.0.1:8080") {
		t.Fatal("the REST walk-through no longer reads make run's keys and address")
	}
	root := t.TempDir()
	fn := filepath.Join(root, "examples", "guestbook", "functions")
	if err := os.MkdirAll(fn, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(repoRoot, "examples", "guestbook", "functions")
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(src, e.Name()))
		_ = os.WriteFile(filepath.Join(fn, e.Name()), b, 0o644)
	}
	addr := freeAddr(t)
	server := exec.Command(binary(t), "serve", "--functions", "examples/guestbook/functions", "--db", ".bmobemu/examples.db", "--addr", addr)
	server.Dir = root
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = server.Process.Kill(); _ = server.Wait() }()
	// The block reads the keys file first: wait for it and for the port, with
	// room for a loaded CI machine.
	keys := filepath.Join(root, ".bmobemu", "examples.db.keys.json")
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat(keys); err == nil && listening(addr) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start within 60 s (listening: %v, keys file: %s)", listening(addr), keys)
		}
	}
	out, err := runBlock(t, root, strings.Replace(block, "API=http://127.0.0.1:8080", "API=http://"+addr, 1))
	if err != nil {
		t.Fatalf("the walk-through failed: %v\n%s", err, out)
	}
	for _, want := range []string{`"name":"pen"`, `[{"_sumPrice":5,"name":"pen"}]`, `"sessionToken":`, `"username":"ann"`,
		`{"result":"{\"author\":\"ada\",\"count\":0}"}`, `{"msg":"ok"}pong{"msg":"ok"}`, `"filename":"hello.txt"`, `"className":"Item"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	for _, bad := range []string{"unauthorized", "Cannot ", "not exists", "invalid cloudcode"} {
		if strings.Contains(out, bad) {
			t.Errorf("output has %q:\n%s", bad, out)
		}
	}
	after, _ := os.ReadDir(fn)
	if len(after) != len(entries) {
		t.Errorf("the deploy wrote into the functions folder: %d files, had %d", len(after), len(entries))
	}
	if _, err := os.Stat(filepath.Join(root, ".bmobemu", "examples.db.deployed")); err != nil {
		t.Errorf("no deploy folder beside the db: %v", err)
	}
}
