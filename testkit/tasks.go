package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/project"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/tasks"
)

// The project file in tests: a session loads the bmobemu.yaml of its functions
// folders as serve does. Its timed tasks never fire by themselves: moving the
// clock (Advance, SetTime) runs the tasks that fall due on the way, tick by
// tick in time order, each to completion, with the clock at the tick; RunTask
// runs one now. A run that fails fails the step, with the run's log. REST data
// calls (API) pass through the data hook, as a client's do.

// stepTo moves the clock forward to t, running the timed tasks due on the way.
func (s *Session) stepTo(ctx context.Context, t time.Time) error {
	mark := s.logs.count()
	var settleErr error
	runs, err := s.Emu.Tasks.RunDue(ctx, t, func(at time.Time) {
		s.Clock.Set(at)
		if err := s.Settle(ctx); err != nil && settleErr == nil {
			settleErr = err
		}
	})
	if err != nil {
		return fmt.Errorf("testkit: %w", err)
	}
	if settleErr != nil {
		return settleErr
	}
	var failed []string
	for _, r := range runs {
		if r.Outcome != tasks.OK {
			failed = append(failed, fmt.Sprintf("task %s (%s) at %s failed: %s", r.Task, r.Function, bjtime.Format(r.Scheduled), r.Error))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("testkit: %s\nlog:\n%s", strings.Join(failed, "\n"), strings.Join(s.logs.lines(mark), "\n"))
	}
	return nil
}

// RunTask runs a timed task now and waits for it; a failed run is an error
// that carries the run's log.
func (s *Session) RunTask(ctx context.Context, name string) (tasks.Run, error) {
	mark := s.logs.count()
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	r, err := s.Emu.Tasks.RunNow(ctx, name)
	if err != nil {
		return r, fmt.Errorf("testkit: %w", err)
	}
	if err := s.Settle(ctx); err != nil {
		return r, err
	}
	if r.Outcome != tasks.OK {
		return r, fmt.Errorf("testkit: task %s (%s) failed: %s\nlog:\n%s", r.Task, r.Function, r.Error, strings.Join(s.logs.lines(mark), "\n"))
	}
	return r, nil
}

// Tasks lists the timed tasks: rule, next run on the frozen clock, last run.
func (s *Session) Tasks() []tasks.Status { return s.Emu.Tasks.List() }

// UseDataHook makes function the data hook for the rest of the session (""
// removes the hook), covering tables (none: every table) and every
// operation: one set of functions can try several hooks.
func (s *Session) UseDataHook(function string, tables ...string) error {
	if function == "" {
		s.Emu.Project.UseHook(nil)
		return nil
	}
	if _, ok := s.Emu.Functions.Get(function); !ok {
		if _, broken := s.Emu.Functions.Errors()[function]; !broken {
			return fmt.Errorf("testkit: data hook: unknown function %q", function)
		}
	}
	s.Emu.Project.UseHook(&project.Hook{Function: function, Tables: tables, Timeout: project.DefaultHookTimeout, Where: "test"})
	return nil
}

// APIRequest is one REST data call (classes, users, batch, BQL).
type APIRequest struct {
	Method string
	Path   string // /1/classes/Order, with a query string if any
	Body   []byte // JSON
	// Header adds headers (X-Bmob-SDK-Type, User-Agent, X-Bmob-Session-Token,
	// X-Forwarded-For for the client's IP…); the app's REST keys are set.
	Header http.Header
	// Master sends the master key instead of the REST key.
	Master bool
}

// API sends a REST call the way a client does, through the server's REST
// route with the app's keys: data requests pass through the data hook.
func (s *Session) API(ctx context.Context, req APIRequest) (*Reply, error) {
	ctx, cancel := s.callContext(ctx)
	defer cancel()
	method := strings.ToUpper(req.Method)
	if method == "" {
		method = http.MethodGet
	}
	hreq, err := http.NewRequestWithContext(ctx, method, "http://127.0.0.1"+req.Path, bytes.NewReader(req.Body))
	if err != nil {
		return nil, fmt.Errorf("testkit: api %s %s: %w", method, req.Path, err)
	}
	for k, vs := range req.Header {
		hreq.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	if req.Body != nil && hreq.Header.Get("Content-Type") == "" {
		hreq.Header.Set("Content-Type", "application/json")
	}
	hreq.Header.Set("X-Bmob-Application-Id", Keys.AppID)
	if req.Master {
		hreq.Header.Set("X-Bmob-Master-Key", Keys.MasterKey)
	} else {
		hreq.Header.Set("X-Bmob-REST-API-Key", Keys.RESTKey)
	}
	return s.do(hreq, "api "+method+" "+req.Path)
}

// RunTask runs a timed task now; a failed run fails the test with its log.
func (k *T) RunTask(name string) tasks.Run {
	k.t.Helper()
	r, err := k.Session.RunTask(context.Background(), name)
	if err != nil {
		k.t.Fatal(err)
	}
	return r
}

// API sends a client's REST call through the data hook; a hook that fails
// (answers "data hook error: …") fails the test with the call's log.
func (k *T) API(req APIRequest) *Reply {
	k.t.Helper()
	r, err := k.Session.API(context.Background(), req)
	if err != nil {
		k.t.Fatal(err)
	}
	var ans struct {
		Code  int    `json:"code"`
		Error string `json:"error"`
	}
	if json.Unmarshal(r.Body, &ans) == nil && ans.Code == restapi.CodeDataHook && strings.HasPrefix(ans.Error, restapi.HookFailurePrefix) {
		k.t.Fatalf("%s %s: the data hook failed: %s\nlog:\n%s", req.Method, req.Path, ans.Error, strings.Join(r.Log, "\n"))
	}
	return r
}
