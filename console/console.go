// Package console is bmobemu's web console under /_console/: server-rendered
// pages (html/template) with a little plain JS and CSS, every asset embedded.
// Overview (keys, profile, functions with their URLs and a curl line each,
// sandbox state), Functions (source with line numbers, version, compile errors,
// an invoke form), Logs (a live tail over server-sent events), Data (classes,
// rows, users, files, schema), Payments (the sandbox's trades and notify
// deliveries) and Tasks (the data hook, the timed tasks: next runs, history,
// run now).
//
// The console drives nothing on its own: a call goes through the server as an
// HTTP call would, a data edit is a REST request with the master key, a payment
// action is the sandbox's own endpoint, so hooks, ACLs and logs behave exactly
// as for any client. Every route is behind internal/webguard (no login on
// loopback, the master key elsewhere, no cross-site state changes), and every
// value from the db reaches the page as text (html/template escaping, or the
// DOM's textContent in the scripts).
package console

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/bmobemu/bmobemu/internal/webguard"
)

// MountPath is where the console is served.
const MountPath = "/_console/"

// EventsPath is the live log stream (server-sent events); the server answers
// it with a streaming handler (see Console.Events) since net/http adaptors
// buffer the whole answer.
const EventsPath = MountPath + "events"

//go:embed assets
var assets embed.FS

// Keys are the app's credentials as the Overview shows them.
type Keys struct {
	AppID, RESTKey, MasterKey, SecretKey, SecurityCode string
}

// Options are what the console shows and drives.
type Options struct {
	// Guard admits requests (required).
	Guard *webguard.Guard
	// Functions lists the functions, their sources and load errors.
	Functions FunctionSet
	// Hub is the functions' live log (required).
	Hub *Hub
	// Local sends a request through the server in-process, exactly as an HTTP
	// client's request would go (function calls, REST); required.
	Local func(*http.Request) (*http.Response, error)
	// Sandbox serves the payment sandbox's endpoints (paths under /_sandbox/);
	// nil when the sandbox is off.
	Sandbox http.Handler
	// SandboxProviders names the simulated providers.
	SandboxProviders []string
	// SandboxConfig returns the sandbox keys as ready-to-paste text (nil: none).
	SandboxConfig func() string
	// Keys are the app's credentials; Secret is the direct URLs' first segment.
	Keys Keys
	// Profile is compat or bmob.
	Profile string
	// DBPath is the data file; FilesDir holds uploaded files.
	DBPath, FilesDir string
	// FunctionsDirs are the folders functions load from.
	FunctionsDirs []string
	// Version is bmobemu's version, shown in the header.
	Version string
	// Tasks serves the timed tasks' admin routes (paths under TasksPath; it
	// wants the master key, which the console adds); nil: no tasks page.
	Tasks http.Handler
	// TasksPath is where Tasks expects its paths ("/_admin/tasks/").
	TasksPath string
	// Hook describes the data hook (nil or "": none declared).
	Hook func() string
	// Extra are more Overview lines (name, value), e.g. the data hook and timed
	// tasks when the emulator has them.
	Extra func() [][2]string
}

// Console serves the pages and their JSON endpoints.
type Console struct {
	opts  Options
	mux   *http.ServeMux
	pages *pages
}

// New builds the console.
func New(opts Options) *Console {
	c := &Console{opts: opts, mux: http.NewServeMux(), pages: parsedPages}
	static, err := fs.Sub(assets, "assets/static")
	if err != nil {
		panic(err) // the embedded tree is part of the binary
	}
	c.mux.Handle("GET /_console/static/", http.StripPrefix("/_console/static/", staticFiles(static)))
	c.mux.HandleFunc("GET /_console/{$}", c.overview)
	c.mux.HandleFunc("GET /_console/functions", c.functionsPage)
	c.mux.HandleFunc("GET /_console/logs", c.logsPage)
	c.mux.HandleFunc("GET /_console/data", c.dataPage)
	c.mux.HandleFunc("GET /_console/payments", c.paymentsPage)
	c.mux.HandleFunc("POST /_console/api/invoke", c.invoke)
	c.mux.HandleFunc("/_console/api/rest/", c.rest)
	c.mux.HandleFunc("/_console/api/sandbox/", c.sandbox)
	c.mux.HandleFunc("GET /_console/api/files", c.files)
	c.mux.HandleFunc("GET /_console/tasks", c.tasksPage)
	c.mux.HandleFunc("/_console/api/tasks/", c.tasks)
	c.mux.HandleFunc("/_console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, MountPath, http.StatusFound)
	})
	return c
}

// Handler is every console route but the live stream, behind the guard.
func (c *Console) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ref := c.opts.Guard.Check(r); ref != nil {
			webguard.Refuse(w, ref)
			return
		}
		// The console's pages are never framed (clickjacking) nor sniffed.
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "same-origin")
		w.Header().Set("Cache-Control", "no-store")
		if !strings.HasPrefix(r.URL.Path, "/_console/static/") {
			w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
		}
		c.mux.ServeHTTP(w, r)
	})
}

// staticFiles serves the embedded CSS and JS.
func staticFiles(fsys fs.FS) http.Handler {
	return http.FileServer(http.FS(fsys))
}
