package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenLockedFile(t *testing.T) {
	_, path := openTest(t)
	start := time.Now()
	_, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
	if err == nil {
		t.Fatal("second Open of a locked file succeeded")
	}
	for _, want := range []string{path, "another bmobemu may be using it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("lock wait ignored LockTimeout")
	}
}

func TestOpenRejectsForeignFiles(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"garbage", strings.Repeat("not a database, just bytes ", 400), "not a bbolt database"},
		{"short", "abc", "not a bbolt database"},
		{"json export", `{"format":"bmobemu-export","version":1,"classes":{}}` + strings.Repeat(" ", 100), "JSON file"},
		{"bad meta after magic", string(badMeta()), "not a usable bbolt database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.db")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path, Options{})
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded on a foreign file")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q, want it to name the file and say %q", err, tt.want)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, []byte(tt.content)) {
				t.Error("Open modified the file")
			}
		})
	}
}

// badMeta has bbolt's magic and version but a corrupt meta page.
func badMeta() []byte {
	b := bytes.Repeat([]byte{0x5a}, 16384)
	copy(b[16:], []byte{0xED, 0xDA, 0x0C, 0xED, 2, 0, 0, 0})
	return b
}

func TestOpenCreatesAndReopens(t *testing.T) {
	s, path := openTest(t)
	id := mustCreate(t, s, "Game", map[string]any{"score": 1.0})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	if got := mustGet(t, s2, "Game", id)["score"]; got != 1.0 {
		t.Errorf("score after reopen = %v", got)
	}
}
