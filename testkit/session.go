// Package testkit runs Bmob cloud functions under test: each Session is an
// in-process emulator on a fresh store seeded from fixtures, with a frozen clock
// that Date, timers and the store's timestamps follow, seeded randomness
// (Math.random, objectIds, crypto.randomBytes), fake outbound HTTP and the
// payment sandbox. Calls go through the same fiber app that `bmobemu serve` runs.
//
// Outbound calls are answered in this order: a route the test declared
// (FakeHTTP.Add, http.on) wins; otherwise the payment sandbox answers the
// simulated providers' hosts (openapi.alipay.com, the Alipay sandbox gateways,
// api.mch.weixin.qq.com); any other call is undeclared and fails the test. The
// sandbox runs on the session's frozen clock with the providers' real retry
// schedule (Alipay 4m, 10m, …; WeChat 15s, 15s, 30s, …), so advancing the clock
// delivers a retry; its keys (SandboxKeys) are made once per process and
// shared. Session.Payments pays, closes and refunds trades, lists trades and
// notifies and replays them; every trigger waits for its notifies' first
// attempt, so the rows can be checked right after.
//
// Go suites use New (a Session tied to a *testing.T); `bmobemu test` runs JS test
// files on Sessions through package testkit/jstest.
package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/paysim/builtin"
	"github.com/bmobemu/bmobemu/runtime"
)

// DefaultStart is where a session's clock starts unless told otherwise:
// 2026-01-01 10:00:00 Beijing time.
var DefaultStart = time.Date(2026, 1, 1, 10, 0, 0, 0, bjtime.Location)

// Secret is the secret key of every session's direct URLs.
const Secret = "0123456789abcdef"

// Keys are every session's app keys (fixed, so that making them draws nothing
// from the seeded randomness).
var Keys = emulator.Keys{
	SecretKey: Secret, AppID: "0123456789abcdef0123456789abcdef", RESTKey: "fedcba9876543210fedcba9876543210",
	MasterKey: "00112233445566778899aabbccddeeff", SecurityCode: "0011223344556677",
}

// Options configure a Session.
type Options struct {
	// Functions are the folders of functions (every DIR/<name>.js). Required.
	Functions []string
	// Fixtures seed the store; nil starts empty.
	Fixtures *Fixtures
	// Start is the frozen clock's start (zero: DefaultStart).
	Start time.Time
	// Seed derives every random source of the session.
	Seed uint64
	// Profile is compat (default) or bmob.
	Profile modules.Profile
	// Replace maps placeholders in the functions' sources (e.g. a key
	// "__APP_PRIVATE_KEY__") to their values; lines and file names stay.
	Replace map[string]string
	// Timeout bounds one call in real time (0: 10 s), so a runaway script fails
	// its test instead of hanging it.
	Timeout time.Duration
	// Programs shares compiled functions between sessions (nil: compile per session).
	Programs *runtime.ProgramCache
	// Dir holds the session's bbolt file; "" makes a temp folder removed on Close.
	Dir string
	// Upstreams reroute outbound hosts to local servers before the fake HTTP
	// sees them.
	Upstreams map[string]string
	// NoSandbox turns the payment sandbox off: provider hosts are then
	// undeclared calls like any other.
	NoSandbox bool
	// SandboxKeys are the sandbox credentials (nil: SandboxKeys(), shared by
	// every session of the process).
	SandboxKeys *builtin.Keys
}

// Session is one isolated emulator under test. Its methods are safe for
// concurrent use.
type Session struct {
	Emu   *emulator.Emulator
	Clock *clock.Fake
	HTTP  *FakeHTTP
	// Payments drives the payment sandbox; nil with Options.NoSandbox.
	Payments *Payments

	logs    *logBuffer
	dir     string
	tempDir bool
	timeout time.Duration
}

// Open starts a session.
func Open(opts Options) (*Session, error) {
	if len(opts.Functions) == 0 {
		return nil, fmt.Errorf("testkit: Options.Functions names no folder")
	}
	if opts.Start.IsZero() {
		opts.Start = DefaultStart
	}
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	s := &Session{Clock: clock.NewFake(opts.Start), HTTP: &FakeHTTP{}, logs: &logBuffer{}, dir: opts.Dir, timeout: opts.Timeout}
	if s.dir == "" {
		d, err := os.MkdirTemp("", "bmobemu-test-")
		if err != nil {
			return nil, fmt.Errorf("testkit: %w", err)
		}
		s.dir, s.tempDir = d, true
	}
	if err := writeKeys(filepath.Join(s.dir, "data.db.keys.json")); err != nil {
		s.removeDir()
		return nil, err
	}
	sbCfg := emulator.SandboxConfig{Off: opts.NoSandbox, Keys: opts.SandboxKeys, TransportFirst: true,
		// The providers' own retry schedule: the clock is frozen, clock.advance
		// reaches a retry (Alipay's first after 4 minutes).
		RetryScale: 1}
	if !opts.NoSandbox && sbCfg.Keys == nil {
		k, err := SandboxKeys()
		if err != nil {
			s.removeDir()
			return nil, err
		}
		sbCfg.Keys = k
	}
	rnd := newSeeded(opts.Seed)
	cfg := emulator.Config{
		FunctionsDirs: opts.Functions, DBPath: filepath.Join(s.dir, "data.db"), Secret: Secret,
		Profile: opts.Profile, Upstreams: opts.Upstreams, Timeout: opts.Timeout, PoolSize: 4,
		LogOutput: s.logs, Clock: s.Clock, Random: rnd, MathRandom: rnd.Float64,
		Transport: s.HTTP, Programs: opts.Programs, NoSync: true, NoWarm: true,
		Transform: replacer(opts.Replace),
		Sandbox:   sbCfg,
		// Timed tasks run when the test steps the clock, each to completion;
		// REST calls may play clients from any address (X-Forwarded-For).
		ManualTasks: true, TrustForwardedFor: true,
	}
	emu, err := emulator.Open(cfg)
	if err != nil {
		s.removeDir()
		return nil, fmt.Errorf("testkit: %w", err)
	}
	s.Emu = emu
	if emu.Sandbox != nil {
		s.HTTP.answerProvidersWith(emu.Sandbox.Transport(notSandboxed{}))
		s.Payments = newPayments(s)
	}
	if errs := emu.Functions.Errors(); len(errs) > 0 {
		var msgs []string
		for name, e := range errs {
			msgs = append(msgs, fmt.Sprintf("%s: %v", name, e))
		}
		_ = s.Close()
		return nil, fmt.Errorf("testkit: functions did not load: %s", strings.Join(msgs, "; "))
	}
	if opts.Fixtures != nil && opts.Fixtures.doc != nil {
		if err := emu.Store.Import(context.Background(), bytes.NewReader(opts.Fixtures.doc)); err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("testkit: loading fixtures: %w", err)
		}
	}
	return s, nil
}

func writeKeys(path string) error {
	data, err := json.Marshal(Keys)
	if err == nil {
		err = os.WriteFile(path, data, 0o600)
	}
	if err != nil {
		return fmt.Errorf("testkit: writing the keys file: %w", err)
	}
	return nil
}

func replacer(m map[string]string) func(string, []byte) []byte {
	if len(m) == 0 {
		return nil
	}
	pairs := make([]string, 0, 2*len(m))
	for k, v := range m {
		pairs = append(pairs, k, v)
	}
	r := strings.NewReplacer(pairs...)
	return func(_ string, src []byte) []byte { return []byte(r.Replace(string(src))) }
}

// Close stops the emulator (and any script work left running) and removes the
// session's temp folder.
func (s *Session) Close() error {
	err := s.Emu.Close()
	s.removeDir()
	if err != nil {
		return fmt.Errorf("testkit: closing: %w", err)
	}
	return nil
}

func (s *Session) removeDir() {
	if s.tempDir {
		_ = os.RemoveAll(s.dir)
	}
}

// Logs returns every log line of the session's functions so far, in order.
func (s *Session) Logs() []string { return s.logs.lines(0) }

// LogsSince returns the lines logged after the first n.
func (s *Session) LogsSince(n int) []string { return s.logs.lines(n) }

// LogCount is how many lines have been logged; pass it to LogsSince.
func (s *Session) LogCount() int { return s.logs.count() }

// logBuffer collects the emulator's log output as lines.
type logBuffer struct {
	mu   sync.Mutex
	buf  []byte
	done []string
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	for {
		i := bytes.IndexByte(b.buf, '\n')
		if i < 0 {
			break
		}
		b.done = append(b.done, string(b.buf[:i]))
		b.buf = b.buf[i+1:]
	}
	return len(p), nil
}

func (b *logBuffer) lines(from int) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if from >= len(b.done) {
		return nil
	}
	return append([]string(nil), b.done[from:]...)
}

func (b *logBuffer) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.done)
}

// callContext bounds a call by the session's timeout plus a margin, so the
// runtime's own timeout answer arrives first.
func (s *Session) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout+5*time.Second)
}

var _ http.RoundTripper = (*FakeHTTP)(nil)
