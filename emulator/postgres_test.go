package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// TestTwoEmulatorsShareOnePostgres: two emulators (as two processes would)
// on one PostgreSQL database and one state folder serve the guestbook: a
// message signed through one is listed and counted through the other at
// once, and both use the same keys.
func TestTwoEmulatorsShareOnePostgres(t *testing.T) {
	db := pgtest.DSN(t)
	state := filepath.Join(t.TempDir(), "state")
	fns, err := filepath.Abs("../examples/guestbook/functions")
	if err != nil {
		t.Fatal(err)
	}
	var emus [2]*Emulator
	for i := range emus {
		emu, err := Open(Config{FunctionsDirs: []string{fns}, DBPath: db, StateBase: state, Timeout: 20 * time.Second, Sandbox: SandboxConfig{Off: true}})
		if err != nil {
			t.Fatalf("open emulator %d on %s: %v", i, db, err)
		}
		t.Cleanup(func() { _ = emu.Close() })
		emus[i] = emu
	}
	if emus[0].Keys != emus[1].Keys {
		t.Fatalf("the two emulators have different keys: %+v %+v", emus[0].Keys, emus[1].Keys)
	}
	call := func(emu *Emulator, name, method string, body any) map[string]any {
		t.Helper()
		req := &fncall.Request{Method: method, Header: http.Header{}}
		if body != nil {
			b, _ := json.Marshal(body)
			req.Body = fncall.Body{Kind: fncall.BodyJSON, Raw: b}
		}
		resp, err := emu.Functions.Invoke(context.Background(), name, req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var out map[string]any
		if err := json.Unmarshal(resp.Body, &out); err != nil {
			t.Fatalf("%s answered %s", name, resp.Body)
		}
		return out
	}
	for i := 0; i < 3; i++ {
		got := call(emus[i%2], "sign", "POST", map[string]any{"author": "ada", "text": "hello " + strings.Repeat("!", i)})
		if got["code"] != float64(200) || got["authorTotal"] != float64(i+1) {
			t.Fatalf("sign %d through emulator %d: %v", i, i%2, got)
		}
	}
	list := call(emus[1], "messages", "GET", nil)
	msgs, _ := list["messages"].([]any)
	if len(msgs) != 3 {
		t.Fatalf("emulator 1 lists %v", list)
	}
	if first, _ := msgs[0].(map[string]any); first["text"] != "hello !!" {
		t.Fatalf("newest first: %v", msgs)
	}
}
