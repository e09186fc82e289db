// Package datahook runs the app's data hook (Bmob's 数据钩子): the cloud
// function named in the project file, called before every client data request
// with Bmob's fields in request.body, answering {"msg":"ok"} to let the request
// go on, {"success":"ok","data":"<JSON text>"} to go on with its data, or any
// other msg to refuse it. It implements restapi.DataHook.
//
// The hook fails closed: a hook that throws, times out, is missing or answers
// anything else refuses the request (restapi answers 400, code 324, "data hook error: …") and a
// log line says why.
package datahook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/project"
	"github.com/bmobemu/bmobemu/restapi"
)

// Invoker runs a function (functions.Set).
type Invoker interface {
	Invoke(ctx context.Context, name string, req *fncall.Request) (*fncall.Response, error)
}

// Hook is the data hook of the current project.
type Hook struct {
	current   func() *project.Hook // nil result: no hook declared
	functions Invoker
	log       func(level, line string)
}

// New returns the hook that current declares (it is asked on every request, so
// a reloaded project file takes effect at once). log receives one line per
// refusal and per failure.
func New(current func() *project.Hook, functions Invoker, log func(level, line string)) *Hook {
	if log == nil {
		log = func(string, string) {}
	}
	return &Hook{current: current, functions: functions, log: log}
}

// Covers implements restapi.DataHook.
func (h *Hook) Covers(table, operation string) bool { return h.current().Covers(table, operation) }

// Decide implements restapi.DataHook: one call of the hook function.
func (h *Hook) Decide(ctx context.Context, in restapi.HookInput) (restapi.HookVerdict, error) {
	hook := h.current()
	if hook == nil {
		return restapi.HookVerdict{}, nil
	}
	verdict, err := h.call(ctx, hook, in)
	var refusal *restapi.HookRefusal
	switch {
	case errors.As(err, &refusal):
		h.log("info", fmt.Sprintf("data hook %s refused %s on %s from %s: %s", hook.Function, in.Operation, in.Table, in.IP, refusal.Msg))
	case err != nil:
		err = fmt.Errorf("data hook %s: %w", hook.Function, err)
		h.log("error", fmt.Sprintf("%v; %s on %s from %s refused (fail closed, code 324)", err, in.Operation, in.Table, in.IP))
	}
	return verdict, err
}

func (h *Hook) call(ctx context.Context, hook *project.Hook, in restapi.HookInput) (restapi.HookVerdict, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return restapi.HookVerdict{}, fmt.Errorf("encoding its request: %w", err)
	}
	hdr := http.Header{}
	hdr.Set("Content-Type", "application/json")
	if in.UA != "" {
		hdr.Set("User-Agent", in.UA)
	}
	req := &fncall.Request{
		Method: http.MethodPost, URL: "/", Path: "/", Header: hdr, IP: in.IP, Hostname: "127.0.0.1", Protocol: "http",
		Params: map[string]string{}, Body: fncall.Body{Kind: fncall.BodyJSON, Raw: body}, EndTakesObjects: true,
	}
	// The call runs on its own: a hook past its timeout is answered for at
	// once, and the runtime ends the call at its own deadline.
	type result struct {
		resp *fncall.Response
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := h.functions.Invoke(ctx, hook.Function, req)
		done <- result{resp, err}
	}()
	timer := time.NewTimer(hook.Timeout)
	defer timer.Stop()
	var resp *fncall.Response
	select {
	case r := <-done:
		resp, err = r.resp, r.err
	case <-timer.C:
		return restapi.HookVerdict{}, fmt.Errorf("no answer within %v", hook.Timeout)
	case <-ctx.Done():
		return restapi.HookVerdict{}, fmt.Errorf("waiting for it: %w", ctx.Err())
	}
	switch {
	case err != nil:
		return restapi.HookVerdict{}, err
	case resp.Kind == fncall.TimedOut:
		return restapi.HookVerdict{}, fmt.Errorf("timed out: %s", resp.Body)
	case resp.Kind != fncall.Sent:
		return restapi.HookVerdict{}, fmt.Errorf("%s", strings.TrimPrefix(string(resp.Body), "there is an error:"))
	}
	return Verdict(resp.Body)
}

// Verdict reads a hook's answer: {"msg":"ok"}, {"success":"ok","data":…} (data
// as JSON text, or a JSON object) or {"msg":"<refusal>"}. Anything else is an
// error.
func Verdict(body []byte) (restapi.HookVerdict, error) {
	var ans map[string]json.RawMessage
	if err := json.Unmarshal(body, &ans); err != nil || ans == nil {
		return restapi.HookVerdict{}, fmt.Errorf(`answered %s; a hook answers {"msg":"ok"}, {"success":"ok","data":"…"} or {"msg":"<why not>"}`, quote(body))
	}
	if raw, ok := ans["success"]; ok {
		var s string
		if json.Unmarshal(raw, &s) != nil || s != "ok" {
			return restapi.HookVerdict{}, fmt.Errorf(`answered "success":%s; only "ok" is known`, raw)
		}
		data, ok := ans["data"]
		if !ok {
			return restapi.HookVerdict{}, nil
		}
		var text string
		if json.Unmarshal(data, &text) == nil {
			return restapi.HookVerdict{Data: text}, nil
		}
		var obj map[string]any
		if json.Unmarshal(data, &obj) == nil && obj != nil {
			return restapi.HookVerdict{Data: string(data)}, nil
		}
		return restapi.HookVerdict{}, fmt.Errorf(`answered "data":%.200s; data is the request's data as JSON text`, data)
	}
	raw, ok := ans["msg"]
	if !ok {
		return restapi.HookVerdict{}, fmt.Errorf(`answered %s without "msg" or "success"`, quote(body))
	}
	var msg string
	if err := json.Unmarshal(raw, &msg); err != nil {
		msg = string(raw) // a number or object: shown as written
	}
	if msg == "ok" {
		return restapi.HookVerdict{}, nil
	}
	return restapi.HookVerdict{}, &restapi.HookRefusal{Msg: msg}
}

func quote(body []byte) string {
	const max = 200
	if len(body) > max {
		return fmt.Sprintf("%q…", body[:max])
	}
	return fmt.Sprintf("%q", body)
}

var _ restapi.DataHook = (*Hook)(nil)
