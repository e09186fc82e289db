package exampletest

import (
	"net"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/examples/internal/placeholders"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/builtin"
)

// SandboxRetryScale shrinks the providers' notify retry schedules in the
// examples' tests: Alipay's first retry (4 minutes) comes after 0.12 s,
// WeChat's (15 s) after 7.5 ms.
const SandboxRetryScale = 0.0005

// StartSandbox serves the functions folder dir with the payment sandbox on:
// the sandbox keys are made beside a fresh db, the folder is copied with its key
// placeholders filled from them (placeholders.FromSandbox), and the sandbox's
// cashier pages link back to the server's real loopback address.
func StartSandbox(t testing.TB, dir string) (*Emu, *builtin.Keys) {
	t.Helper()
	db := t.TempDir() + "/data.db"
	keys, err := builtin.LoadOrCreateKeys(paysim.KeysFile(db))
	if err != nil {
		t.Fatal(err)
	}
	filled := t.TempDir()
	if err := placeholders.Fill(dir, filled, placeholders.FromSandbox(keys)); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := emulator.Config{
		FunctionsDirs: []string{filled}, DBPath: db, Secret: "0123456789abcdef", Profile: modules.Compat,
		Timeout: 10 * time.Second, Sandbox: emulator.SandboxConfig{BaseURL: base, RetryScale: SandboxRetryScale},
	}
	emu, err := emulator.Open(cfg)
	if err != nil {
		_ = ln.Close()
		t.Fatal(err)
	}
	if errs := emu.Functions.Errors(); len(errs) > 0 {
		t.Fatalf("functions did not load: %v", errs)
	}
	serve(t, emu, ln)
	return &Emu{Emulator: emu, Base: base + "/" + cfg.Secret}, keys
}

// WaitFor polls cond every 5 ms until it holds or 5 s pass (a notify is
// delivered in the background); it reports how long that took.
func WaitFor(t testing.TB, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 5*time.Second {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}
