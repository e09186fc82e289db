package emulator

import (
	"net/http"
	"strings"

	"github.com/bmobemu/bmobemu/console"
)

// openConsole builds the web console and its live log, fed by every log line.
// The console reaches the functions and the REST API through the fiber app
// in-process (App.Test), the same path an HTTP client's request takes.
func (e *Emulator) openConsole() {
	cfg := e.Config
	e.LogHub = console.NewHub()
	e.Logs.Tap(e.LogHub.Publish)
	opts := console.Options{
		Guard:     e.Guard,
		Functions: e.Functions,
		Hub:       e.LogHub,
		Local:     func(r *http.Request) (*http.Response, error) { return e.App.Test(r, -1) },
		Keys: console.Keys{AppID: e.Keys.AppID, RESTKey: e.Keys.RESTKey, MasterKey: e.Keys.MasterKey,
			SecretKey: e.Secret, SecurityCode: e.Keys.SecurityCode},
		Profile:       string(cfg.Profile),
		DBPath:        cfg.DBPath,
		FilesDir:      cfg.DBPath + ".files",
		FunctionsDirs: cfg.FunctionsDirs,
		Version:       cfg.Version,
	}
	if e.Sandbox != nil {
		opts.Sandbox = e.Sandbox.Handler()
		for _, p := range e.Sandbox.Providers() {
			opts.SandboxProviders = append(opts.SandboxProviders, p.Name())
		}
		var b strings.Builder
		if e.SandboxKeys != nil && e.SandboxKeys.WriteConfig(&b) == nil {
			opts.SandboxConfig = b.String()
		}
	}
	e.Console = console.New(opts)
}
