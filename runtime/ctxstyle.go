package runtime

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

// ctxStyle is the Alipay mini-program Serverless (EMAS Serverless) cloud
// function: `module.exports = async (ctx) => value`. ctx.args holds the
// caller's arguments, the returned value (or the resolved promise) is the
// answer, a throw or rejection is an error answer. See the README's "Two
// function styles" for the choices made where the platform's docs are silent.
type ctxStyle struct{}

// entry is an exported function of one declared parameter or none.
func (ctxStyle) entry(v *vu) (goja.Callable, bool) {
	exports := v.moduleExports()
	if exports == nil {
		return nil, false
	}
	fn, ok := goja.AssertFunction(exports)
	return fn, ok && declaredParams(exports) <= 1
}

func (ctxStyle) call(v *vu, inv *invocation) error {
	ret, err := v.entry(goja.Undefined(), v.ctxObject(inv))
	if err != nil {
		return err
	}
	// A promise (an async function's value) or any thenable answers when settled.
	var then goja.Callable
	if obj, ok := ret.(*goja.Object); ok {
		then, _ = goja.AssertFunction(obj.Get("then"))
	}
	if then == nil {
		v.answerValue(inv, ret)
		return nil
	}
	onFulfilled := v.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		v.answerValue(inv, c.Argument(0))
		return goja.Undefined()
	})
	onRejected := v.vm.ToValue(func(c goja.FunctionCall) goja.Value {
		v.answerRejection(inv, c.Argument(0))
		return goja.Undefined()
	})
	_, err = then(ret, onFulfilled, onRejected)
	return err
}

func (ctxStyle) threw(v *vu, err error, _ string) *fncall.Response {
	return ctxErrorAnswer(v, errorValue(v, err))
}

func (ctxStyle) unanswered(function string) (string, string) {
	return fmt.Sprintf("function %s returned a promise that never settled", function),
		"the function's promise never settled and nothing was left to wait for"
}

// answerValue sends what the function returned: a string as it is (so a notify
// handler can answer Alipay's bare `success`), nothing as an empty 200, and any
// other value as JSON.
func (v *vu) answerValue(inv *invocation, val goja.Value) {
	h := http.Header{}
	resp := &fncall.Response{Status: http.StatusOK, Header: h, Kind: fncall.Sent}
	switch {
	case val == nil || goja.IsUndefined(val):
	case isString(val):
		h.Set("Content-Type", "text/plain; charset=utf-8")
		resp.Body = []byte(val.String())
	default:
		text, err := v.jsonStringify(goja.Undefined(), val)
		if err != nil {
			v.answerRejection(inv, errorValue(v, err))
			return
		}
		h.Set("Content-Type", "application/json; charset=utf-8")
		if !goja.IsUndefined(text) {
			resp.Body = []byte(text.String())
		}
	}
	if !inv.finish(resp) {
		v.Log("warn", "the function's value came after its call was answered; the caller did not see it")
	}
}

// answerRejection answers a rejected promise as an uncaught exception.
func (v *vu) answerRejection(inv *invocation, reason goja.Value) {
	v.Log("error", "uncaught exception (rejected promise): "+stackOf(v, reason))
	if !inv.finish(ctxErrorAnswer(v, reason)) {
		v.Log("warn", "the rejection came after the call was answered; the caller did not see it")
	}
}

// errorValue is the JS value a Go error from the VM carries (what the script
// threw), or a plain Error with its text.
func errorValue(v *vu, err error) goja.Value {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	return jsError(v.vm, err.Error())
}

// isString is a string primitive (a String object is sent as JSON).
func isString(val goja.Value) bool {
	if _, isObj := val.(*goja.Object); isObj {
		return false
	}
	_, ok := val.Export().(string)
	return ok
}

// jsError is a plain Error, as a script's own `throw new Error(msg)` makes.
func jsError(vm *goja.Runtime, msg string) *goja.Object {
	ctor, _ := vm.Get("Error").(*goja.Object)
	if ctor != nil {
		if obj, err := vm.New(ctor, vm.ToValue(msg)); err == nil {
			return obj
		}
	}
	return vm.NewGoError(fmt.Errorf("%s", msg))
}

// ctxErrorAnswer is the error answer of Function Compute, which runs EMAS
// Serverless's functions: HTTP 500 with {errorMessage, errorType, stackTrace}
// and X-Fc-Error-Type: UnhandledInvocationError.
func ctxErrorAnswer(v *vu, reason goja.Value) *fncall.Response {
	obj, ok := reason.(*goja.Object)
	if !ok || reason == nil {
		text := "undefined"
		if reason != nil {
			text = reason.String()
		}
		return ctxErrorJSON(v, "Error", text, nil)
	}
	errType, msg := "Error", obj.String()
	if name := obj.Get("name"); name != nil && !goja.IsUndefined(name) {
		errType = name.String()
	}
	if m := obj.Get("message"); m != nil && !goja.IsUndefined(m) {
		msg = m.String()
	}
	var trace []string
	if s := obj.Get("stack"); s != nil && !goja.IsUndefined(s) {
		for _, line := range strings.Split(s.String(), "\n") {
			// The event loop's own frames say nothing about the script.
			if line = strings.TrimRight(line, " \t"); line != "" && !strings.Contains(line, "eventloop") {
				trace = append(trace, strings.Replace(line, "\t", "    ", 1))
			}
		}
	}
	return ctxErrorJSON(v, errType, msg, trace)
}

func ctxErrorJSON(v *vu, errType, msg string, trace []string) *fncall.Response {
	if trace == nil {
		trace = []string{}
	}
	body := v.vm.NewObject()
	_ = body.Set("errorMessage", msg)
	_ = body.Set("errorType", errType)
	_ = body.Set("stackTrace", trace)
	text, err := v.jsonStringify(goja.Undefined(), body)
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Fc-Error-Type", "UnhandledInvocationError")
	out := []byte(`{"errorMessage":"unprintable error","errorType":"Error","stackTrace":[]}`)
	if err == nil {
		out = []byte(text.String())
	}
	return &fncall.Response{Status: http.StatusInternalServerError, Header: h, Body: out, Kind: fncall.Threw}
}

func stackOf(v *vu, reason goja.Value) string {
	if obj, ok := reason.(*goja.Object); ok {
		if s := obj.Get("stack"); s != nil && !goja.IsUndefined(s) {
			return s.String()
		}
	}
	if reason == nil {
		return "undefined"
	}
	return reason.String()
}

// ctxObject builds the call's ctx: args and env are its own; the logger and the
// registry's members (ctx.cloud, ctx.mpserverless, made on first use per call)
// live on a prototype built once per VM, whose own prototype answers any other
// member read with a clear "not available in bmobemu".
func (v *vu) ctxObject(inv *invocation) goja.Value {
	if v.ctxProto == nil {
		v.ctxProto = v.ctxPrototype()
	}
	ctx := v.vm.NewObject()
	_ = ctx.SetPrototype(v.ctxProto)
	_ = ctx.Set("args", v.ctxArgs(inv.req))
	_ = ctx.Set("env", v.ctxEnv(inv.req))
	return ctx
}

func (v *vu) ctxPrototype() *goja.Object {
	vm := v.vm
	reg := v.fn.engine.opts.Registry
	provided := append([]string{"args", "env", "logger"}, reg.CtxNames()...)
	fallback := vm.NewProxy(vm.NewObject(), &goja.ProxyTrapConfig{
		Get: func(target *goja.Object, property string, receiver goja.Value) goja.Value {
			if property == "then" || property == "toJSON" || property == "constructor" || strings.HasPrefix(property, "Symbol(") {
				return goja.Undefined()
			}
			return v.unavailableCtxMember(property, provided)
		},
	})
	proto := vm.NewObject()
	_ = proto.SetPrototype(vm.ToValue(fallback).ToObject(vm))
	_ = proto.Set("logger", v.ctxLogger())
	for _, name := range reg.CtxNames() {
		name := name
		ctor, _ := reg.Ctx(name)
		getter := vm.ToValue(func(c goja.FunctionCall) goja.Value {
			this, ok := c.This.(*goja.Object)
			if !ok || v.inv == nil {
				return goja.Undefined()
			}
			built, err := ctor(v)
			if err != nil {
				panic(vm.NewGoError(fmt.Errorf("loading ctx.%s: %w", name, err)))
			}
			_ = this.DefineDataProperty(name, built, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
			return built
		})
		_ = proto.DefineAccessorProperty(name, getter, nil, goja.FLAG_TRUE, goja.FLAG_TRUE)
	}
	return proto
}

// unavailableCtxMember stands in for a ctx member bmobemu does not provide:
// using it throws an error that names it and lists what ctx has.
func (v *vu) unavailableCtxMember(name string, provided []string) goja.Value {
	vm := v.vm
	msg := fmt.Sprintf("ctx.%s is not available in bmobemu; ctx provides: %s", name, strings.Join(provided, ", "))
	fn := vm.ToValue(func(goja.FunctionCall) goja.Value { panic(jsError(vm, msg)) }).ToObject(vm)
	return vm.ToValue(vm.NewProxy(fn, &goja.ProxyTrapConfig{
		Get: func(target *goja.Object, property string, _ goja.Value) goja.Value {
			if property == "then" || property == "toJSON" || property == "call" || property == "apply" || strings.HasPrefix(property, "Symbol(") {
				return target.Get(property)
			}
			return v.unavailableCtxMember(name+"."+property, provided)
		},
	}))
}

// ctxArgs are the caller's arguments: the decoded body, or the query string
// when the call has no body (a GET).
func (v *vu) ctxArgs(r *fncall.Request) goja.Value {
	if r == nil {
		return v.vm.NewObject()
	}
	if r.Body.Kind == fncall.BodyNone {
		return v.pairsObject(r.Query)
	}
	return v.bodyValue(r.Body)
}

// ctxEnv is EMAS Serverless's ctx.env: the space, the call's source and, for
// client calls, the client's user agent, address and (when signed in) app id.
func (v *vu) ctxEnv(r *fncall.Request) goja.Value {
	env := v.vm.NewObject()
	_ = env.Set("MP_SPACE_ID", "bmobemu")
	_ = env.Set("MP_SOURCE", "http")
	if r == nil {
		return env
	}
	if ua := r.Header.Get("User-Agent"); ua != "" {
		_ = env.Set("MP_USER_AGENT", ua)
	}
	if r.IP != "" {
		_ = env.Set("MP_CLIENT_IP", r.IP)
	}
	if id := v.fn.engine.opts.AlipayAppID; id != "" && r.Header.Get(modules.AlipayUserHeader) != "" {
		_ = env.Set("MP_APP_ID", id)
	}
	return env
}

// ctxLogger is ctx.logger: info, warn, error and debug with util.format's
// placeholders (%s, %d, %j), into the function's log.
func (v *vu) ctxLogger() goja.Value {
	logger := v.vm.NewObject()
	for _, level := range []string{"info", "warn", "error", "debug", "log"} {
		level := level
		_ = logger.Set(level, func(c goja.FunctionCall) goja.Value {
			v.Log(level, v.format(c.Arguments))
			return goja.Undefined()
		})
	}
	return logger
}

// Caller implements modules.CallerVU.
func (v *vu) Caller() (modules.Caller, bool) {
	if v.inv == nil || v.inv.req == nil {
		return modules.Caller{}, false
	}
	return modules.Caller{Header: v.inv.req.Header, IP: v.inv.req.IP}, true
}
