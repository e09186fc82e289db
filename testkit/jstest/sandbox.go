package jstest

import (
	"strings"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/bmobemu/bmobemu/testkit"
)

// sandboxNatives add the payment sandbox's natives to n.
func (f *fileRun) sandboxNatives(set func(string, func(goja.FunctionCall) goja.Value)) {
	set("sandboxKeys", f.sandboxKeys)
	set("sandboxTrigger", f.sandboxTrigger)
	set("sandboxReplay", f.sandboxReplay)
	set("sandboxTrades", func(goja.FunctionCall) goja.Value {
		var out []map[string]any
		for _, t := range f.payments("sandbox.trades()").Trades() {
			out = append(out, tradeJS(t))
		}
		return f.toJS(nonNil(out))
	})
	set("sandboxNotifies", func(goja.FunctionCall) goja.Value {
		var out []map[string]any
		for _, d := range f.payments("sandbox.notifies()").Notifies() {
			out = append(out, deliveryJS(d))
		}
		return f.toJS(nonNil(out))
	})
}

func (f *fileRun) payments(what string) *testkit.Payments {
	p := f.session(what).Payments
	if p == nil {
		f.throw("%s: the payment sandbox is off in this file (configure({sandbox: false}))", what)
	}
	return p
}

// sandboxKeys is what a script's config needs, shared by every test of the
// process (so configure() can use it at the top level of the file).
func (f *fileRun) sandboxKeys(goja.FunctionCall) goja.Value {
	k, err := testkit.SandboxKeys()
	if err != nil {
		f.throw("%v", err)
	}
	a, w := &k.Alipay, &k.Wechat
	return f.toJS(map[string]any{
		"alipay": map[string]string{
			"appId": a.AppID, "sellerId": a.SellerID,
			"privateKey": a.AppPrivatePKCS8(), "privateKeyPKCS1": a.AppPrivatePKCS1(), "privateKeyBare": a.AppPrivateOneLine(),
			"publicKey": a.AppPublicPEM(), "alipayPublicKey": a.AlipayPublicPEM(), "alipayPublicKeyBare": a.AlipayPublicOneLine(),
		},
		"wechat": map[string]string{
			"mchid": w.MchID, "appid": w.AppID,
			"privateKey": w.MerchantPrivateKeyPEM, "privateKeyBare": bare(w.MerchantPrivateKeyPEM), "serialNo": w.MerchantSerial,
			"apiV3Key": w.APIv3Key, "platformPublicKey": w.PlatformPublicPEM(), "platformPublicKeyBare": bare(w.PlatformPublicPEM()),
			"platformSerial": w.PlatformSerial, "platformCertificate": w.PlatformCertPEM,
		},
	})
}

// sandboxTrigger(what, {provider, outTradeNo, amount, notifyUrl, subject}) pays,
// closes or refunds, and waits for the notifies' first attempts.
func (f *fileRun) sandboxTrigger(c goja.FunctionCall) goja.Value {
	what := c.Argument(0).String()
	p := f.payments("sandbox." + what + "()")
	var in struct {
		Provider   string `json:"provider"`
		OutTradeNo any    `json:"outTradeNo"`
		Amount     any    `json:"amount"`
		NotifyURL  string `json:"notifyUrl"`
		Subject    string `json:"subject"`
	}
	f.fromJS(c.Argument(1), &in, "sandbox."+what)
	req := paysim.TriggerRequest{Provider: in.Provider, NotifyURL: in.NotifyURL, Subject: in.Subject}
	if in.OutTradeNo != nil {
		req.OutTradeNo = scalarText(in.OutTradeNo)
	}
	if req.OutTradeNo == "" {
		f.throw("sandbox.%s({outTradeNo, …}): outTradeNo is required", what)
	}
	if in.Amount != nil {
		req.Amount = scalarText(in.Amount)
	}
	do := map[string]func() (paysim.TriggerResult, error){
		"pay":    func() (paysim.TriggerResult, error) { return p.Pay(f.ctx, req) },
		"close":  func() (paysim.TriggerResult, error) { return p.Close(f.ctx, req) },
		"refund": func() (paysim.TriggerResult, error) { return p.Refund(f.ctx, req) },
	}[what]
	if do == nil {
		f.throw("sandbox: no action %q", what)
	}
	res, err := do()
	if err != nil {
		f.throw("%v", err)
	}
	notifies := []map[string]any{}
	for _, d := range res.Notifies {
		notifies = append(notifies, deliveryJS(d))
	}
	return f.toJS(map[string]any{"trade": tradeJS(res.Trade), "notifies": notifies})
}

func (f *fileRun) sandboxReplay(c goja.FunctionCall) goja.Value {
	d, err := f.payments("sandbox.replay()").Replay(f.ctx, c.Argument(0).String())
	if err != nil {
		f.throw("%v", err)
	}
	return f.toJS(deliveryJS(d))
}

// tradeJS is a trade for test code: amounts in yuan, times in Beijing text.
func tradeJS(t provider.Trade) map[string]any {
	m := map[string]any{
		"provider": t.Provider, "outTradeNo": t.OutTradeNo, "tradeNo": t.TradeNo, "kind": t.Kind, "status": t.Status,
		"amount": paysim.FormatYuan(t.TotalFen), "refunded": paysim.FormatYuan(t.RefundedFen),
		"subject": t.Subject, "notifyUrl": t.NotifyURL, "createdAt": bjtime.Format(t.CreatedAt),
	}
	if !t.PaidAt.IsZero() {
		m["paidAt"] = bjtime.Format(t.PaidAt)
	}
	return m
}

// deliveryJS is a notify delivery for test code: every attempt with the
// function's answer, and whether the provider took it as acknowledged.
func deliveryJS(d paysim.Delivery) map[string]any {
	attempts := []map[string]any{}
	answer := ""
	for _, a := range d.Attempts {
		attempts = append(attempts, map[string]any{"n": a.N, "at": bjtime.Format(a.At), "status": a.Status,
			"body": a.Body, "error": a.Error, "acknowledged": a.Acknowledged})
		answer = a.Body
	}
	h := map[string]string{}
	for k, v := range d.Header {
		h[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	m := map[string]any{
		"id": d.ID, "provider": d.Provider, "event": d.Event, "outTradeNo": d.OutTradeNo, "url": d.URL,
		"state": d.State, "acknowledged": d.State == paysim.StateAcknowledged, "answer": answer,
		"attempts": attempts, "headers": h, "body": d.Body, "createdAt": bjtime.Format(d.CreatedAt),
	}
	if d.ReplayOf != "" {
		m["replayOf"] = d.ReplayOf
	}
	if !d.NextAttemptAt.IsZero() {
		m["nextAttemptAt"] = bjtime.Format(d.NextAttemptAt)
	}
	return m
}
