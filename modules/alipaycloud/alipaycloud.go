// Package alipaycloud is `ctx.cloud` of Alipay mini-program cloud functions
// (`module.exports = async (ctx) => …` on Alipay's mini-program Serverless): the
// common payment API `ctx.cloud.payment.common` (create, query, refund, close,
// cancel), each call an Alipay openapi request signed as the app given
// to New and sent through the outbound router, so with the
// payment sandbox on the trade lives in the Alipay simulator.
//
// Both argument forms of alipay-serverless-sdk are taken: an object
// (`create({subject, outTradeNo, totalAmount, buyerId}, options)`, ≥ 1.0.0) and
// positional values (`create(subject, outTradeNo, totalAmount, buyerId)`,
// < 1.0.0). options may carry `notify: {url}` (sent as notify_url) and
// `appAuthToken` (sent as app_auth_token). A call resolves with Alipay's answer
// object, business failures (code ≠ 10000) included, and rejects only when no
// answer could be had or trusted. Any other member of ctx.cloud answers that it
// is not available in bmobemu.
package alipaycloud

import (
	"fmt"
	"strings"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
)

// DefaultGateway is Alipay's openapi gateway, used when the app names none.
const DefaultGateway = "https://openapi.alipay.com/gateway.do"

// field is one documented argument: its name in the SDK call and in biz_content.
type field struct{ js, biz string }

// method is one function of ctx.cloud.payment.common.
type method struct {
	name   string  // the SDK's name, e.g. "create"
	api    string  // the openapi method, e.g. "alipay.trade.create"
	fields []field // in the order of the positional form
}

// commonMethods are the documented functions of cloud.payment.common.
var commonMethods = []method{
	{"create", "alipay.trade.create", []field{{"subject", "subject"}, {"outTradeNo", "out_trade_no"}, {"totalAmount", "total_amount"}, {"buyerId", "buyer_id"}}},
	{"query", "alipay.trade.query", []field{{"outTradeNo", "out_trade_no"}}},
	{"refund", "alipay.trade.refund", []field{{"outTradeNo", "out_trade_no"}, {"refundAmount", "refund_amount"}}},
	{"close", "alipay.trade.close", []field{{"outTradeNo", "out_trade_no"}}},
	{"cancel", "alipay.trade.cancel", []field{{"outTradeNo", "out_trade_no"}}},
}

// New makes the constructor of `ctx.cloud`, to register with Registry.AddCtx: its
// calls are signed as app (nil: they fail, saying no app is configured).
func New(app *modules.AlipayApp) modules.Constructor {
	return func(vu modules.VU) (goja.Value, error) { return construct(vu, app) }
}

func construct(vu modules.VU, app *modules.AlipayApp) (goja.Value, error) {
	vm := vu.Runtime()
	c := &caller{vu: vu, vm: vm, app: app}
	common := vm.NewObject()
	for _, m := range commonMethods {
		m := m
		if err := common.Set(m.name, func(call goja.FunctionCall) goja.Value { return c.call(m, call) }); err != nil {
			return nil, err
		}
	}
	payment := vm.NewObject()
	if err := payment.Set("common", withFallback(vm, common, "ctx.cloud.payment.common")); err != nil {
		return nil, err
	}
	cloud := vm.NewObject()
	if err := cloud.Set("payment", withFallback(vm, payment, "ctx.cloud.payment")); err != nil {
		return nil, err
	}
	return withFallback(vm, cloud, "ctx.cloud"), nil
}

// withFallback wraps obj so that reading a member it lacks gives a stand-in
// whose use throws "… is not available in bmobemu", naming the whole path
// (ctx.cloud.base.oauth.getToken), instead of a bare "undefined is not a function".
func withFallback(vm *goja.Runtime, obj *goja.Object, path string) goja.Value {
	return vm.ToValue(vm.NewProxy(obj, &goja.ProxyTrapConfig{
		Get: func(target *goja.Object, property string, receiver goja.Value) goja.Value {
			if v := target.Get(property); v != nil {
				return v
			}
			if ignoredProbe(property) {
				return goja.Undefined()
			}
			return unavailable(vm, path+"."+property)
		},
	}))
}

// unavailable is a member bmobemu does not provide: calling it, or anything
// read from it, throws an error naming it.
func unavailable(vm *goja.Runtime, path string) goja.Value {
	fn := vm.ToValue(func(goja.FunctionCall) goja.Value {
		panic(jsError(vm, fmt.Errorf("%s is not available in bmobemu (ctx.cloud provides payment.common.create, query, refund, close and cancel)", path)))
	}).ToObject(vm)
	return vm.ToValue(vm.NewProxy(fn, &goja.ProxyTrapConfig{
		Get: func(target *goja.Object, property string, _ goja.Value) goja.Value {
			if ignoredProbe(property) || property == "call" || property == "apply" || property == "bind" {
				return target.Get(property)
			}
			return unavailable(vm, path+"."+property)
		},
	}))
}

// ignoredProbe are the members runtimes and libraries read to ask what a value
// is (a thenable? printable?); answering them with a stand-in would mislead.
func ignoredProbe(property string) bool {
	switch property {
	case "then", "toJSON", "constructor", "inspect", "length", "name", "prototype", "toString", "valueOf":
		return true
	}
	return strings.HasPrefix(property, "Symbol(") || strings.HasPrefix(property, "@@")
}

// jsError is a plain JavaScript Error with err's text, as the SDK's own
// failures are (a GoError would show its Go type as errorType).
func jsError(vm *goja.Runtime, err error) *goja.Object {
	if ctor, ok := vm.Get("Error").(*goja.Object); ok {
		if obj, nerr := vm.New(ctor, vm.ToValue(err.Error())); nerr == nil {
			return obj
		}
	}
	return vm.NewGoError(err)
}
