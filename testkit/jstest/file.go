package jstest

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/nodecore"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/testkit"
)

//go:embed prelude.js
var preludeSource string

// preludeFile names the API's own frames, which failure stacks leave out.
const preludeFile = "bmobemu:test-api.js"

var preludeProgram = goja.MustCompile(preludeFile, preludeSource, false)

// testCase is one registered test.
type testCase struct {
	name string
	fn   goja.Callable
	mode string // "", "only" or "skip"
}

// fileRun runs one test file: one VM for the file, one fresh session per test.
type fileRun struct {
	r       *Runner
	proj    *testProject // the functions and fixtures this file tests
	path    string
	rel     string
	script  *runtime.Script
	vm      *goja.Runtime
	clock   *switchClock
	tests   []*testCase
	before  []goja.Callable
	after   []goja.Callable
	started bool // tests are running: configure is no longer allowed

	// configure()
	replace   map[string]string
	seed      uint64
	start     time.Time
	profile   modules.Profile
	noSandbox bool

	snaps *snapshots

	// the test running now
	sess    *testkit.Session
	cur     *testCase
	ctx     context.Context
	console []string
	snapN   int
}

// switchClock is the test VM's clock: the running test's session clock, or a
// frozen clock at the start between tests.
type switchClock struct {
	mu sync.Mutex
	c  *clock.Fake
}

func (s *switchClock) get() *clock.Fake {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c
}

func (s *switchClock) set(c *clock.Fake) {
	s.mu.Lock()
	s.c = c
	s.mu.Unlock()
}

func (s *switchClock) Now() time.Time { return s.get().Now() }

func (s *switchClock) AfterFunc(d time.Duration, f func()) func() bool {
	return s.get().AfterFunc(d, f)
}

func (s *switchClock) StepTo(t time.Time) { s.get().StepTo(t) }

// noNetwork refuses outbound calls made by test code itself.
type noNetwork struct{}

func (noNetwork) RoundTrip(req *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("test files cannot call the network (%s %s): call functions with call() and fake their outbound calls with http.on()", req.Method, req.URL)
}

func newFileRun(r *Runner, path, rel string) (*fileRun, error) {
	f := &fileRun{r: r, path: path, rel: rel, seed: r.cfg.Seed, start: r.cfg.Start, profile: r.cfg.Profile}
	f.clock = &switchClock{c: clock.NewFake(f.start)}
	env := &modules.Env{Profile: f.profile, HTTP: &http.Client{Transport: noNetwork{}}, Now: f.clock.Now,
		Random: testkit.SeededReader(f.seed ^ 0x7465737466696c65)}
	engine, err := runtime.New(runtime.Options{
		Registry: emulator.NewRegistry(emulator.Deps{}),
		Env:      env,
		Timeout:  -1,
		Log: runtime.LogFunc(func(_, level, line string) {
			f.console = append(f.console, level+": "+line)
		}),
		Formatter: func(vm *goja.Runtime) (func([]goja.Value) string, error) {
			fm, err := nodecore.NewFormatter(vm)
			if err != nil {
				return nil, err
			}
			return fm.Format, nil
		},
		Clock:      f.clock,
		MathRandom: testkit.SeededFloats(f.seed ^ 0x7465737466696c65),
	})
	if err != nil {
		return nil, err
	}
	f.script, err = engine.NewScript(rel, path)
	if err != nil {
		return nil, err
	}
	f.vm = f.script.Runtime()
	f.snaps = newSnapshots(path+".snap.json", r.cfg.UpdateSnapshots)
	return f, nil
}

// load runs the prelude and the file's top level, which registers the tests.
func (f *fileRun) load(ctx context.Context) error {
	src, err := os.ReadFile(f.path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", f.rel, err)
	}
	prg, err := f.script.Compile(f.path, src)
	if err != nil {
		return err
	}
	f.ctx = ctx
	return f.script.Run(ctx, func() error {
		init, err := f.vm.RunProgram(preludeProgram)
		if err != nil {
			return err
		}
		fn, _ := goja.AssertFunction(init)
		if _, err := fn(goja.Undefined(), f.natives(), f.vm.GlobalObject()); err != nil {
			return err
		}
		_, err = f.vm.RunProgram(prg)
		return err
	})
}

// run runs one test on a fresh session and reports the result.
func (f *fileRun) run(ctx context.Context, tc *testCase) (res TestResult) {
	res = TestResult{File: f.rel, Name: tc.name}
	begin := time.Now()
	defer func() { res.Duration = time.Since(begin) }()
	f.started = true
	sess, err := testkit.Open(testkit.Options{
		Functions: f.proj.functions, Fixtures: f.proj.fixtures, Start: f.start, Seed: f.seed, Profile: f.profile,
		Replace: f.replace, Programs: f.r.programs, Timeout: f.r.cfg.CallTimeout, NoSandbox: f.noSandbox,
	})
	if err != nil {
		res.Status, res.Failure = Failed, err.Error()
		return res
	}
	f.sess, f.cur, f.console, f.snapN = sess, tc, nil, 0
	f.clock.set(sess.Clock)
	defer func() {
		f.clock.set(clock.NewFake(f.start))
		f.sess, f.cur = nil, nil
	}()

	tctx, cancel := context.WithTimeout(ctx, f.r.cfg.TestTimeout)
	defer cancel()
	f.ctx = tctx
	var failure error
	var result goja.Value
	failure = f.script.Run(tctx, func() error {
		for _, h := range f.before {
			if _, err := h(goja.Undefined()); err != nil {
				return err
			}
		}
		v, err := tc.fn(goja.Undefined())
		result = v
		return err
	})
	if failure == nil {
		failure = settledPromise(result)
	}
	if len(f.after) > 0 {
		err := f.script.Run(tctx, func() error {
			for _, h := range f.after {
				if _, err := h(goja.Undefined()); err != nil {
					return err
				}
			}
			return nil
		})
		if failure == nil && err != nil {
			failure = err
		}
	}
	var unexpected []string
	for _, u := range sess.HTTP.Unexpected() {
		unexpected = append(unexpected, fmt.Sprintf("undeclared outbound request %s %s (declare it with http.on('%s %s', {…}))",
			u.Method, u.URL, u.Method, strings.SplitN(u.URL, "?", 2)[0]))
	}
	logs := sess.Logs()
	if err := sess.Close(); err != nil && failure == nil {
		failure = err
	}
	if failure == nil && len(unexpected) == 0 {
		res.Status = Passed
		return res
	}
	res.Status = Failed
	var b strings.Builder
	if failure != nil {
		b.WriteString(describeFailure(failure))
	}
	for _, u := range unexpected {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(u)
	}
	if len(f.console) > 0 {
		b.WriteString("\ntest console:\n  " + strings.Join(f.console, "\n  "))
	}
	if len(logs) > 0 {
		b.WriteString("\nfunction log:\n  " + strings.Join(logs, "\n  "))
	}
	res.Failure = b.String()
	return res
}

// settledPromise turns what a test function returned into its outcome: a
// rejected promise fails, a pending one (nothing left to settle it) fails.
func settledPromise(v goja.Value) error {
	if v == nil {
		return nil
	}
	p, ok := v.Export().(*goja.Promise)
	if !ok {
		return nil
	}
	switch p.State() {
	case goja.PromiseStateRejected:
		if obj, ok := p.Result().(*goja.Object); ok {
			return &rejection{value: obj}
		}
		return fmt.Errorf("the test's promise was rejected with %v", p.Result())
	case goja.PromiseStatePending:
		return errors.New("the test's promise never settled (nothing was left to settle it)")
	}
	return nil
}

// rejection is an Error object a test's promise was rejected with.
type rejection struct{ value *goja.Object }

func (r *rejection) Error() string { return r.value.String() }

// describeFailure renders a failure: the message, an assertion's diff, and the
// test file's stack frames (file:line:col), without the API's own frames.
func describeFailure(err error) string {
	var obj *goja.Object
	var ex *goja.Exception
	var rej *rejection
	switch {
	case errors.As(err, &ex):
		obj, _ = ex.Value().(*goja.Object)
	case errors.As(err, &rej):
		obj = rej.value
	}
	if obj == nil {
		if ex != nil {
			return ex.Error()
		}
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(obj.String())
	if d := obj.Get("diff"); d != nil && !goja.IsUndefined(d) && d.String() != "" {
		b.WriteString("\n" + indent(d.String(), "  "))
	}
	if s := obj.Get("stack"); s != nil && !goja.IsUndefined(s) {
		for _, line := range strings.Split(s.String(), "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "at ") && !strings.Contains(line, preludeFile) && !strings.Contains(line, "native") &&
				!strings.Contains(line, "eventloop-trampoline") {
				b.WriteString("\n  " + framePC.ReplaceAllString(line, ""))
			}
		}
	}
	return b.String()
}

// framePC is the bytecode offset goja appends to a frame, "(34)".
var framePC = regexp.MustCompile(`\(\d+\)$`)

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func (f *fileRun) clockAt(t time.Time) *clock.Fake { return clock.NewFake(t) }
