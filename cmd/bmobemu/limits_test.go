package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The limit flags reach the runtime, and nonsense values are refused.
func TestLimitFlags(t *testing.T) {
	dir := t.TempDir()
	fn := filepath.Join(dir, "functions")
	_ = os.Mkdir(fn, 0o755)
	_ = os.WriteFile(filepath.Join(fn, "inflate.js"), []byte(`function onRequest(request, response) {
		var zlib = require('zlib');
		response.send('inflated ' + zlib.gunzipSync(zlib.gzipSync(Buffer.alloc(5000))).length);
	}`), 0o644)
	db := filepath.Join(dir, "x.db")
	var out, errOut bytes.Buffer
	run(context.Background(), []string{"invoke", "inflate", "--functions", fn, "--db", db, "--decompress-limit", "1000"}, &out, &errOut)
	if !strings.Contains(out.String(), "status: 500") || !strings.Contains(out.String(), "--decompress-limit") {
		t.Fatalf("--decompress-limit 1000:\n%s\n%s", out.String(), errOut.String())
	}
	out.Reset()
	run(context.Background(), []string{"invoke", "inflate", "--functions", fn, "--db", db}, &out, &errOut)
	if !strings.Contains(out.String(), "inflated 5000") {
		t.Fatalf("default limit:\n%s\n%s", out.String(), errOut.String())
	}
	for _, flag := range []string{"--run-depth", "--decompress-limit", "--outbound-body-limit"} {
		errOut.Reset()
		if code := run(context.Background(), []string{"invoke", "inflate", "--functions", fn, "--db", db, flag, "0"}, &out, &errOut); code == 0 ||
			!strings.Contains(errOut.String(), flag+" must be at least 1, not 0") {
			t.Fatalf("%s 0: %d %s", flag, code, errOut.String())
		}
	}
}
