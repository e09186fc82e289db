// Package emulator wires bmobemu together: the store on a bbolt file, the module
// registry, the runtime engine, the function set and the HTTP app. The CLI, the
// examples' tests and (later) the Go testkit all start the emulator through here.
package emulator

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/console"
	"github.com/bmobemu/bmobemu/datahook"
	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/functions"
	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/internal/webguard"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/outbound"
	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/builtin"
	"github.com/bmobemu/bmobemu/project"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/server"
	"github.com/bmobemu/bmobemu/store"
	"github.com/bmobemu/bmobemu/tasks"
)

// DefaultPostgresState is where the files kept beside a bbolt db go when the
// db is PostgreSQL: processes sharing a database share this folder.
const DefaultPostgresState = ".bmobemu/postgres"

// Config is everything `bmobemu serve` can set.
type Config struct {
	FunctionsDirs []string          // every DIR/<name>.js of each folder is a function
	DBPath        string            // the bbolt file, or a postgres:// URL
	Secret        string            // secret key of direct URLs; "" uses Keys.SecretKey or the one kept beside the db
	Keys          Keys              // non-empty fields override the keys kept beside the db
	Profile       modules.Profile   // compat (default) or bmob
	Upstreams     map[string]string // HOST -> base URL for outbound calls
	Timeout       time.Duration     // per call; 0 = 30 s, negative = none
	BodyLimit     int               // bytes; 0 = 0.2 MB
	PoolSize      int               // VMs per function; 0 = 16
	// RunDepth bounds chains of oFunctions.run (0: runtime.DefaultRunDepth).
	RunDepth int
	// DecompressLimit caps one decompression's output in bytes (0:
	// modules.DefaultDecompressLimit).
	DecompressLimit int64
	// OutboundBodyLimit caps one outbound response body in bytes (0:
	// outbound.DefaultMaxResponseBody).
	OutboundBodyLimit int64
	MaxCallDepth      int            // call stack frames of a script; 0 = runtime.DefaultMaxCallDepth
	MemoryLimit       int64          // heap bytes running scripts may fill; 0 = runtime.DefaultMemoryLimit, negative = none
	Watch             bool           // reload functions when their files change
	LogOutput         io.Writer      // where function logs go (nil: nowhere)
	Clock             clock.Clock    // Date, timers, timestamps (nil: real time); a *clock.Fake freezes them
	Random            io.Reader      // randomness: objectIds, crypto.randomBytes, the secret (nil: crypto/rand)
	MathRandom        func() float64 // Math.random of every VM (nil: goja's own); must be safe for concurrent use
	// Transport finally sends every outbound call, after --upstream rewriting
	// (nil: the network); handler tests plug in fake HTTP here.
	Transport http.RoundTripper
	// Programs shares compiled functions between emulators (nil: compile here).
	Programs *runtime.ProgramCache
	// NoSync skips fsync on the store: for throwaway test stores only.
	NoSync bool
	// NoWarm leaves each function's first VM to its first call instead of making
	// it at load (a load error then shows on the first call).
	NoWarm bool
	// Transform rewrites each function's source before it compiles (nil: none).
	Transform func(path string, src []byte) []byte
	// Sandbox is the payment sandbox (zero value: on).
	Sandbox SandboxConfig
	// ListenAddr is the address the server listens on ("" = loopback: tests and
	// invoke never listen). Off loopback the sandbox and admin routes need the
	// master key (see internal/webguard).
	ListenAddr string
	// Version is bmobemu's version, shown by the web console.
	Version string
	// DeployDir is where REST deploys write ("": <db>.deployed); see
	// functions.LoadOptions.DeployDir.
	DeployDir string
	// AlipayApp is the app context-style functions' ctx.cloud calls sign as
	// (nil: the sandbox's Alipay app when the sandbox is on, else none).
	AlipayApp *modules.AlipayApp
	// StateBase is the path prefix of the files kept beside the db (keys,
	// sandbox keys, uploaded files, deploys): "" is DBPath for a bbolt file,
	// DefaultPostgresState for PostgreSQL.
	StateBase string
	// Postgres sizes the pool and bounds statements of a PostgreSQL db.
	Postgres store.PostgresOptions
	// TrustForwardedFor takes REST clients' IPs from X-Forwarded-For (tests).
	TrustForwardedFor bool
	// ManualTasks arms no timers for the timed tasks: they run only when a test
	// steps the clock (Tasks.RunDue) or runs them by hand.
	ManualTasks bool
}

// Emulator is a running bmobemu.
type Emulator struct {
	Config    Config
	Store     store.Store
	Functions *functions.Set
	Engine    *runtime.Engine
	Logs      *Logs
	Router    *outbound.Router
	App       *fiber.App
	// Calls builds a function call's Request from an HTTP request, with the
	// server's body limit and parsers (see CallHTTP).
	Calls  fncall.Parser
	Secret string
	Keys   Keys
	// Sandbox is the payment sandbox and SandboxKeys its credentials; both nil
	// when the sandbox is off.
	Sandbox     *paysim.Sandbox
	SandboxKeys *builtin.Keys
	// Guard protects the sandbox's and other admin web routes; a console
	// mounted later should sit behind it too.
	Guard *webguard.Guard
	// Console is the web console under /_console/; LogHub feeds its live log.
	Console *console.Console
	LogHub  *console.Hub
	// Project is the project file (data hook, timed tasks), reloaded with the
	// functions; Tasks runs its timed tasks.
	Project *project.Holder
	Tasks   *tasks.Scheduler

	cancelWatch context.CancelFunc
	stopCode    context.CancelFunc // ends Functions.WatchCode
}

// Open builds an emulator. The caller must Close it. A start that fails
// leaves nothing behind: the db, its folder and the keys files are made only
// when missing, and removed again when a later step fails.
func Open(cfg Config) (e *Emulator, err error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	if cfg.Sandbox.BaseURL == "" {
		cfg.Sandbox.BaseURL = DefaultBaseURL
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	if cfg.Profile == "" {
		cfg.Profile = modules.Compat
	}
	if cfg.Secret != "" {
		cfg.Keys.SecretKey = cfg.Secret
	}
	if cfg.StateBase == "" {
		cfg.StateBase = cfg.DBPath
		if store.IsPostgresURL(cfg.DBPath) {
			cfg.StateBase = DefaultPostgresState
		}
	}
	if cfg.DeployDir == "" {
		cfg.DeployDir = cfg.StateBase + ".deployed"
	}
	// Checked before anything is made: a missing folder is the commonest
	// failed start.
	for _, dir := range cfg.FunctionsDirs {
		if st, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("functions folder: %w", err)
		} else if !st.IsDir() {
			return nil, fmt.Errorf("functions folder %s is not a folder", dir)
		}
	}
	var made leftovers
	defer func() {
		if err != nil {
			made.remove()
		}
	}()
	if err := made.mkdirAll(filepath.Dir(cfg.StateBase)); err != nil {
		return nil, err
	}
	if !store.IsPostgresURL(cfg.DBPath) {
		made.ifMissing(cfg.DBPath)
	}
	logs := NewLogs(cfg.LogOutput, 200, cfg.Clock.Now)
	st, err := store.OpenDB(cfg.DBPath, store.Options{Now: cfg.Clock.Now, Random: cfg.Random, NoSync: cfg.NoSync,
		Log: func(level, line string) { logs.FunctionLog("bmobemu", level, line) }}, cfg.Postgres)
	if err != nil {
		return nil, err
	}
	made.ifMissing(keysFile(cfg.StateBase))
	keys, err := LoadOrCreateKeys(cfg.StateBase, cfg.Random, cfg.Keys)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	secret := keys.SecretKey
	if !cfg.Sandbox.Off && cfg.Sandbox.Keys == nil {
		made.ifMissing(paysim.KeysFile(cfg.StateBase))
	}
	listen := cfg.ListenAddr
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	e = &Emulator{Config: cfg, Store: st, Logs: logs, Secret: secret, Keys: keys, Guard: webguard.New(listen, keys.MasterKey),
		Calls: fncall.Parser{BodyLimit: cfg.BodyLimit, ParseXML: parseXMLBody}}
	transport := cfg.Transport
	if !cfg.Sandbox.Off {
		if e.Sandbox, e.SandboxKeys, err = openSandbox(cfg, cfg.Clock, e); err != nil {
			_ = st.Close()
			return nil, err
		}
		if transport == nil {
			transport = outbound.DefaultTransport()
		}
		if !cfg.Sandbox.TransportFirst {
			transport = e.Sandbox.Transport(transport)
		}
	}
	router := outbound.New(outbound.Options{
		Upstreams:       cfg.Upstreams,
		Transport:       transport,
		MaxResponseBody: cfg.OutboundBodyLimit,
	})
	e.Router = router
	hook := datahook.New(e.currentHook, e, func(level, line string) { logs.FunctionLog("hook", level, line) })
	// The function set is built after the API (its engine needs the API's
	// modules): /1/functions is bound to it once loaded.
	restFunctions := &server.RESTFunctions{}
	api := restapi.New(st, restapi.WithKeys(keys), restapi.WithFilesDir(cfg.StateBase+".files"),
		restapi.WithLog(func(level, line string) { logs.FunctionLog("bmobemu", level, line) }),
		restapi.WithDataHook(hook), restapi.WithFunctions(restFunctions), restapi.WithClock(cfg.Clock.Now),
		restapi.WithBodyLimits(cfg.BodyLimit, 0), restapi.WithNonces(sharedNonces(st)))
	env := &modules.Env{Profile: cfg.Profile, HTTP: router.Client(), Now: cfg.Clock.Now, Zone: bjtime.Location, Random: cfg.Random,
		DecompressLimit: cfg.DecompressLimit}
	deps := Deps{API: api, AlipayApp: cfg.AlipayApp}
	if e.Sandbox != nil {
		deps.Alipay = sandboxHooks(e.Sandbox, cfg.Sandbox.BaseURL)
	}
	if deps.AlipayApp == nil && e.SandboxKeys != nil {
		deps.AlipayApp = sandboxAlipayApp(e.SandboxKeys)
	}
	appID := ""
	if deps.AlipayApp != nil {
		appID = deps.AlipayApp.AppID
	}
	engine, err := runtime.New(runtime.Options{
		Registry:     NewRegistry(deps),
		Env:          env,
		AlipayAppID:  appID,
		Timeout:      cfg.Timeout,
		PoolSize:     cfg.PoolSize,
		RunDepth:     cfg.RunDepth,
		MaxCallDepth: cfg.MaxCallDepth,
		MemoryLimit:  cfg.MemoryLimit,
		Log:          logs,
		Formatter:    consoleFormatter,
		Clock:        cfg.Clock,
		MathRandom:   cfg.MathRandom,
		Programs:     cfg.Programs,
		Context: func(ctx context.Context, function string) context.Context {
			return outbound.WithLogger(ctx, func(line string) { logs.FunctionLog(function, "http", line) })
		},
	})
	if err != nil {
		e.closeEarly()
		return nil, err
	}
	set, err := functions.LoadWith(engine, cfg.FunctionsDirs, functions.LoadOptions{
		Log:       func(level, line string) { logs.FunctionLog("bmobemu", level, line) },
		NoWarm:    cfg.NoWarm,
		Transform: cfg.Transform,
		DeployDir: cfg.DeployDir,
		Code:      codeStore(st),
		Calls:     e.Calls,
	})
	if err != nil {
		e.closeEarly()
		return nil, err
	}
	codeCtx, stopCode := context.WithCancel(context.Background())
	e.stopCode = stopCode
	go set.WatchCode(codeCtx, 0) // returns at once unless deploys live in the database
	env.Functions = set
	restFunctions.Bind(set)
	e.Functions, e.Engine = set, engine
	if err := e.openProject(); err != nil {
		e.closeEarly()
		return nil, err
	}
	if cfg.Watch {
		ctx, cancel := context.WithCancel(context.Background())
		err := set.Watch(ctx)
		if err == nil {
			err = e.Project.Watch(ctx)
		}
		if err != nil {
			cancel()
			e.closeEarly()
			return nil, err
		}
		e.cancelWatch = cancel
	}
	e.openConsole()
	e.App = server.New(server.Options{
		Functions: set,
		Secret:    secret,
		API:       api,
		BodyLimit: cfg.BodyLimit,
		ParseXML:  parseXMLBody,
		Log:       func(level, line string) { logs.FunctionLog("bmobemu", level, line) },
		Mounts:    e.mounts(),
		Streams:   map[string]fiber.Handler{console.EventsPath: e.Console.Events},
		Backup:    e.backup,

		TrustForwardedFor: cfg.TrustForwardedFor,
	})
	return e, nil
}

// mounts are the extra handlers on the server: the console's, the task
// routes, and the sandbox's when on.
func (e *Emulator) mounts() map[string]http.Handler {
	m := map[string]http.Handler{console.MountPath: e.Console.Handler(), tasks.AdminPath: e.Tasks.Handler(e.Keys.MasterKey, 0)}
	if e.Sandbox != nil {
		m[paysim.MountPath] = e.Sandbox.Handler()
	}
	return m
}

// leftovers are the files and folders a starting emulator made, removed when
// the start fails.
type leftovers []string

// ifMissing notes path, to be removed on failure, when it does not exist yet.
func (l *leftovers) ifMissing(path string) {
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		*l = append(*l, path)
	}
}

// mkdirAll makes dir and its missing parents, noting each one it makes.
func (l *leftovers) mkdirAll(dir string) error {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || d == filepath.Dir(d) {
			break
		}
		missing = append(missing, d)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("making the db's folder: %w", err)
	}
	for i := len(missing) - 1; i >= 0; i-- { // parents first: removed last
		*l = append(*l, missing[i])
	}
	return nil
}

// remove deletes what was made, newest first (a folder after its content).
func (l leftovers) remove() {
	for i := len(l) - 1; i >= 0; i-- {
		_ = os.Remove(l[i])
	}
}

// backup writes a consistent copy of the store: the bbolt file, or the JSON
// export (both from one read transaction).
func (e *Emulator) backup(ctx context.Context, w io.Writer, export bool) error {
	if export {
		return e.Store.Export(ctx, w)
	}
	_, err := store.Backup(ctx, e.Store, w)
	return err
}

// closeEarly releases what Open made before failing.
func (e *Emulator) closeEarly() {
	if e.stopCode != nil {
		e.stopCode()
	}
	if e.Tasks != nil {
		e.Tasks.Close()
	}
	if e.Sandbox != nil {
		_ = e.Sandbox.Close()
	}
	_ = e.Store.Close()
}

// Serve answers HTTP on ln until ctx is done, then shuts down gracefully.
func (e *Emulator) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- e.App.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		e.LogHub.Close()
		return e.App.ShutdownWithTimeout(5 * time.Second)
	}
}

// Close stops watching and notify deliveries, stops the server and the
// scripts' leftover work, and closes the store.
func (e *Emulator) Close() error {
	e.Tasks.Close()
	if e.cancelWatch != nil {
		e.cancelWatch()
	}
	if e.stopCode != nil {
		e.stopCode()
	}
	if e.Sandbox != nil {
		_ = e.Sandbox.Close()
	}
	e.LogHub.Close() // open live-log streams would hold the shutdown
	if err := e.App.Shutdown(); err != nil {
		return fmt.Errorf("stopping server: %w", err)
	}
	e.Functions.Abort()
	e.Tasks.Wait()
	return e.Store.Close()
}

// sharedNonces is the store's nonce record when it has one (PostgreSQL:
// shared by every process on the database), else nil (this process's memory).
func sharedNonces(st store.Store) restapi.NonceRecorder {
	if k, ok := st.(store.NonceKeeper); ok {
		return k
	}
	return nil
}
