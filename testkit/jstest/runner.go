// Package jstest runs handler tests written in JavaScript (`bmobemu test`):
// every `*.test.js` under a project folder, in parallel across files, each
// test on a fresh testkit session. See prelude.js for the API test files get.
//
// The payment sandbox (package testkit explains the order of fake HTTP and the
// sandbox) is on in every test unless the file calls configure({sandbox: false}):
//
//	sandbox.keys                 // {alipay: {appId, sellerId, privateKey, privateKeyPKCS1, privateKeyBare,
//	                             //   publicKey, alipayPublicKey, alipayPublicKeyBare},
//	                             //  wechat: {mchid, appid, privateKey, privateKeyBare, serialNo, apiV3Key,
//	                             //   platformPublicKey, platformPublicKeyBare, platformSerial, platformCertificate}}
//	                             // usable at the top level, for configure({replace: …})
//	sandbox.pay({provider, outTradeNo, amount, notifyUrl, subject}) // -> {trade, notifies}
//	sandbox.close({provider, outTradeNo})                         // -> {trade, notifies}
//	sandbox.refund({provider, outTradeNo, amount})                // -> {trade, notifies}
//	sandbox.trades()             // [{provider, outTradeNo, tradeNo, kind, status, amount, refunded, …}]
//	sandbox.notifies()           // [{id, event, outTradeNo, url, state, acknowledged, answer,
//	                             //   attempts: [{n, at, status, body, error, acknowledged}], headers, body,
//	                             //   nextAttemptAt, replayOf}], each with .form (Alipay) and .json (WeChat)
//	sandbox.replay(id)           // a new delivery of the same notify
//
// provider may be left out when one provider has a trade with that outTradeNo;
// amount (yuan) and notifyUrl create a trade the simulator has not seen. The
// triggers and replay return after each notify's first attempt has been answered
// and the work it started has settled; clock.advance delivers the retries that
// fall due. http.requests() entries carry sandbox: true when the sandbox answered.
package jstest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bmobemu/bmobemu/functions"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/testkit"
)

// Config is what `bmobemu test` can set.
type Config struct {
	// Dir is the folder whose *.test.js files run (node_modules and hidden
	// folders skipped). Each file tests its own project: the nearest folder
	// above it that has a functions/ folder (looking up to the repository
	// root, the folder holding .git), whose fixtures are its fixtures/*.json.
	// A file with no such folder uses Dir itself as the functions folder when
	// Dir holds functions, and fails clearly otherwise.
	Dir string
	// Functions overrides the functions folders of every file (fixtures then
	// come from Dir/fixtures).
	Functions []string
	// Run selects the tests whose name matches (nil: all).
	Run *regexp.Regexp
	// UpdateSnapshots rewrites snapshots that differ instead of failing.
	UpdateSnapshots bool
	// Parallel is how many files run at once (0: the number of CPUs).
	Parallel int
	// Out receives progress and the summary (nil: discarded).
	Out io.Writer
	// Seed and Start are every test's seed and clock start (defaults: 0 and
	// testkit.DefaultStart); a file may change them with configure().
	Seed  uint64
	Start time.Time
	// Profile is compat (default) or bmob.
	Profile modules.Profile
	// TestTimeout bounds one test in real time (0: 60 s); CallTimeout one call
	// (0: 10 s).
	TestTimeout, CallTimeout time.Duration
}

// Status is a test's outcome.
type Status string

// Outcomes.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
)

// TestResult is one test's outcome.
type TestResult struct {
	File     string // relative to Dir
	Name     string
	Status   Status
	Duration time.Duration
	Failure  string // message, diff, stack and logs when Failed
}

// Result is a whole run.
type Result struct {
	Tests            []TestResult // grouped by file, files sorted, tests in file order
	Passed, Failed   int
	Skipped          int
	SnapshotsWritten int
	Duration         time.Duration
}

// OK reports whether nothing failed.
func (r *Result) OK() bool { return r.Failed == 0 }

// Runner runs the test files under a folder.
type Runner struct {
	cfg      Config
	projects map[string]*testProject // by root folder
	programs *runtime.ProgramCache
	outMu    sync.Mutex
}

// testProject is what a test file runs against: a functions folder and fixtures.
type testProject struct {
	functions []string
	fixtures  *testkit.Fixtures
	err       error // no project found, or its fixtures do not load
}

// Run runs every test file and prints progress and the summary line
// "N passed, N failed".
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Start.IsZero() {
		cfg.Start = testkit.DefaultStart
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = goruntime.GOMAXPROCS(0)
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.TestTimeout <= 0 {
		cfg.TestTimeout = 60 * time.Second
	}
	if cfg.Profile == "" {
		cfg.Profile = modules.Compat
	}
	r := &Runner{cfg: cfg, programs: &runtime.ProgramCache{}, projects: map[string]*testProject{}}
	files, err := findTestFiles(cfg.Dir)
	if err != nil {
		return nil, err
	}
	if len(cfg.Functions) > 0 {
		// One project for every file; a bad fixture fails the run, as before.
		fx, err := testkit.LoadFixtures(filepath.Join(cfg.Dir, "fixtures"), cfg.Start)
		if err != nil {
			return nil, err
		}
		r.projects[""] = &testProject{functions: cfg.Functions, fixtures: fx}
	}
	begin := time.Now()
	local := r.localToolTests(ctx) // the old local debugger's tool.test calls (localtool.go)
	if len(files) == 0 && len(local) == 0 {
		return nil, fmt.Errorf("no *.test.js files under %s", cfg.Dir)
	}
	results := make([][]TestResult, len(files))
	written := make([]int, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(cfg.Parallel, len(files)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i], written[i] = r.runFile(ctx, files[i])
				r.progress(files[i], results[i])
			}
		}()
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	localFiles := make([]string, 0, len(local))
	for path := range local {
		localFiles = append(localFiles, path)
	}
	sort.Strings(localFiles)
	for _, path := range localFiles {
		r.progress(path, local[path])
		results = append(results, local[path])
		written = append(written, 0)
	}
	res := &Result{Duration: time.Since(begin)}
	for i, rs := range results {
		res.SnapshotsWritten += written[i]
		for _, t := range rs {
			res.Tests = append(res.Tests, t)
			switch t.Status {
			case Passed:
				res.Passed++
			case Failed:
				res.Failed++
			case Skipped:
				res.Skipped++
			}
		}
	}
	r.summary(res)
	return res, nil
}

// findTestFiles lists *.test.js under dir, skipping node_modules and hidden folders.
func findTestFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != dir && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".test.js") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finding test files: %w", err)
	}
	sort.Strings(files)
	return files, nil
}

// runFile loads one file and runs its selected tests in order.
func (r *Runner) runFile(ctx context.Context, path string) ([]TestResult, int) {
	rel, err := filepath.Rel(r.cfg.Dir, path)
	if err != nil {
		rel = path
	}
	fail := func(err error) []TestResult {
		return []TestResult{{File: rel, Name: "(loading the file)", Status: Failed, Failure: describeFailure(err)}}
	}
	proj := r.projectOf(path)
	if proj.err != nil {
		return fail(proj.err), 0
	}
	f, err := newFileRun(r, path, rel)
	if err != nil {
		return fail(err), 0
	}
	f.proj = proj
	if err := f.load(ctx); err != nil {
		return fail(err), 0
	}
	only := false
	for _, t := range f.tests {
		only = only || t.mode == "only"
	}
	var out []TestResult
	for _, t := range f.tests {
		switch {
		case t.mode == "skip" || (only && t.mode != "only") || (r.cfg.Run != nil && !r.cfg.Run.MatchString(t.name)):
			out = append(out, TestResult{File: rel, Name: t.name, Status: Skipped})
		default:
			out = append(out, f.run(ctx, t))
		}
	}
	if err := f.snaps.save(); err != nil {
		out = append(out, TestResult{File: rel, Name: "(saving snapshots)", Status: Failed, Failure: err.Error()})
	}
	return out, f.snaps.written
}

// projectOf finds the project of a test file (see Config.Dir), loading each
// project's fixtures once. Workers call it in parallel.
func (r *Runner) projectOf(file string) *testProject {
	r.outMu.Lock() // projects are few: the output lock is enough
	defer r.outMu.Unlock()
	if p, ok := r.projects[""]; ok {
		return p
	}
	root, looked := projectRoot(file)
	if root == "" {
		if hasFunctions(r.cfg.Dir) {
			root = r.cfg.Dir
		} else {
			return &testProject{err: fmt.Errorf("no functions folder for %s: none of %s has a functions/ folder, and %s holds no functions (or give --functions)",
				file, strings.Join(looked, ", "), r.cfg.Dir)}
		}
	}
	return r.projectAt(root)
}

// projectAt is the project rooted at root (a folder with a functions/ folder,
// or a folder of functions), loaded once. The caller holds outMu.
func (r *Runner) projectAt(root string) *testProject {
	if p, ok := r.projects[root]; ok {
		return p
	}
	p := &testProject{functions: []string{root}}
	if isDir(filepath.Join(root, "functions")) {
		p.functions = []string{filepath.Join(root, "functions")}
	}
	p.fixtures, p.err = testkit.LoadFixtures(filepath.Join(root, "fixtures"), r.cfg.Start)
	r.projects[root] = p
	return p
}

// projectRoot walks up from a test file to the nearest folder that has a
// functions/ folder, stopping at the repository root (a folder holding .git)
// or the file system's root. It also returns the folders it looked in.
func projectRoot(file string) (root string, looked []string) {
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		dir = filepath.Dir(file)
	}
	for {
		looked = append(looked, dir)
		if isDir(filepath.Join(dir, "functions")) {
			return dir, looked
		}
		parent := filepath.Dir(dir)
		if parent == dir || exists(filepath.Join(dir, ".git")) {
			return "", looked
		}
		dir = parent
	}
}

// hasFunctions reports whether dir holds function files itself.
func hasFunctions(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if _, ok := functions.FunctionName(e.Name()); ok && !e.IsDir() {
			return true
		}
	}
	return false
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func (r *Runner) progress(path string, results []TestResult) {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	rel, _ := filepath.Rel(r.cfg.Dir, path)
	var passed, failed, skipped int
	var d time.Duration
	for _, t := range results {
		d += t.Duration
		switch t.Status {
		case Passed:
			passed++
		case Failed:
			failed++
		case Skipped:
			skipped++
		}
	}
	mark := "ok  "
	if failed > 0 {
		mark = "FAIL"
	}
	extra := ""
	if skipped > 0 {
		extra = fmt.Sprintf(", %d skipped", skipped)
	}
	fmt.Fprintf(r.cfg.Out, "%s %s (%d passed, %d failed%s, %s)\n", mark, rel, passed, failed, extra, d.Round(time.Millisecond))
	for _, t := range results {
		if t.Status == Failed {
			fmt.Fprintf(r.cfg.Out, "  FAIL %s\n%s\n", t.Name, indent(t.Failure, "      "))
		}
	}
}

func (r *Runner) summary(res *Result) {
	extra := ""
	if res.Skipped > 0 {
		extra += fmt.Sprintf(", %d skipped", res.Skipped)
	}
	if res.SnapshotsWritten > 0 {
		extra += fmt.Sprintf(", %d snapshots written", res.SnapshotsWritten)
	}
	fmt.Fprintf(r.cfg.Out, "%d passed, %d failed%s (%s)\n", res.Passed, res.Failed, extra, res.Duration.Round(time.Millisecond))
}

// ErrFailed is returned by callers (the CLI) when a run had failures.
var ErrFailed = errors.New("tests failed")
