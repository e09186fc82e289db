package hydrogen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/project"
)

// TestHydrogenSDKThroughTheDataHook: the real JS SDK against the docs' four
// data hooks (examples/datahooks) and a broken one: refusals reach the SDK as
// Bmob's error 324 with the hook's message, a rewritten field is saved.
func TestHydrogenSDKThroughTheDataHook(t *testing.T) {
	node := sdkReady(t)
	fnDir := t.TempDir()
	for _, src := range []string{"functions", "broken"} {
		from := filepath.Join("..", "..", "examples", "datahooks", src)
		entries, err := os.ReadDir(from)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(from, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(fnDir, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	emu, err := emulator.Open(emulator.Config{FunctionsDirs: []string{fnDir}, DBPath: filepath.Join(t.TempDir(), "hooks.db"),
		Timeout: 10 * time.Second, Sandbox: emulator.SandboxConfig{Off: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = emu.Serve(ctx, ln) }()
	env := append(os.Environ(), "BMOB_URL=http://"+ln.Addr().String(), "BMOB_SECRET_KEY="+emu.Keys.SecretKey,
		"BMOB_SECURITY_CODE="+emu.Keys.SecurityCode)
	for _, hook := range []string{"denyOrder", "writersByIP", "refuseIOS", "sexToNumber", "undefinedVar"} {
		t.Run(hook, func(t *testing.T) {
			emu.Project.UseHook(&project.Hook{Function: hook, Timeout: project.DefaultHookTimeout, Where: "test"})
			runCtx, stop := context.WithTimeout(context.Background(), 60*time.Second)
			defer stop()
			cmd := exec.CommandContext(runCtx, node, "hooks.js")
			cmd.Dir = "testdata"
			cmd.Env = append(env, "HOOK="+hook)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, runErr := cmd.Output()
			steps := 0
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				var s struct {
					Step string `json:"step"`
					OK   bool   `json:"ok"`
				}
				if json.Unmarshal(sc.Bytes(), &s) == nil && s.Step != "" {
					steps++
					if !s.OK {
						t.Errorf("step failed: %s", sc.Text())
					}
				}
			}
			if runErr != nil || steps == 0 {
				t.Fatalf("node hooks.js: %v (%d steps)\nstdout:\n%s\nstderr:\n%s", runErr, steps, out, stderr.String())
			}
			if strings.Contains(string(out), `"ok":false`) {
				t.Fatalf("output:\n%s", out)
			}
		})
	}
}
