package emulator

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/project"
)

// BenchmarkRESTInsertDataHook: a client's insert through the fiber app with no
// hook and with a hook that answers {"msg":"ok"} (one JS call more per request).
func BenchmarkRESTInsertDataHook(b *testing.B) {
	dir := b.TempDir()
	write(b, dir, "allow.js", `function onRequest(request, response, modules) { response.end({ msg: "ok" }); }`)
	emu, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(b.TempDir(), "d.db"), NoSync: true,
		Sandbox: SandboxConfig{Off: true}, ManualTasks: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = emu.Close() })
	for _, hook := range []string{"", "allow"} {
		name := "no hook"
		if hook != "" {
			name = "hook " + hook
			emu.Project.UseHook(&project.Hook{Function: hook, Timeout: project.DefaultHookTimeout})
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				req, _ := http.NewRequest("POST", "http://127.0.0.1/1/classes/Item", strings.NewReader(`{"n":1}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Bmob-Application-Id", emu.Keys.AppID)
				req.Header.Set("X-Bmob-REST-API-Key", emu.Keys.RESTKey)
				resp, err := emu.App.Test(req, -1)
				if err != nil || resp.StatusCode != 201 {
					b.Fatalf("%v %v", resp, err)
				}
				resp.Body.Close()
			}
		})
	}
}
