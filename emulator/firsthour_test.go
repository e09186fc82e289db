package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// listTree lists every path under dir.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err == nil && p != dir {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return out
}

// A start that fails makes nothing: no db, no keys files, no db folder.
func TestFailedStartCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	fn := filepath.Join(dir, "functions")
	if err := os.Mkdir(fn, 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"missing functions folder", Config{FunctionsDirs: []string{filepath.Join(dir, "nope")}, DBPath: filepath.Join(dir, "a.db")}, "functions folder"},
		{"missing functions folder, db in a new folder", Config{FunctionsDirs: []string{filepath.Join(dir, "nope")}, DBPath: filepath.Join(dir, "data", "deep", "a.db")}, "functions folder"},
		{"damaged db in a new folder", Config{FunctionsDirs: []string{fn}, DBPath: filepath.Join(dir, "data", "b.db")}, "not a bbolt database"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := listTree(t, dir)
			if tc.name == "damaged db in a new folder" {
				_ = os.MkdirAll(filepath.Dir(tc.cfg.DBPath), 0o755)
				if err := os.WriteFile(tc.cfg.DBPath, []byte("this is not a database, it is long enough to be read"), 0o600); err != nil {
					t.Fatal(err)
				}
				before = listTree(t, dir)
			}
			_, err := Open(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if after := listTree(t, dir); strings.Join(after, " ") != strings.Join(before, " ") {
				t.Fatalf("a failed start left files:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
	// A start that succeeds in a new folder makes the folder, the db and the keys.
	db := filepath.Join(dir, "ok", "c.db")
	e, err := Open(Config{FunctionsDirs: []string{fn}, DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, p := range []string{db, db + ".keys.json", db + ".sandbox.json"} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if e.Config.DeployDir != db+".deployed" {
		t.Errorf("deploy folder %q", e.Config.DeployDir)
	}
}
