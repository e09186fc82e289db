// Package multiproc tests several bmobemu processes on one PostgreSQL
// database, as real processes of the built binary. It has no code of its own.
package multiproc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/pgtest"
	"github.com/bmobemu/bmobemu/internal/sdktest"
	"github.com/bmobemu/bmobemu/store"
)

func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binDir    string
	binErr    error
)

// binary builds bmobemu once for the package's tests and returns its path.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "multiproc-bin-"); binErr != nil {
			return
		}
		build := exec.Command("go", "build", "-o", filepath.Join(binDir, "bmobemu"), "github.com/bmobemu/bmobemu/cmd/bmobemu")
		if out, err := build.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "bmobemu")
}

// functionsDir makes the functions folder dir/functions holding files (name →
// text) and returns its path.
func functionsDir(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	fns := filepath.Join(dir, "functions")
	if err := os.Mkdir(fns, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(fns, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return fns
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// server is one running `bmobemu serve`.
type server struct {
	base string
	cmd  *exec.Cmd
	done chan struct{}
}

// start runs `bmobemu serve` on db with the test's keys; extra flags come last, so they win.
func start(t *testing.T, bin, db, state, fns string, extra ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{"serve", "--functions", fns, "--db", db, "--state", state, "--addr", addr, "--watch=false",
		"--app-id", "mpapp", "--rest-key", "mprest", "--master-key", mpMaster, "--secret", mpSecret, "--security-code", mpCode, "--sandbox=off", "--pg-max-conns", "16"},
		extra...)
	cmd := exec.Command(bin, args...)
	log, err := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{base: "http://" + addr, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); log.Close(); close(s.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-s.done
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := http.Get(s.base + "/1/timestamp"); err == nil {
			resp.Body.Close()
			return s
		}
		select {
		case <-s.done:
			b, _ := os.ReadFile(log.Name())
			t.Fatalf("serve exited:\n%s", b)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not answer within 60s")
		}
	}
}

var client = &http.Client{Timeout: 20 * time.Second}

const (
	mpSecret = "0123456789abcdef"
	mpCode   = "mpcode"
	mpMaster = "mpmaster"
)

// signedGet is a GET signed as the JS SDK signs it, with nonce.
func signedGet(t *testing.T, base, path, nonce string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := fmt.Sprint(time.Now().Unix())
	req.Header.Set("X-Bmob-Secret-Key", mpSecret)
	req.Header.Set("X-Bmob-Safe-Timestamp", ts)
	req.Header.Set("X-Bmob-Noncestr-Key", nonce)
	req.Header.Set("X-Bmob-SDK-Version", "v1")
	req.Header.Set("X-Bmob-Safe-Sign", sdktest.Sign(path, ts, mpCode, nonce, "", "v1"))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func call(ctx context.Context, method, url, body string) (int, map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Bmob-Application-Id", "mpapp")
	req.Header.Set("X-Bmob-REST-API-Key", "mprest")
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out, nil
}

// TestTwoProcessesOneDatabase is issue 16 item 5 (in part): two processes of
// the built binary on one database; a write through one is read through the
// other at once; kill -9 of one under a 64-caller round-robin insert load
// loses no acknowledged row, and the other keeps serving.
func TestTwoProcessesOneDatabase(t *testing.T) {
	db := pgtest.DSN(t)
	dir := t.TempDir()
	bin := binary(t)
	fns := functionsDir(t, dir, nil)
	state := filepath.Join(dir, "state")
	a := start(t, bin, db, state, fns)
	b := start(t, bin, db, state, fns)
	ctx := context.Background()

	code, created, err := call(ctx, "POST", a.base+"/1/classes/Note", `{"text":"through a"}`)
	if err != nil || code != http.StatusCreated {
		t.Fatalf("create through a: %d %v %v", code, created, err)
	}
	id, _ := created["objectId"].(string)
	code, got, err := call(ctx, "GET", b.base+"/1/classes/Note/"+id, "")
	if err != nil || code != http.StatusOK || got["text"] != "through a" {
		t.Fatalf("read through b: %d %v %v", code, got, err)
	}

	// A safe-sign nonce used through a is refused through b (and through a).
	if code, body := signedGet(t, a.base, "/1/classes/Note", "nonce-one"); code != http.StatusOK {
		t.Fatalf("signed GET through a: %d %s", code, body)
	}
	for _, s := range []*server{b, a} {
		if code, body := signedGet(t, s.base, "/1/classes/Note", "nonce-one"); code == http.StatusOK {
			t.Fatalf("replayed nonce accepted by %s: %s", s.base, body)
		}
	}
	if code, body := signedGet(t, b.base, "/1/classes/Note", "nonce-two"); code != http.StatusOK {
		t.Fatalf("fresh nonce through b: %d %s", code, body)
	}

	// The load: 64 callers, each sending its inserts to a and b in turn.
	loadCtx, stop := context.WithCancel(ctx)
	defer stop()
	var (
		mu         sync.Mutex
		acked      []string
		killed     atomic.Bool
		afterKillB atomic.Int64
		wg         sync.WaitGroup
	)
	servers := []*server{a, b}
	for c := 0; c < 64; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; loadCtx.Err() == nil; i++ {
				s := servers[(c+i)%2]
				code, out, err := call(loadCtx, "POST", s.base+"/1/classes/Load", fmt.Sprintf(`{"caller":%d,"i":%d}`, c, i))
				if err != nil || code != http.StatusCreated {
					continue // refused or cut off: not acknowledged
				}
				id, _ := out["objectId"].(string)
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
				if s == b && killed.Load() {
					afterKillB.Add(1)
				}
			}
		}(c)
	}
	time.Sleep(2 * time.Second)
	_ = a.cmd.Process.Signal(syscall.SIGKILL)
	<-a.done
	killed.Store(true)
	time.Sleep(2 * time.Second)
	stop()
	wg.Wait()

	if n := afterKillB.Load(); n == 0 {
		t.Fatal("b acknowledged no insert after a was killed")
	}
	st, err := store.OpenDB(db, store.Options{}, store.PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := st.Find(ctx, "Load", store.Query{Limit: 0, Count: true})
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, id := range acked {
		if _, err := st.Get(ctx, "Load", id, store.GetOptions{}); err != nil {
			missing++
		}
	}
	t.Logf("%d inserts acknowledged (%d by b after the kill), %d rows stored, %d missing", len(acked), afterKillB.Load(), res.Count, missing)
	if missing > 0 || len(acked) == 0 {
		t.Fatalf("%d of %d acknowledged inserts lost", missing, len(acked))
	}
	if res.Count < len(acked) {
		t.Fatalf("%d rows stored, fewer than the %d acknowledged", res.Count, len(acked))
	}
}
