// Package functions is a folder of cloud functions: every DIR/<name>.js is the
// function <name>. It compiles them through the runtime, reloads a file soon after
// it changes (calls in flight finish on the old version, new calls get the new
// one, a version that fails to load keeps the last good one), and offers the one
// invoke API that HTTP, the CLI, oFunctions.run and tests share.
package functions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/runtime"
)

// ErrNotFound is returned for a name that is not a loaded function.
var ErrNotFound = errors.New("function not found")

// NotLoadedError is a call of a function whose file exists but has never
// loaded (it does not compile, or its top level throws): the caller answers
// 500 with the error, not 404.
type NotLoadedError struct {
	Name string
	Err  error
}

func (e *NotLoadedError) Error() string {
	var ce *runtime.CompileError
	if errors.As(e.Err, &ce) {
		return fmt.Sprintf("function %s does not compile:\n%v", e.Name, e.Err)
	}
	return fmt.Sprintf("function %s is not loaded: %v", e.Name, e.Err)
}

// Unwrap returns the load error.
func (e *NotLoadedError) Unwrap() error { return e.Err }

// Set is the loaded functions of one or more folders. It is safe for concurrent use.
type Set struct {
	engine *runtime.Engine
	dirs   []string
	log    func(level, line string)
	noWarm bool
	xform  func(path string, src []byte) []byte
	dirOf  map[string]string // function name -> its folder; fixed at Load
	// deployDir is where Deploy writes when it is not one of dirs (see
	// LoadOptions.DeployDir); "" deploys into dirs.
	deployDir string

	// code keeps deployed code in the database (nil: deploys are files).
	code CodeStore

	mu     sync.RWMutex
	fns    map[string]*runtime.Function
	errors map[string]error // the last load error of each file that has one
	// deployed is the CodeStore's code this process serves, by name: it
	// shadows a source folder's file of the same name.
	deployed map[string]deployedCode
}

// Load compiles every function in dirs. A file that fails to compile is reported
// by Errors (and logged) and is not served; the others are. Two folders defining
// the same name is an error.
func Load(engine *runtime.Engine, dirs []string, log func(level, line string)) (*Set, error) {
	return LoadWith(engine, dirs, LoadOptions{Log: log})
}

// LoadOptions tune LoadWith.
type LoadOptions struct {
	// Log receives load and reload messages (nil: discarded).
	Log func(level, line string)
	// NoWarm skips making each function's first VM at load; its top level then
	// runs, and reports its errors, on the first call. Handler tests use it so a
	// test pays only for the functions it calls.
	NoWarm bool
	// Transform, when set, rewrites each function's source before it compiles
	// (tests fill key placeholders with it); file names and lines stay the file's.
	Transform func(path string, src []byte) []byte
	// DeployDir is where Deploy (REST's PUT /1/functions/<name>) writes, made on
	// the first deploy, so deploys never touch the source folders; "" or one of
	// the folders deploys into the folders. Its functions are served and shadow
	// those of the same name in the source folders; removing one brings the
	// source version back.
	DeployDir string
	// Code keeps deployed code in a database every process shares (nil: the
	// deploy folder). It replaces DeployDir; call WatchCode to serve the
	// other processes' deploys.
	Code CodeStore
}

// LoadWith is Load with options.
func LoadWith(engine *runtime.Engine, dirs []string, opts LoadOptions) (*Set, error) {
	log := opts.Log
	if log == nil {
		log = func(string, string) {}
	}
	s := &Set{engine: engine, dirs: dirs, log: log, noWarm: opts.NoWarm, xform: opts.Transform, dirOf: map[string]string{},
		fns: map[string]*runtime.Function{}, errors: map[string]error{}, deployed: map[string]deployedCode{}, code: opts.Code}
	if opts.DeployDir != "" && !slices.Contains(dirs, opts.DeployDir) && opts.Code == nil {
		s.deployDir = filepath.Clean(opts.DeployDir)
	}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("reading functions folder: %w", err)
		}
		for _, e := range entries {
			name, ok := FunctionName(e.Name())
			if !ok || e.IsDir() {
				continue
			}
			if other, dup := s.dirOf[name]; dup {
				return nil, fmt.Errorf("function %s is defined twice: in %s and in %s", name, other, dir)
			}
			s.dirOf[name] = dir
		}
	}
	if s.deployDir != "" {
		entries, err := os.ReadDir(s.deployDir)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("reading the deploy folder: %w", err)
		}
		for _, e := range entries {
			if name, ok := FunctionName(e.Name()); ok && !e.IsDir() {
				if src, shadowed := s.dirOf[name]; shadowed {
					log("info", fmt.Sprintf("function %s: the deployed version in %s is served instead of %s's", name, s.deployDir, src))
				}
				s.dirOf[name] = s.deployDir
			}
		}
	}
	names := map[string]bool{}
	for name := range s.dirOf {
		names[name] = true
	}
	if s.code != nil {
		ctx, cancel := context.WithTimeout(context.Background(), codeTimeout)
		defer cancel()
		versions, err := s.code.CodeVersions(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the deployed functions: %w", err)
		}
		for name := range versions {
			src, v, ok, err := s.code.Code(ctx, name)
			if err != nil {
				return nil, fmt.Errorf("reading the deployed functions: %w", err)
			}
			if ok {
				s.deployed[name] = deployedCode{src: src, version: v}
				names[name] = true
			}
		}
	}
	for name := range names {
		_ = s.load(name, true)
	}
	return s, nil
}

// FunctionName maps a file name to a function name: "pay.js" is "pay"; tests
// ("x.test.js"), hidden and editor files are not functions.
func FunctionName(file string) (string, bool) {
	base := filepath.Base(file)
	if !strings.HasSuffix(base, ".js") || strings.HasSuffix(base, ".test.js") ||
		strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_") {
		return "", false
	}
	name := strings.TrimSuffix(base, ".js")
	return name, name != ""
}

// Dirs are the folders the functions come from.
func (s *Set) Dirs() []string { return append([]string(nil), s.dirs...) }

// pathOf is the file of a function: in its folder, or for a new name in the first
// folder that has the file.
func (s *Set) pathOf(name string) string {
	s.mu.RLock()
	dir, ok := s.dirOf[name]
	s.mu.RUnlock()
	if ok {
		return filepath.Join(dir, name+".js")
	}
	for _, d := range s.searchDirs() {
		p := filepath.Join(d, name+".js")
		if _, err := os.Stat(p); err == nil {
			s.mu.Lock()
			s.dirOf[name] = d
			s.mu.Unlock()
			return p
		}
	}
	return filepath.Join(s.dirs[0], name+".js")
}

// searchDirs are the folders a new name is looked for in: the deploy folder
// first (a deployed version shadows the source), then the source folders.
func (s *Set) searchDirs() []string {
	if s.deployDir == "" {
		return s.dirs
	}
	return append([]string{s.deployDir}, s.dirs...)
}

// Reload compiles DIR/<name>.js again. On success the new version serves new calls;
// on failure the last good version stays and the error is returned. A file that no
// longer exists removes the function.
func (s *Set) Reload(name string) error { return s.load(name, false) }

// load is Reload; initial is the first load, whose successes the banner lists
// rather than the log.
func (s *Set) load(name string, initial bool) error {
	var (
		path string
		src  []byte
		err  error
	)
	s.mu.RLock()
	d, deployed := s.deployed[name]
	s.mu.RUnlock()
	switch {
	case deployed:
		path, src = deployedPath(name), d.src
	case len(s.dirs) == 0:
		path, err = deployedPath(name), os.ErrNotExist
	default:
		path = s.pathOf(name)
		src, err = os.ReadFile(path)
	}
	if errors.Is(err, os.ErrNotExist) {
		s.mu.Lock()
		old, had := s.fns[name]
		delete(s.fns, name)
		delete(s.errors, name)
		delete(s.dirOf, name)
		s.mu.Unlock()
		if had {
			old.Close()
		}
		if had {
			s.log("info", fmt.Sprintf("function %s removed (%s is gone)", name, path))
		}
		return nil
	}
	if err != nil {
		return s.failed(name, fmt.Errorf("reading %s: %w", path, err))
	}
	if s.xform != nil {
		src = s.xform(path, src)
	}
	fn, err := s.engine.Compile(name, path, src)
	if err != nil {
		return s.failed(name, err)
	}
	if s.noWarm {
		// The first call loads the VM and answers any top-level error.
	} else if err := fn.Warm(); err != nil {
		s.mu.RLock()
		_, hadGood := s.fns[name]
		s.mu.RUnlock()
		if hadGood {
			return s.failed(name, err)
		}
		// No good version to keep: serve it, so that every call explains the error.
		s.log("error", fmt.Sprintf("function %s loaded with an error: %v", name, err))
	}
	s.mu.Lock()
	old, replaced := s.fns[name]
	_, wasBroken := s.errors[name]
	s.fns[name] = fn
	delete(s.errors, name)
	s.mu.Unlock()
	switch {
	case replaced:
		old.Close() // its calls in flight finish; its idle VMs stop
		s.log("info", fmt.Sprintf("function %s reloaded from %s", name, path))
	case wasBroken:
		s.log("info", fmt.Sprintf("function %s fixed: loaded from %s", name, path))
	case !initial:
		s.log("info", fmt.Sprintf("function %s added from %s", name, path))
	}
	return nil
}

func (s *Set) failed(name string, err error) error {
	s.mu.Lock()
	s.errors[name] = err
	_, kept := s.fns[name]
	s.mu.Unlock()
	if kept {
		s.log("error", fmt.Sprintf("function %s did not reload, the last good version stays: %v", name, err))
	} else {
		s.log("error", fmt.Sprintf("function %s is not available: %v", name, err))
	}
	return err
}

// Abort stops every function's running work (see runtime.Function.Abort); the
// emulator calls it on close.
func (s *Set) Abort() {
	s.mu.RLock()
	fns := make([]*runtime.Function, 0, len(s.fns))
	for _, fn := range s.fns {
		fns = append(fns, fn)
	}
	s.mu.RUnlock()
	for _, fn := range fns {
		fn.Abort()
	}
}

// Settled reports whether no function has work it can do without the clock
// moving (see runtime.Function.Settled).
func (s *Set) Settled() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, fn := range s.fns {
		if !fn.Settled() {
			return false
		}
	}
	return true
}

// Names lists the functions served, sorted.
func (s *Set) Names() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.fns))
	for n := range s.fns {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Errors returns the last load error of each file that has one.
func (s *Set) Errors() map[string]error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]error, len(s.errors))
	for k, v := range s.errors {
		out[k] = v
	}
	return out
}

// Get returns the current version of a function.
func (s *Set) Get(name string) (*runtime.Function, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn, ok := s.fns[name]
	return fn, ok
}

// Invoke runs one call of the named function.
func (s *Set) Invoke(ctx context.Context, name string, req *runtime.Request) (*runtime.Response, error) {
	fn, ok := s.Get(name)
	if !ok {
		if err, broken := s.Errors()[name]; broken {
			return nil, &NotLoadedError{Name: name, Err: err}
		}
		return nil, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	return fn.Invoke(ctx, req)
}

// CallFunction implements modules.FunctionCaller: the internal `_e` route of
// Bmob's runtime, a form-encoded POST to "/" (bmob-api.md §1.2). An unknown name
// answers as the runtime does, 200 with "post function <name> not exists".
func (s *Set) CallFunction(ctx context.Context, name string, form []modules.FormField) (modules.Reply, error) {
	resp, err := s.Call(ctx, name, form)
	if errors.Is(err, ErrNotFound) {
		return modules.Reply{Status: http.StatusOK, Header: http.Header{}, Body: []byte("post function " + name + " not exists")}, nil
	}
	if err != nil {
		return modules.Reply{}, err
	}
	return modules.Reply{Status: resp.Status, Header: resp.Header, Body: resp.Body}, nil
}

// Call runs name with form as its body, the way Bmob's runtime receives REST
// and oFunctions.run calls: a form-encoded POST to "/" (the caller adds `_e`).
// An unknown name is ErrNotFound.
func (s *Set) Call(ctx context.Context, name string, form []modules.FormField) (*runtime.Response, error) {
	pairs := make([]runtime.Pair, len(form))
	for i, f := range form {
		pairs[i] = runtime.Pair{Key: f.Key, Value: f.Value}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	req := &runtime.Request{
		Method: http.MethodPost, URL: "/", Path: "/", Header: h, IP: "127.0.0.1", Hostname: "127.0.0.1",
		Protocol: "http", Params: map[string]string{}, Body: runtime.Body{Kind: runtime.BodyForm, Form: pairs},
	}
	return s.Invoke(ctx, name, req)
}
