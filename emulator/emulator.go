// Package emulator wires bmobemu together: the store on a bbolt file, the module
// registry, the runtime engine, the function set and the HTTP app. The CLI, the
// examples' tests and (later) the Go testkit all start the emulator through here.
package emulator

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bmobemu/bmobemu/functions"
	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/outbound"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/server"
	"github.com/bmobemu/bmobemu/store"
)

// Config is everything `bmobemu serve` can set.
type Config struct {
	FunctionsDirs []string          // every DIR/<name>.js of each folder is a function
	DBPath        string            // the bbolt file
	Secret        string            // secret key of direct URLs; "" uses Keys.SecretKey or the one kept beside the db
	Keys          Keys              // non-empty fields override the keys kept beside the db
	Profile       modules.Profile   // compat (default) or bmob
	Upstreams     map[string]string // HOST -> base URL for outbound calls
	Timeout       time.Duration     // per call; 0 = 30 s, negative = none
	BodyLimit     int               // bytes; 0 = 0.2 MB
	PoolSize      int               // VMs per function; 0 = 16
	Watch         bool              // reload functions when their files change
	LogOutput     io.Writer         // where function logs go (nil: nowhere)
	Now           func() time.Time  // clock (nil: real time)
	Random        io.Reader         // randomness (nil: crypto/rand)
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
	Secret    string
	Keys      Keys

	cancelWatch context.CancelFunc
}

// Open builds an emulator. The caller must Close it.
func Open(cfg Config) (*Emulator, error) {
	bjtime.UseAsLocal()
	if cfg.Now == nil {
		cfg.Now = time.Now
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
	keys, err := LoadOrCreateKeys(cfg.DBPath, cfg.Random, cfg.Keys)
	if err != nil {
		return nil, err
	}
	secret := keys.SecretKey
	st, err := store.Open(cfg.DBPath, store.Options{Now: cfg.Now, Random: cfg.Random})
	if err != nil {
		return nil, err
	}
	logs := NewLogs(cfg.LogOutput, 200, cfg.Now)
	router := outbound.New(outbound.Options{
		Upstreams: cfg.Upstreams,
	})
	api := restapi.New(st, restapi.WithMasterKey(keys.MasterKey), restapi.WithFilesDir(cfg.DBPath+".files"))
	env := &modules.Env{Profile: cfg.Profile, Store: st, HTTP: router.Client(), Now: cfg.Now, Random: cfg.Random}
	engine, err := runtime.New(runtime.Options{
		Registry:  NewRegistry(api),
		Env:       env,
		Timeout:   cfg.Timeout,
		PoolSize:  cfg.PoolSize,
		Log:       logs,
		Formatter: consoleFormatter,
		Context: func(ctx context.Context, function string) context.Context {
			return outbound.WithLogger(ctx, func(line string) { logs.FunctionLog(function, "http", line) })
		},
	})
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	set, err := functions.Load(engine, cfg.FunctionsDirs, func(level, line string) { logs.FunctionLog("bmobemu", level, line) })
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	env.Functions = set
	e := &Emulator{Config: cfg, Store: st, Functions: set, Engine: engine, Logs: logs, Router: router, Secret: secret, Keys: keys}
	if cfg.Watch {
		ctx, cancel := context.WithCancel(context.Background())
		if err := set.Watch(ctx); err != nil {
			cancel()
			_ = st.Close()
			return nil, err
		}
		e.cancelWatch = cancel
	}
	e.App = server.New(server.Options{
		Functions: set,
		Secret:    secret,
		Keys:      keys,
		API:       api,
		Now:       cfg.Now,
		BodyLimit: cfg.BodyLimit,
		ParseXML:  parseXMLBody,
		Log:       func(level, line string) { logs.FunctionLog("bmobemu", level, line) },
	})
	return e, nil
}

// Serve answers HTTP on ln until ctx is done, then shuts down gracefully.
func (e *Emulator) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- e.App.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return e.App.ShutdownWithTimeout(5 * time.Second)
	}
}

// Close stops watching and closes the store.
func (e *Emulator) Close() error {
	if e.cancelWatch != nil {
		e.cancelWatch()
	}
	if err := e.App.Shutdown(); err != nil {
		return fmt.Errorf("stopping server: %w", err)
	}
	return e.Store.Close()
}
