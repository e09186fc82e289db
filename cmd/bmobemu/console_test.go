package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The serve banner prints the web console's URL, and it opens.
func TestServeBannerPrintsTheConsoleURL(t *testing.T) {
	fn := t.TempDir()
	_ = os.WriteFile(filepath.Join(fn, "hello.js"), []byte(`function onRequest(q, r) { r.send("hi") }`), 0o644)
	_, banner := serveForTest(t, "--functions", fn, "--db", filepath.Join(t.TempDir(), "t.db"), "--sandbox=off")
	m := regexp.MustCompile(`web console:\s+(http://\S+/_console/)`).FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("no console line in the banner:\n%s", banner)
	}
	resp, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Overview") || !strings.Contains(string(b), "/hello") {
		t.Fatalf("the console URL answers %d:\n%s", resp.StatusCode, b)
	}
}
