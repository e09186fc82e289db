// Package runtime runs Bmob cloud functions in goja: it compiles each function once
// per version, keeps a bounded pool of VMs per function, gives every invocation its
// own event loop, builds Bmob's `request`, `response` and `modules` arguments, and
// ends runaway scripts at a deadline. It knows nothing of HTTP frameworks or bbolt:
// callers hand it a Request and get a Response.
package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/modules"
)

// DefaultTimeout is Bmob's limit for one function call (docs/fidelity.md#limits-and-environment).
const DefaultTimeout = 30 * time.Second

// DefaultRunDepth bounds chains of oFunctions.run: a call made by a call made
// by … a request, this many functions deep at most.
const DefaultRunDepth = 8

// DefaultMaxCallDepth bounds a script's call stack, in frames (native frames
// such as String() or JSON.stringify count too). Node stops near 11,000 frames
// of a small function; goja unwinds a recursion that passes through native
// calls in time quadratic in its depth (a Go panic per level), so the default
// is lower: deep enough for any sane recursion, and a runaway one through
// toString or a getter ends in well under a second.
const DefaultMaxCallDepth = 2500

// LogSink receives every line a function logs (console.*, outbound calls, fidelity
// notes, errors). It must be safe for concurrent use.
type LogSink interface {
	FunctionLog(function, level, line string)
}

// LogFunc adapts a function to LogSink.
type LogFunc func(function, level, line string)

// FunctionLog implements LogSink.
func (f LogFunc) FunctionLog(function, level, line string) { f(function, level, line) }

// Options configure an Engine.
type Options struct {
	// Registry provides the `modules` properties and `require` names.
	Registry *modules.Registry
	// Env holds the services modules use (store, outbound HTTP, clock…).
	Env *modules.Env
	// Timeout ends an invocation that runs longer; 0 means DefaultTimeout and a
	// negative value switches the limit off (for debugging).
	Timeout time.Duration
	// MaxCallDepth bounds every VM's call stack (frames); a deeper call throws
	// RangeError: Maximum call stack size exceeded. 0 means DefaultMaxCallDepth.
	MaxCallDepth int
	// MemoryLimit is the heap, in bytes, that running scripts may fill
	// together (see memoryWatch); 0 means DefaultMemoryLimit, negative none.
	MemoryLimit int64
	// PoolSize bounds the VMs of one function; callers beyond it wait for a free VM
	// until their deadline. 0 means 16.
	PoolSize int
	// Log receives the functions' logs; nil discards them.
	Log LogSink
	// Formatter makes, once per VM, the function that renders console.log
	// arguments; nil uses a plain String() join.
	Formatter func(vm *goja.Runtime) (func(args []goja.Value) string, error)
	// Context decorates each invocation's context, e.g. to route outbound-call
	// logging to the function's log. nil leaves it as is.
	Context func(ctx context.Context, function string) context.Context
	// Setup runs once on every new VM after the globals are defined, before the
	// function's program (the test harness of a later issue hooks in here).
	Setup func(vm *goja.Runtime) error
	// Clock runs scripts' timers; nil is real time. With a clock.Stepper (a frozen
	// test clock) a call never waits for its timers until it has answered: the
	// clock jumps to the next one (see eventloop.Loop.UseClock). Date follows
	// Env.Now, which should read the same clock.
	Clock clock.Clock
	// MathRandom, when set, is every VM's Math.random (it must be safe for
	// concurrent use); tests seed it for reproducible runs.
	MathRandom func() float64
	// RunDepth bounds how many functions deep a chain of oFunctions.run calls
	// may go (--run-depth); 0 means DefaultRunDepth.
	RunDepth int
	// Programs, when set, shares compiled programs between engines (the test
	// runner compiles each function once for all its test files).
	Programs *ProgramCache
	// AlipayAppID is the Alipay app context-style functions run as (ctx.env's
	// MP_APP_ID for a call that carries modules.AlipayUserHeader); "" for none.
	AlipayAppID string
}

// Engine compiles functions and runs invocations. It is safe for concurrent use.
type Engine struct {
	opts    Options
	mem     *memoryWatch // nil: no memory limit
	sources sync.Map     // filename -> []byte: the last source compiled, for error texts (nodeerrors.go)
}

// source is the last source compiled under filename, or nil.
func (e *Engine) source(filename string) []byte {
	if b, ok := e.sources.Load(filename); ok {
		return b.([]byte)
	}
	return nil
}

// New makes an Engine. Registry and Env are required.
func New(opts Options) (*Engine, error) {
	if opts.Registry == nil || opts.Env == nil {
		return nil, errors.New("runtime: Options.Registry and Options.Env are required")
	}
	if opts.Env.Profile == "" {
		opts.Env.Profile = modules.Compat
	}
	if opts.Env.Now == nil {
		opts.Env.Now = time.Now
	}
	if opts.Env.Zone == nil {
		opts.Env.Zone = bjtime.Location
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.RunDepth <= 0 {
		opts.RunDepth = DefaultRunDepth
	}
	if opts.MaxCallDepth <= 0 {
		opts.MaxCallDepth = DefaultMaxCallDepth
	}
	if opts.PoolSize <= 0 {
		opts.PoolSize = 16
	}
	if opts.Log == nil {
		opts.Log = LogFunc(func(string, string, string) {})
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.MemoryLimit == 0 {
		opts.MemoryLimit = DefaultMemoryLimit
	}
	e := &Engine{opts: opts}
	if opts.MemoryLimit > 0 {
		e.mem = newMemoryWatch(uint64(opts.MemoryLimit))
	}
	return e, nil
}

// Profile is the engine's profile.
func (e *Engine) Profile() modules.Profile { return e.opts.Env.Profile }

// Timeout is the engine's per-invocation limit (negative: none).
func (e *Engine) Timeout() time.Duration { return e.opts.Timeout }

// CompileError is a script that does not compile: every error the parser
// found, each with its place. Error() reads like Node's, one line per error:
// `SyntaxError: file:line:col message`.
type CompileError struct {
	File   string
	Errors []SyntaxError
	Err    error // the parser's or compiler's own error
}

// SyntaxError is one compile error and where it is.
type SyntaxError struct {
	Line, Column int
	Message      string
}

func (e *CompileError) Error() string {
	if len(e.Errors) == 0 {
		return "SyntaxError: " + strings.TrimPrefix(e.Err.Error(), "SyntaxError: ")
	}
	lines := make([]string, len(e.Errors))
	for i, se := range e.Errors {
		lines[i] = fmt.Sprintf("SyntaxError: %s:%d:%d %s", e.File, se.Line, se.Column, se.Message)
	}
	return strings.Join(lines, "\n")
}

func (e *CompileError) Unwrap() error { return e.Err }

// Compile compiles one function's source. The script runs in sloppy mode, as Bmob
// runs it; it must define `onRequest` as a global function or an export.
func (e *Engine) Compile(name, filename string, src []byte) (*Function, error) {
	prg, err := e.opts.Programs.compile(filename, src)
	if err != nil {
		return nil, err
	}
	e.sources.Store(filename, append([]byte(nil), src...))
	fn := newFunction(e, name, filename, prg)
	sum := sha256.Sum256(src)
	fn.version, fn.loadedAt = hex.EncodeToString(sum[:6]), time.Now()
	return fn, nil
}

// compileScript parses and compiles one script in sloppy mode.
func compileScript(filename string, src []byte) (*goja.Program, error) {
	text := string(src)
	if strings.HasPrefix(text, "#!") { // a shebang line would not parse; keep line numbers
		text = "//" + text[2:]
	}
	// parser.ParseFile rather than goja.Parse: goja.Parse flattens the list of
	// errors into one "SyntaxError: …" text.
	ast, err := parser.ParseFile(nil, filename, text, 0, parser.WithDisableSourceMaps)
	if err != nil {
		ce := &CompileError{File: filename, Err: err}
		var list parser.ErrorList
		if errors.As(err, &list) {
			for _, pe := range list {
				ce.Errors = append(ce.Errors, SyntaxError{Line: pe.Position.Line, Column: pe.Position.Column, Message: pe.Message})
			}
		}
		return nil, ce
	}
	if hooked := instrument(ast, text); hooked != "" {
		if ast, err = goja.Parse(filename, hooked, parser.WithDisableSourceMaps); err != nil {
			return nil, &CompileError{File: filename, Err: err}
		}
	}
	prg, err := goja.CompileAST(ast, false)
	if err != nil {
		ce := &CompileError{File: filename, Err: err}
		var se *goja.CompilerSyntaxError
		if errors.As(err, &se) && se.File != nil {
			pos := se.File.Position(se.Offset)
			ce.Errors = []SyntaxError{{Line: pos.Line, Column: pos.Column, Message: se.Message}}
		}
		return nil, ce
	}
	return prg, nil
}

// baseContext is the parent of every invocation's context: an invocation outlives
// the HTTP request that started it (Node keeps running a script after the client
// hangs up), but not the engine's caller-provided context in Invoke.
func baseContext(parent context.Context) context.Context {
	return context.WithoutCancel(parent)
}
