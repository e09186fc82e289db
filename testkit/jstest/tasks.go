package jstest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/testkit"
)

// The natives of the project file's test API: api() (REST data calls through
// the data hook), tasks.run/list/runs, datahook.use, and durations for
// clock.advance ('1h', '30m', '2d', or milliseconds).
func (f *fileRun) projectNatives(set func(string, func(goja.FunctionCall) goja.Value)) {
	set("api", f.api)
	set("taskRun", f.taskRun)
	set("taskList", func(goja.FunctionCall) goja.Value {
		return f.toJS(f.session("tasks.list()").Tasks())
	})
	set("taskRuns", func(c goja.FunctionCall) goja.Value {
		return f.toJS(nonNil(f.session("tasks.runs()").Emu.Tasks.Runs(c.Argument(0).String())))
	})
	set("useHook", func(c goja.FunctionCall) goja.Value {
		var tables []string
		f.fromJS(c.Argument(1), &tables, "datahook.use: tables")
		if err := f.session("datahook.use()").UseDataHook(c.Argument(0).String(), tables...); err != nil {
			f.throw("%v", err)
		}
		return goja.Undefined()
	})
	set("duration", func(c goja.FunctionCall) goja.Value {
		return f.vm.ToValue(float64(f.duration(c.Argument(0))) / float64(time.Millisecond))
	})
}

// duration reads milliseconds or Go's duration text, plus whole days ("2d").
func (f *fileRun) duration(v goja.Value) time.Duration {
	if s, ok := v.Export().(string); ok {
		if days, isDays := strings.CutSuffix(s, "d"); isDays {
			if n, err := strconv.ParseFloat(days, 64); err == nil && n >= 0 {
				return time.Duration(n * float64(24*time.Hour))
			}
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			f.throw("clock.advance(%q): a duration like '1h', '30m', '10s', '2d' or milliseconds", s)
		}
		return d
	}
	ms := v.ToFloat()
	if !(ms >= 0) {
		f.throw("clock.advance(ms): ms must be a number ≥ 0 or a duration like '1h', not %s", v)
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// taskRun(name): the run; a failed run throws with its log.
func (f *fileRun) taskRun(c goja.FunctionCall) goja.Value {
	r, err := f.session("tasks.run()").RunTask(f.ctx, c.Argument(0).String())
	if err != nil {
		f.throw("%v", err)
	}
	return f.toJS(map[string]any{"task": r.Task, "function": r.Function, "outcome": r.Outcome, "status": r.Status,
		"started": bjtime.Format(r.Started)})
}

// api(method, path, {json, query, headers, ip, master}): a client's REST call.
// A data hook that fails (throws, times out, answers garbage) throws here with
// the log, so a broken hook fails the test.
func (f *fileRun) api(c goja.FunctionCall) goja.Value {
	sess := f.session("api()")
	var opts struct {
		JSON    json.RawMessage `json:"json"`
		Query   map[string]any  `json:"query"`
		Headers map[string]any  `json:"headers"`
		IP      string          `json:"ip"`
		Master  bool            `json:"master"`
	}
	f.fromJS(c.Argument(2), &opts, "api: options")
	req := testkit.APIRequest{Method: c.Argument(0).String(), Path: c.Argument(1).String(), Header: http.Header{}, Master: opts.Master}
	if len(opts.Query) > 0 {
		q := url.Values{}
		for _, k := range sortedKeys(opts.Query) {
			v := opts.Query[k]
			if s, ok := v.(string); ok {
				q.Set(k, s)
			} else {
				b, _ := json.Marshal(v)
				q.Set(k, string(b))
			}
		}
		req.Path += "?" + q.Encode()
	}
	for k, v := range opts.Headers {
		for _, s := range stringsOf(v) {
			req.Header.Add(k, s)
		}
	}
	if opts.IP != "" {
		req.Header.Set("X-Forwarded-For", opts.IP)
	}
	if len(opts.JSON) > 0 {
		req.Body = opts.JSON
	}
	r, err := sess.API(f.ctx, req)
	if err != nil {
		f.throw("%v", err)
	}
	var ans struct {
		Code  int    `json:"code"`
		Error string `json:"error"`
	}
	if json.Unmarshal(r.Body, &ans) == nil && ans.Code == restapi.CodeDataHook && strings.HasPrefix(ans.Error, restapi.HookFailurePrefix) {
		f.throw("%s %s: the data hook failed: %s\nlog:\n%s", req.Method, req.Path, ans.Error, strings.Join(r.Log, "\n"))
	}
	return f.replyObject(r)
}
