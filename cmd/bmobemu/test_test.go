package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestTestCommand(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "junit.xml")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"test", "../../examples/guestbook", "-run", "^like", "--junit", junit}, &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "2 passed, 0 failed, 6 skipped") {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if x, err := os.ReadFile(junit); err != nil || !strings.Contains(string(x), `<testsuites tests="8" failures="0" skipped="6"`) {
		t.Fatalf("junit: %v\n%s", err, x)
	}

	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "f.js"), []byte(`function onRequest(q, r) { r.send('no'); }`), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "f.test.js"), []byte(`test('yes', function () { assert.equal(call('f').text, 'yes'); });`), 0o644)
	out.Reset()
	errOut.Reset()
	code = run(context.Background(), []string{"test", dir}, &out, &errOut)
	if code != 1 || !strings.Contains(out.String(), "0 passed, 1 failed") || !strings.Contains(out.String(), `equal: expected "yes", got "no"`) ||
		!strings.Contains(errOut.String(), "tests failed") {
		t.Fatalf("failing run: exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	if code := run(context.Background(), []string{"test", dir, "-run", "("}, &out, &errOut); code != 1 {
		t.Fatalf("bad -run pattern: exit %d", code)
	}
}

// `bmobemu test examples`: every example's tests call their own example's
// functions (they failed with "function … not exists" when only
// examples/functions was looked at).
func TestTestCommandOverSeveralProjects(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"test", "../../examples", "-run", "^(createOrder validates the amount|memberPlans lists|like)"}, &out, &errOut)
	if code != 0 || !regexp.MustCompile(`\b[4-9] passed, 0 failed`).MatchString(out.String()) {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
}
