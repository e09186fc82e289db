package jstest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/testkit"
)

// Functions written for Bmob's old local debugger end with calls such as
// `tool.test(onRequest, {"name": "Bmob"})` (runtime/localtool.go). bmobemu
// test runs each of those calls as a test, so a team's existing local checks
// carry over: the function is called on a fresh session the way the local
// tool called it (bmobcloud-local 0.6.0: a POST whose body is
// JSON.stringify(params); {method:"GET", query:"a=1"} a GET with that query;
// {type:"XML", data:"<xml…>"} that body; testWithHeaders' headers sent too),
// and the test passes when the function answers without failing (a status
// below 500: no throw, no timeout). The local tool only printed the answer;
// so does the failure report here, with the function's log.

// localCall is one tool.test call found in a function file.
type localCall struct {
	function string // the function the file is (its name)
	site     string // file:line:col of the call
	method   string
	query    string
	body     []byte
	ctype    string
	header   http.Header
}

// localProject is the project whose function files may hold tool.test calls:
// the one --functions gives, else the one rooted at Dir (Dir/functions, or Dir
// itself when it holds functions); nil when Dir is neither.
func (r *Runner) localProject() *testProject {
	r.outMu.Lock()
	defer r.outMu.Unlock()
	if p, ok := r.projects[""]; ok {
		return p
	}
	if !isDir(filepath.Join(r.cfg.Dir, "functions")) && !hasFunctions(r.cfg.Dir) {
		return nil
	}
	return r.projectAt(r.cfg.Dir)
}

// localToolTests runs the tool.test calls of every function file that loads
// the local debugger's package. Files without such calls give nothing.
func (r *Runner) localToolTests(ctx context.Context) map[string][]TestResult {
	out := map[string][]TestResult{}
	p := r.localProject()
	if p == nil {
		return out
	}
	for _, dir := range p.functions {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.js"))
		sort.Strings(paths)
		for _, path := range paths {
			src, err := os.ReadFile(path)
			if err != nil || !strings.Contains(string(src), runtime.LocalToolPackage) {
				continue
			}
			rel, err := filepath.Rel(r.cfg.Dir, path)
			if err != nil {
				rel = path
			}
			calls, err := r.findLocalCalls(ctx, path, rel, src)
			if err != nil {
				out[path] = []TestResult{{File: rel, Name: "tool.test (loading the file)", Status: Failed, Failure: describeFailure(err)}}
				continue
			}
			for i, c := range calls {
				name := fmt.Sprintf("tool.test #%d (%s)", i+1, c.site)
				if r.cfg.Run != nil && !r.cfg.Run.MatchString(name) {
					out[path] = append(out[path], TestResult{File: rel, Name: name, Status: Skipped})
					continue
				}
				out[path] = append(out[path], r.runLocalCall(ctx, p, rel, name, c))
			}
		}
	}
	return out
}

// findLocalCalls runs the file's top level in a test VM whose tool.test
// records its calls instead of doing nothing.
func (r *Runner) findLocalCalls(ctx context.Context, path, rel string, src []byte) ([]localCall, error) {
	f, err := newFileRun(r, path, rel)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(filepath.Base(path), ".js")
	var calls []localCall
	var bad error
	f.script.OnLocalTest(func(t runtime.LocalTest) {
		c, err := localRequest(f.vm, t)
		if err != nil && bad == nil {
			bad = fmt.Errorf("tool.test at %s: %w", t.Site, err)
		}
		c.function, c.site = name, filepath.Base(t.Site)
		calls = append(calls, c)
	})
	prg, err := f.script.Compile(path, src)
	if err != nil {
		return nil, err
	}
	lctx, cancel := context.WithTimeout(ctx, r.cfg.TestTimeout)
	defer cancel()
	if err := f.script.Run(lctx, func() error { _, err := f.vm.RunProgram(prg); return err }); err != nil {
		return nil, err
	}
	return calls, bad
}

// localRequest turns tool.test's params (and headers) into the request the
// local tool sent.
func localRequest(vm *goja.Runtime, t runtime.LocalTest) (localCall, error) {
	c := localCall{method: http.MethodPost, header: http.Header{}}
	if h, ok := t.Headers.(*goja.Object); ok {
		for _, k := range h.Keys() {
			c.header.Set(k, h.Get(k).String())
		}
	}
	params, ok := t.Params.(*goja.Object)
	if !ok {
		return c, nil // no params: a POST with no body
	}
	switch {
	case params.Get("method") != nil && params.Get("method").String() == "GET":
		c.method = http.MethodGet
		if q := params.Get("query"); q != nil && !goja.IsUndefined(q) {
			c.query = q.String()
		}
	case params.Get("type") != nil && params.Get("type").String() == "XML":
		c.body, c.ctype = []byte(params.Get("data").String()), "text/xml"
	default:
		stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
		text, err := stringify(goja.Undefined(), params)
		if err != nil {
			return c, err
		}
		c.body, c.ctype = []byte(text.String()), "application/json"
	}
	return c, nil
}

// runLocalCall calls the function on a fresh session.
func (r *Runner) runLocalCall(ctx context.Context, p *testProject, rel, name string, c localCall) (res TestResult) {
	res = TestResult{File: rel, Name: name}
	begin := time.Now()
	defer func() { res.Duration = time.Since(begin) }()
	if p.err != nil {
		res.Status, res.Failure = Failed, p.err.Error()
		return res
	}
	sess, err := testkit.Open(testkit.Options{
		Functions: p.functions, Fixtures: p.fixtures, Start: r.cfg.Start, Seed: r.cfg.Seed, Profile: r.cfg.Profile,
		Programs: r.programs, Timeout: r.cfg.CallTimeout,
	})
	if err != nil {
		res.Status, res.Failure = Failed, err.Error()
		return res
	}
	defer sess.Close()
	req := testkit.Request{Method: c.method, Header: c.header, Body: c.body, ContentType: c.ctype}
	if c.query != "" {
		q, err := url.ParseQuery(c.query)
		if err != nil {
			res.Status, res.Failure = Failed, fmt.Sprintf("tool.test's query %q: %v", c.query, err)
			return res
		}
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range q[k] {
				req.Query = append(req.Query, fncall.Pair{Key: k, Value: v})
			}
		}
	}
	cctx, cancel := context.WithTimeout(ctx, r.cfg.TestTimeout)
	defer cancel()
	reply, err := sess.Call(cctx, c.function, req)
	if err == nil && reply.Status < http.StatusInternalServerError {
		res.Status = Passed
		return res
	}
	res.Status = Failed
	if err != nil {
		res.Failure = err.Error()
		return res
	}
	res.Failure = fmt.Sprintf("%s answered %d: %.500s", c.function, reply.Status, reply.Body)
	if len(reply.Log) > 0 {
		res.Failure += "\nfunction log:\n  " + strings.Join(reply.Log, "\n  ")
	}
	return res
}
