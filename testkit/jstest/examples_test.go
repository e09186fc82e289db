package jstest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestExamples runs every example's JS handler tests, as `bmobemu test
// examples/<x>` would, so `make test` fails when a handler's behaviour changes.
func TestExamples(t *testing.T) {
	dirs, err := filepath.Glob("../../examples/*")
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, dir := range dirs {
		if tests, _ := findTestFiles(dir); len(tests) == 0 {
			continue
		}
		ran++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var out bytes.Buffer
			res, err := Run(t.Context(), Config{Dir: dir, Out: &out})
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK() || res.Passed == 0 || res.SnapshotsWritten > 0 {
				t.Fatalf("%d passed, %d failed, %d snapshots written (commit snapshots):\n%s", res.Passed, res.Failed, res.SnapshotsWritten, out.String())
			}
		})
	}
	if ran < 3 {
		t.Fatalf("only %d examples have JS tests", ran)
	}
	if _, err := os.Stat("../../examples/guestbook/tests/guestbook.test.js.snap.json"); err != nil {
		t.Fatalf("the guestbook snapshots are not committed: %v", err)
	}
}
