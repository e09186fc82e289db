package alipaysdk

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/modulestest"
)

// The payment sandbox's hooks: sdkExec reports each signed order, pageExec points
// its form at the local cashier when the hook maps the gateway.
func TestSandboxHooks(t *testing.T) {
	kp := newKeyPair(t)
	var methods, orders []string
	env := &modules.Env{Profile: modules.Compat, Now: func() time.Time { return frozen }}
	hooks := Hooks{
		SignedOrder: func(method, order string) error {
			methods, orders = append(methods, method), append(orders, order)
			if strings.Contains(order, "REFUSE") {
				return errors.New("invalid signature")
			}
			return nil
		},
		PageGateway: func(gw string) (string, bool) {
			if gw == "https://openapi.alipay.com/gateway.do" {
				return "http://127.0.0.1:8080/_sandbox/alipay/gateway.do", true
			}
			return gw, false
		},
	}
	vu := modulestest.New(t, env)
	vu.Load(t, "AlipaySdk", New(hooks))
	got := vu.MustRun(t, `var sdk = new AlipaySdk({ appId: '2021000000000001', privateKey: `+js(kp.pkcs8PEM)+`, keyType: 'PKCS8' });
		sdk.sdkExec('alipay.trade.app.pay', { bizContent: { out_trade_no: 'O1', total_amount: '0.01', subject: 's' } })`).String()
	if len(orders) != 1 || orders[0] != got || methods[0] != "alipay.trade.app.pay" {
		t.Fatalf("hook saw %q %q, sdkExec returned %q", methods, orders, got)
	}
	vu.MustRun(t, `sdk.sdkExec('alipay.trade.app.pay', { bizContent: { out_trade_no: 'REFUSE' } })`)
	if len(vu.Logs) != 1 || !strings.Contains(vu.Logs[0], "warn: bmobemu payment sandbox did not take this order: invalid signature") {
		t.Fatalf("logs: %q", vu.Logs)
	}

	form := vu.MustRun(t, `sdk.pageExec('alipay.trade.page.pay', { bizContent: { out_trade_no: 'P1' } })`).String()
	if !strings.Contains(form, `action="http://127.0.0.1:8080/_sandbox/alipay/gateway.do?`) || len(vu.Notes) != 1 ||
		!strings.Contains(vu.Notes[0], "payment sandbox cashier") {
		t.Fatalf("form %q, notes %q", form, vu.Notes)
	}
	other := vu.MustRun(t, `new AlipaySdk({ appId: '1', privateKey: `+js(kp.pkcs8PEM)+`, keyType: 'PKCS8', gateway: 'https://example.com/gw' })
		.pageExec('alipay.trade.page.pay', { method: 'get', bizContent: { out_trade_no: 'P2' } })`).String()
	if !strings.HasPrefix(other, "https://example.com/gw?") {
		t.Fatalf("an unmapped gateway changed: %q", other)
	}
}
