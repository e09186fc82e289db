// Package pgtest runs a real PostgreSQL server for tests: Debian's binaries,
// a cluster made by initdb in a temporary folder, reachable only over a unix
// socket in that folder (no port to collide on), stopped and removed when the
// test binary ends. Each test gets a database of its own.
//
// A test package that uses it wraps its tests so the server stops at the end:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// Without the binaries, DSN skips the test with the command that installs
// them; with CI=true it fails instead, as CI must run these tests.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// InstallHint is how to get the binaries on Debian (what scripts/install-postgresql.sh runs).
const InstallHint = "apt-get update && apt-get install -y postgresql (or scripts/install-postgresql.sh)"

// Server is one running PostgreSQL cluster.
type Server struct {
	dir     string // temporary folder: data/ and the socket
	sockDir string
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
	dbSeq   atomic.Int64
}

var (
	mu      sync.Mutex
	shared  *Server
	started error // the error of the one start attempt, if it failed
	tried   bool
)

// Main runs the tests of m, then stops the shared server if a test started it.
func Main(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	s := shared
	shared = nil
	mu.Unlock()
	if s != nil {
		if err := s.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	return code
}

// Available reports whether the PostgreSQL binaries are installed.
func Available() bool {
	_, err := BinDir()
	return err == nil
}

// DSN returns the postgres:// URL of a new, empty database on the shared
// server (started on first use). Without the binaries the test is skipped,
// or fails when CI=true.
func DSN(t testing.TB) string {
	t.Helper()
	if _, err := BinDir(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI: %v; install with: %s", err, InstallHint)
		}
		t.Skipf("PostgreSQL binaries not found (%v); install with: %s", err, InstallHint)
	}
	mu.Lock()
	if !tried {
		tried = true
		shared, started = Start()
	}
	s, err := shared, started
	mu.Unlock()
	if err != nil {
		t.Fatalf("start PostgreSQL: %v", err)
	}
	dsn, err := s.NewDatabase(context.Background())
	if err != nil {
		t.Fatalf("%v", err)
	}
	return dsn
}

// BinDir finds the folder of initdb and postgres: Debian keeps them in
// /usr/lib/postgresql/<major>/bin (the newest major wins); PATH is tried first.
func BinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
	}
	majors, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	sort.Slice(majors, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(majors[i]))))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(majors[j]))))
		return a > b
	})
	if len(majors) > 0 {
		return filepath.Dir(majors[0]), nil
	}
	return "", errors.New("no initdb and postgres in PATH or /usr/lib/postgresql/*/bin")
}

// unprivileged returns the credential to run the server with: PostgreSQL
// refuses to run as root, so root runs it as the postgres user the Debian
// package creates.
func unprivileged() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs the postgres user (made by the Debian package): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// Start makes a cluster in a new temporary folder and starts its server.
// The caller stops it with Stop.
func Start() (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	cred, err := unprivileged()
	if err != nil {
		return nil, err
	}
	// A short path: a unix socket path is at most 107 bytes.
	dir, err := os.MkdirTemp("", "pgtest")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	s := &Server{dir: dir, sockDir: filepath.Join(dir, "sock"), done: make(chan struct{})}
	fail := func(err error) (*Server, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := os.Mkdir(s.sockDir, 0o700); err != nil {
		return fail(fmt.Errorf("pgtest: %w", err))
	}
	if cred != nil {
		for _, p := range []string{dir, s.sockDir} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return fail(fmt.Errorf("pgtest: give %s to postgres: %w", p, err))
			}
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("pgtest: initdb: %w\n%s", err, out))
	}
	// Commits do not wait for their WAL flush (the data is thrown away and the
	// machine is shared), but fsync stays on so a benchmark can ask for
	// durable commits with synchronous_commit=on (see Durable).
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", s.sockDir,
		"-c", "listen_addresses=", "-c", "synchronous_commit=off",
		"-c", "max_connections=200", "-c", "shared_buffers=64MB")
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	s.cmd.Dir = dir
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return fail(fmt.Errorf("pgtest: %w", err))
	}
	defer logf.Close()
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return fail(fmt.Errorf("pgtest: start postgres: %w", err))
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.done)
	}()
	// A loaded machine may take a while: wait generously for the first connection.
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, s.dsn("postgres"))
		if err == nil {
			conn.Close(ctx)
			cancel()
			return s, nil
		}
		cancel()
		select {
		case <-s.done:
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return fail(fmt.Errorf("pgtest: postgres exited: %v\n%s", s.waitErr, log))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("pgtest: postgres did not accept connections within 60s: %w", err)
		}
	}
}

// dsn is a postgres:// URL (what --db takes) reaching db over the socket.
func (s *Server) dsn(db string) string {
	return "postgres://postgres@/" + db + "?host=" + url.QueryEscape(s.sockDir) + "&sslmode=disable"
}

// NewDatabase creates an empty database and returns its postgres:// URL.
func (s *Server) NewDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("t%d", s.dbSeq.Add(1))
	conn, err := pgx.Connect(ctx, s.dsn("postgres"))
	if err != nil {
		return "", fmt.Errorf("pgtest: connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("pgtest: create database %s: %w", name, err)
	}
	return s.dsn(name), nil
}

// Stop shuts the server down (fast shutdown, then a kill after 30s) and
// removes its folder.
func (s *Server) Stop() error {
	defer os.RemoveAll(s.dir)
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	if s.waitErr != nil && !strings.Contains(s.waitErr.Error(), "signal") {
		return fmt.Errorf("pgtest: postgres exit: %w", s.waitErr)
	}
	return nil
}

// Durable turns a DSN's commits durable (each waits for its WAL flush), as a
// production server's are: for benchmarks against bbolt, which fsyncs.
func Durable(dsn string) string { return dsn + "&synchronous_commit=on" }
