package multiproc

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// TestReadmeSeveralProcesses runs the README's "Running several processes"
// block as it stands, with only the database URL, the binary, the folder of
// the example and the two ports swapped for the test's: two processes come up
// on one database, a message signed through the first is listed through the
// second.
func TestReadmeSeveralProcesses(t *testing.T) {
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not installed (.ci/run should install it)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- several-processes:begin -->\n```sh\n", "```\n<!-- several-processes:end -->"
	text := string(readme)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatal("README.md lacks the several-processes block")
	}
	script := text[i+len(begin) : j]
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	portA, portB := freeAddr(t), freeAddr(t)
	for _, r := range [][2]string{
		{"DB=postgres://app@db/app", "DB='" + pgtest.DSN(t) + "'"},
		{"bin/bmobemu", binary(t)},
		{"examples/", examples + "/"},
		{"127.0.0.1:8081", portA},
		{"127.0.0.1:8082", portB},
	} {
		if !strings.Contains(script, r[0]) {
			t.Fatalf("the README's block no longer has %q", r[0])
		}
		script = strings.ReplaceAll(script, r[0], r[1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = t.TempDir() // the processes' shared state folder, .bmobemu/postgres, goes here
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	defer func() {
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) // the servers, if the block did not stop them
		}
	}()
	out, err := cmd.CombinedOutput()
	t.Logf("the block printed:\n%s", out)
	if err != nil {
		t.Fatalf("the README's block failed: %v", err)
	}
	_, listed, _ := strings.Cut(string(out), `"authorTotal":1}`)
	if !strings.Contains(listed, `"messages":[{"author":"ada",`) || !strings.Contains(listed, `"text":"hi"`) {
		t.Fatal("the message signed through the first process is not listed through the second")
	}
}
