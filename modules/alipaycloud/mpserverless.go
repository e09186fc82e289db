package alipaycloud

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

// SpaceID is the EMAS Serverless space bmobemu reports (ctx.env.MP_SPACE_ID,
// user.getInfo's spaceId).
const SpaceID = "bmobemu"

// NewMPServerless is the constructor of `ctx.mpserverless`, to register with
// Registry.AddCtx: user.getInfo() answers the caller's identity (the
// modules.AlipayUserHeader of the call), function.invoke(name, args) runs a
// local function, and the rest (db, file, …) answers that it is not available
// in bmobemu.
func NewMPServerless(vu modules.VU) (goja.Value, error) {
	vm := vu.Runtime()
	user := vm.NewObject()
	if err := user.Set("getInfo", func(goja.FunctionCall) goja.Value { return userInfo(vu) }); err != nil {
		return nil, err
	}
	function := vm.NewObject()
	if err := function.Set("invoke", func(c goja.FunctionCall) goja.Value { return invoke(vu, c) }); err != nil {
		return nil, err
	}
	mp := vm.NewObject()
	_ = mp.Set("user", withFallback(vm, user, "ctx.mpserverless.user"))
	_ = mp.Set("function", withFallback(vm, function, "ctx.mpserverless.function"))
	return withFallback(vm, mp, "ctx.mpserverless"), nil
}

// userInfo resolves with {success, result: {user}} for the caller named by the
// call's modules.AlipayUserHeader, and rejects for an anonymous call.
func userInfo(vu modules.VU) goja.Value {
	vm := vu.Runtime()
	promise, resolve, reject := vm.NewPromise()
	var id string
	if cv, ok := vu.(modules.CallerVU); ok {
		if c, ok := cv.Caller(); ok {
			id = c.Header.Get(modules.AlipayUserHeader)
		}
	}
	if id == "" {
		_ = reject(jsError(vm, fmt.Errorf("ctx.mpserverless.user.getInfo: the call carries no signed-in user (bmobemu takes the caller's Alipay user id from the %s header)", modules.AlipayUserHeader)))
		return vm.ToValue(promise)
	}
	now := time.Now
	if vu.Env().Now != nil {
		now = vu.Env().Now
	}
	sum := sha256.Sum256([]byte(SpaceID + "/" + id))
	ms := now().UnixMilli()
	_ = resolve(map[string]any{
		"success": true,
		"result": map[string]any{"user": map[string]any{
			"spaceId": SpaceID, "userId": hex.EncodeToString(sum[:12]), "oAuthUserId": id,
			"createdAt": ms, "lastSeenAt": ms,
		}},
	})
	return vm.ToValue(promise)
}

// invoke runs a local function by name with args, as Bmob's oFunctions.run
// does (each value as its text, form-encoded), and resolves with {success,
// requestId, result}: result is the answer parsed as JSON, else its text.
func invoke(vu modules.VU, c goja.FunctionCall) goja.Value {
	vm := vu.Runtime()
	promise, resolve, reject := vm.NewPromise()
	name := c.Argument(0).String()
	if goja.IsUndefined(c.Argument(0)) || name == "" {
		_ = reject(jsError(vm, fmt.Errorf("ctx.mpserverless.function.invoke: the function name is required")))
		return vm.ToValue(promise)
	}
	callee := vu.Env().Functions
	if callee == nil {
		_ = reject(jsError(vm, fmt.Errorf("ctx.mpserverless.function.invoke(%q): no functions are loaded", name)))
		return vm.ToValue(promise)
	}
	var form []fncall.Pair
	if args, ok := c.Argument(1).(*goja.Object); ok {
		for _, k := range args.Keys() {
			form = append(form, fncall.Pair{Key: k, Value: args.Get(k).String()})
		}
	}
	ctx := vu.Context()
	done := vu.RegisterCallback()
	go func() {
		reply, err := callee.CallFunction(ctx, name, form)
		done(func() error {
			switch {
			case err != nil:
				_ = reject(jsError(vm, fmt.Errorf("ctx.mpserverless.function.invoke(%q): %w", name, err)))
			case string(reply.Body) == "post function "+name+" not exists":
				_ = reject(jsError(vm, fmt.Errorf("ctx.mpserverless.function.invoke(%q): no such function", name)))
			case reply.Status >= 400:
				_ = reject(jsError(vm, fmt.Errorf("ctx.mpserverless.function.invoke(%q): the function answered HTTP %d: %.300s", name, reply.Status, reply.Body)))
			default:
				var result any = string(reply.Body)
				if json.Valid(reply.Body) {
					if parsed, perr := parseJSON(vm, string(reply.Body)); perr == nil {
						result = parsed // JSON.parse keeps the answer's key order
					}
				}
				_ = resolve(map[string]any{"success": true, "requestId": fmt.Sprintf("bmobemu-%x", sha256.Sum256(reply.Body))[:24], "result": result})
			}
			return nil
		})
	}()
	return vm.ToValue(promise)
}
