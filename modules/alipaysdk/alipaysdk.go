// Package alipaysdk is `require('alipay-sdk')`: the alipay-sdk 3.6.2 class Bmob's
// cloud functions use, with its signing routine reproduced byte for byte. Ordering,
// key conversion and the JavaScript parts (JSON.stringify, encodeURIComponent,
// decodeURIComponent) run on the script's own goja objects and built-ins; the RSA work
// is Go's crypto/rsa. See docs/fidelity.md#node-libraries for the behaviour reproduced.
//
// Not reproduced: certificate mode (appCertPath/appCertContent …), needEncrypt (AES),
// multipartExec and exec's formData paths, a custom config.urllib; each throws or
// rejects with an error that says so.
package alipaysdk

import (
	"errors"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
)

// Version is the alipay-sdk release reproduced.
const Version = "3.6.2"

// SDKVersion is the SDK's sdkVersion: exec's user-agent and pageExec's signed alipay_sdk.
const SDKVersion = "alipay-sdk-nodejs-" + Version

// DefaultGateway is the gateway used when the config names none.
const DefaultGateway = "https://openapi.alipay.com/gateway.do"

// module is one VM's alipay-sdk: the built-ins it captured and its key cache.
type module struct {
	vu    modules.VU
	vm    *goja.Runtime
	keys  keyCache
	hooks Hooks

	jsonStringify      goja.Callable
	jsonParse          goja.Callable
	encodeURIComponent goja.Callable
	decodeURIComponent goja.Callable
}

// Hooks connect alipay-sdk to the payment sandbox; the zero value connects it to
// nothing, as the real package is.
type Hooks struct {
	// SignedOrder, when set, is told of every order string sdkExec signs, so the
	// payment sandbox can take an app order as the phone app would submit it. An
	// error is logged to the function's log as a warning.
	SignedOrder func(method, orderString string) error
	// PageGateway, when set, maps the gateway URL of a pageExec form or URL to the
	// one a browser should open instead (the payment sandbox's cashier); ok false
	// keeps the gateway.
	PageGateway func(gateway string) (local string, ok bool)
}

// New makes the module constructor to register as require('alipay-sdk'). It returns
// the AlipaySdk class; like the real package, the class is also its own `default`
// and carries `__esModule: true`.
func New(hooks Hooks) modules.Constructor {
	return func(vu modules.VU) (goja.Value, error) { return construct(vu, hooks) }
}

func construct(vu modules.VU, hooks Hooks) (goja.Value, error) {
	vm := vu.Runtime()
	m := &module{vu: vu, vm: vm, hooks: hooks}
	json := vm.Get("JSON").ToObject(vm)
	for _, b := range []struct {
		dst *goja.Callable
		src goja.Value
	}{
		{&m.jsonStringify, get(json, "stringify")},
		{&m.jsonParse, get(json, "parse")},
		{&m.encodeURIComponent, vm.Get("encodeURIComponent")},
		{&m.decodeURIComponent, vm.Get("decodeURIComponent")},
	} {
		fn, ok := goja.AssertFunction(b.src)
		if !ok {
			return nil, errMissingBuiltin
		}
		*b.dst = fn
	}
	return m.class()
}

var errMissingBuiltin = errors.New("alipay-sdk: the VM lacks JSON, encodeURIComponent or decodeURIComponent")

// class builds the constructor and its prototype.
func (m *module) class() (goja.Value, error) {
	vm := m.vm
	ctor := vm.ToValue(func(call goja.ConstructorCall) *goja.Object {
		m.construct(call.This, call.Argument(0))
		return nil
	}).ToObject(vm)
	proto := get(ctor, "prototype").ToObject(vm)
	methods := []struct {
		name string
		fn   func(goja.FunctionCall) goja.Value
	}{
		{"formatKey", m.jsFormatKey},
		{"formatUrl", m.jsFormatURL},
		{"sdkExec", m.jsSdkExec},
		{"pageExec", m.jsPageExec},
		{"notifyRSACheck", m.jsNotifyRSACheck},
		{"getSignStr", m.jsGetSignStr},
		{"exec", m.jsExec},
		{"checkResponseSign", m.jsCheckResponseSign},
		{"checkNotifySign", m.jsCheckNotifySign},
	}
	if m.vu.Env().Profile != modules.Bmob {
		// docs/compat.md, extension 3; in the bmob profile the method is absent, as
		// in alipay-sdk 3.6.2, so calling it throws a TypeError.
		methods = append(methods, struct {
			name string
			fn   func(goja.FunctionCall) goja.Value
		}{"checkSign", m.jsCheckSign})
	}
	for _, meth := range methods {
		fn := vm.ToValue(meth.fn).ToObject(vm)
		if err := fn.DefineDataProperty("name", vm.ToValue(meth.name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return nil, err
		}
		if err := proto.DefineDataProperty(meth.name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			return nil, err
		}
	}
	if err := ctor.DefineDataProperty("name", vm.ToValue("AlipaySdk"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
		return nil, err
	}
	if err := ctor.Set("__esModule", true); err != nil {
		return nil, err
	}
	if err := ctor.Set("default", ctor); err != nil {
		return nil, err
	}
	return ctor, nil
}

// construct is `new AlipaySdk(config)`.
func (m *module) construct(this *goja.Object, arg goja.Value) {
	vm := m.vm
	config := arg.ToObject(vm)
	if !get(config, "appId").ToBoolean() {
		m.throwError("Error", "config.appId is required", nil)
	}
	if !get(config, "privateKey").ToBoolean() {
		m.throwError("Error", "config.privateKey is required", nil)
	}
	for _, k := range []string{"appCertPath", "appCertContent"} {
		if get(config, k).ToBoolean() {
			m.throwError("Error", "alipay-sdk certificate mode (config."+k+") is not supported by bmobemu; use alipayPublicKey", nil)
		}
	}
	typ := typePKCS1
	if v := get(config, "keyType"); v != nil && v.StrictEquals(vm.ToValue("PKCS8")) {
		typ = typePKCS8
	}
	// The SDK writes the formatted keys back into the caller's object.
	_ = config.Set("privateKey", m.formatKeyValue(get(config, "privateKey"), typ))
	if get(config, "alipayPublicKey").ToBoolean() {
		_ = config.Set("alipayPublicKey", m.formatKeyValue(get(config, "alipayPublicKey"), typePublic))
	}
	merged := vm.NewObject()
	defaults := []struct {
		k string
		v any
	}{
		{"urllib", vm.NewObject()}, {"gateway", DefaultGateway}, {"timeout", 5000}, {"camelcase", true},
		{"signType", "RSA2"}, {"charset", "utf-8"}, {"version", "1.0"},
	}
	for _, d := range defaults {
		_ = merged.Set(d.k, d.v)
	}
	user := m.mapKeys(config, CamelCaseKey, true)
	for _, k := range user.Keys() {
		_ = merged.Set(k, get(user, k))
	}
	_ = this.Set("config", merged)
	_ = this.Set("sdkVersion", SDKVersion)
}

// formatKeyValue is formatKey on a script value: like the SDK, it needs a string.
func (m *module) formatKeyValue(v goja.Value, typ string) string {
	if !isStringValue(v) {
		panic(m.vm.NewTypeError("key.split is not a function"))
	}
	return FormatKey(v.String(), typ)
}

func (m *module) jsFormatKey(call goja.FunctionCall) goja.Value {
	return m.vm.ToValue(m.formatKeyValue(call.Argument(0), call.Argument(1).String()))
}

// config is this.config, read at each call as the SDK does (scripts may change it).
func (m *module) config(this goja.Value) *goja.Object {
	return get(this.ToObject(m.vm), "config").ToObject(m.vm)
}

// jsCheckSign is the compat profile's checkSign: checkNotifySign plus a fidelity note.
func (m *module) jsCheckSign(call goja.FunctionCall) goja.Value {
	m.vu.Note("alipay-sdk checkSign called (compat alias of checkNotifySign; alipay-sdk 3.6.2 has no checkSign)",
		"throw TypeError: alipaySdk.checkSign is not a function, so the script answers fail")
	return m.jsCheckNotifySign(call)
}
