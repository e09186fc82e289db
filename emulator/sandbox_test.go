package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/alipaysim"
	"github.com/bmobemu/bmobemu/paysim/builtin"
	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/bmobemu/bmobemu/store"
)

// testAlipay is a minimal Alipay stand-in built by a paysim.Factory: it takes
// app orders, pays them and notifies, and answers its gateway with a marker.
type testAlipay struct {
	env    paysim.ProviderEnv
	keys   *builtin.Keys
	mu     sync.Mutex
	trades map[string]*provider.Trade
}

// standIn is the stand-in's factory with the sandbox keys kept beside db (the
// ones the emulator, which makes them before it builds providers, and the
// test's scripts use).
func standIn(_ testing.TB, db string) []paysim.Factory {
	return []paysim.Factory{func(env paysim.ProviderEnv) (provider.Provider, error) {
		keys, err := builtin.LoadOrCreateKeys(paysim.KeysFile(db))
		if err != nil {
			return nil, err
		}
		return &testAlipay{env: env, keys: keys, trades: map[string]*provider.Trade{}}, nil
	}}
}

func (p *testAlipay) Name() string    { return provider.Alipay }
func (p *testAlipay) Hosts() []string { return []string{"openapi.alipay.com"} }

func (p *testAlipay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Sandbox", "test-alipay")
	fmt.Fprintf(w, `{"path":%q,"mount":%q}`, r.URL.Path, p.env.MountURL(provider.Alipay))
}

func (p *testAlipay) SubmitAppOrder(order string) (provider.Trade, error) {
	v, err := url.ParseQuery(order)
	if err != nil || v.Get("sign") == "" || v.Get("app_id") != p.keys.Alipay.AppID {
		return provider.Trade{}, fmt.Errorf("invalid app order (app_id %q)", v.Get("app_id"))
	}
	var biz struct {
		OutTradeNo  string `json:"out_trade_no"`
		TotalAmount string `json:"total_amount"`
		NotifyURL   string `json:"notify_url"`
		Subject     string `json:"subject"`
	}
	if err := json.Unmarshal([]byte(v.Get("biz_content")), &biz); err != nil {
		return provider.Trade{}, err
	}
	fen, err := paysim.ParseYuan(biz.TotalAmount)
	if err != nil {
		return provider.Trade{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	t := &provider.Trade{Provider: provider.Alipay, OutTradeNo: biz.OutTradeNo, Kind: "app", Status: provider.StatusWaitBuyerPay,
		TotalFen: fen, NotifyURL: biz.NotifyURL, Subject: biz.Subject, CreatedAt: p.env.Clock.Now()}
	p.trades[t.OutTradeNo] = t
	return *t, nil
}

func (p *testAlipay) Pay(_ context.Context, req provider.PayRequest) (provider.Trade, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.trades[req.OutTradeNo]
	if !ok {
		if req.TotalFen == 0 {
			return provider.Trade{}, fmt.Errorf("paying %s: %w", req.OutTradeNo, provider.ErrNoTrade)
		}
		t = &provider.Trade{Provider: provider.Alipay, OutTradeNo: req.OutTradeNo, TotalFen: req.TotalFen, NotifyURL: req.NotifyURL}
		p.trades[t.OutTradeNo] = t
	}
	t.Status = provider.StatusSuccess
	p.env.Notifier.Notify(provider.Notification{
		Provider: provider.Alipay, Event: provider.EventPay, OutTradeNo: t.OutTradeNo, URL: t.NotifyURL,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}},
		Body:   []byte(url.Values{"out_trade_no": {t.OutTradeNo}, "trade_status": {t.Status}, "total_amount": {paysim.FormatYuan(t.TotalFen)}}.Encode()),
	})
	return *t, nil
}

func (p *testAlipay) Close(context.Context, string) (provider.Trade, error) {
	return provider.Trade{}, provider.ErrBadState
}

func (p *testAlipay) Refund(context.Context, string, int64) (provider.Trade, error) {
	return provider.Trade{}, provider.ErrBadState
}

func (p *testAlipay) Trades() []provider.Trade {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []provider.Trade
	for _, t := range p.trades {
		out = append(out, *t)
	}
	return out
}

// payNotify marks the order paid the way the tutorial's does, and logs it.
const payNotifyJS = `function onRequest(request, response, modules) {
	console.log("NOTIFIED " + request.body.out_trade_no + " " + request.body.trade_status);
	modules.oData.insert({table: "Paid", data: {outTradeNo: request.body.out_trade_no, amount: request.body.total_amount}}, function (err) {
		response.send(err ? "fail" : "success");
	});
}`

// signalWriter closes a channel per order when the function log says NOTIFIED.
type signalWriter struct {
	mu      sync.Mutex
	waiting map[string]chan struct{}
}

func (w *signalWriter) wait(order string) chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	w.waiting[order] = ch
	return ch
}

func (w *signalWriter) Write(b []byte) (int, error) {
	line := string(b)
	if i := strings.Index(line, "NOTIFIED "); i >= 0 {
		order := strings.Fields(line[i+len("NOTIFIED "):])[0]
		w.mu.Lock()
		if ch, ok := w.waiting[order]; ok {
			close(ch)
			delete(w.waiting, order)
		}
		w.mu.Unlock()
	}
	return len(b), nil
}

// sandboxEmu serves fnDir with the test provider on 127.0.0.1 and returns the base URL.
func sandboxEmu(tb testing.TB, fnDir, db string, logOut io.Writer) (*Emulator, string) {
	tb.Helper()
	return serveOnLoopback(tb, Config{FunctionsDirs: []string{fnDir}, DBPath: db, Timeout: 5 * time.Second, LogOutput: logOut,
		Sandbox: SandboxConfig{Providers: standIn(tb, db)}})
}

// serveOnLoopback opens an emulator with cfg, its sandbox's BaseURL set to a
// fresh 127.0.0.1 listener it serves on until the test ends; it returns the base URL.
func serveOnLoopback(tb testing.TB, cfg Config) (*Emulator, string) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg.Sandbox.BaseURL = base
	emu, err := Open(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = emu.Serve(ctx, ln); close(done) }()
	tb.Cleanup(func() {
		cancel()
		<-done
		_ = emu.Close()
	})
	return emu, base
}

func TestSandboxWiringAppOrderPayNotify(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	db := filepath.Join(data, "app.db")
	// The keys are made before the functions are written, as a reader pastes them.
	keys, err := builtin.LoadOrCreateKeys(paysim.KeysFile(db))
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "pay.js", `function onRequest(request, response, modules) {
		const AlipaySdk = require('alipay-sdk').default;
		const sdk = new AlipaySdk({ appId: '`+keys.Alipay.AppID+`', privateKey: '`+keys.Alipay.AppPrivateOneLine()+`',
			alipayPublicKey: '`+keys.Alipay.AlipayPublicOneLine()+`', keyType: 'PKCS8', signType: 'RSA2' });
		response.send(sdk.sdkExec('alipay.trade.app.pay', { bizContent: { out_trade_no: request.body.no, total_amount: '0.01',
			subject: 'pen', notify_url: 'https://cloud.siton.xin/xxxx/payNotify', product_code: 'QUICK_MSECURITY_PAY' } }));
	}`)
	write(t, dir, "payNotify.js", payNotifyJS)
	write(t, dir, "page.js", `function onRequest(request, response, modules) {
		const AlipaySdk = require('alipay-sdk').default;
		const sdk = new AlipaySdk({ appId: '`+keys.Alipay.AppID+`', privateKey: '`+keys.Alipay.AppPrivateOneLine()+`', keyType: 'PKCS8' });
		response.send(sdk.pageExec('alipay.trade.page.pay', { bizContent: { out_trade_no: 'PAGE1' } }));
	}`)
	write(t, dir, "gateway.js", `function onRequest(request, response, modules) {
		modules.oHttp({ url: 'https://openapi.alipay.com/gateway.do?x=1', method: 'POST' }, function (err, res, body) {
			response.send({ err: err && err.message, status: res && res.statusCode, marker: res && res.headers['x-sandbox'], body: body });
		});
	}`)
	sig := &signalWriter{waiting: map[string]chan struct{}{}}
	emu, base := sandboxEmu(t, dir, db, sig)
	if !emu.SandboxKeys.Alipay.AppKey.Equal(keys.Alipay.AppKey) {
		t.Fatal("the emulator made new keys instead of loading the ones beside the db")
	}

	// 1. The script signs an app order; the hook hands it to the provider.
	resp, err := emu.Functions.Invoke(context.Background(), "pay", &fncall.Request{Method: "POST", Header: http.Header{},
		Body: fncall.Body{Kind: fncall.BodyForm, Form: []fncall.Pair{{Key: "no", Value: "ORDER_7"}}}})
	if err != nil || resp.Status != 200 || !strings.Contains(string(resp.Body), "sign=") {
		t.Fatalf("pay: %v %d %s", err, resp.Status, resp.Body)
	}
	trades := emu.Sandbox.Trades()
	if len(trades) != 1 || trades[0].OutTradeNo != "ORDER_7" || trades[0].TotalFen != 1 || trades[0].Status != provider.StatusWaitBuyerPay {
		t.Fatalf("the signed order did not reach the sandbox: %+v", trades)
	}

	// 2. Paying it over the trigger endpoint notifies payNotify, in-process.
	notified := sig.wait("ORDER_7")
	res, err := (&paysim.Client{Base: base}).Pay(context.Background(), paysim.TriggerRequest{Provider: "alipay", OutTradeNo: "ORDER_7"})
	if err != nil || len(res.Notifies) != 1 {
		t.Fatalf("pay trigger: %+v %v", res, err)
	}
	select {
	case <-notified:
	case <-time.After(60 * time.Second): // generous: only a notify that never comes waits this long
		t.Fatal("payNotify never ran")
	}
	d := waitAck(t, emu.Sandbox, res.Notifies[0].ID)
	if d.Attempts[0].Body != "success" {
		t.Fatalf("delivery: %+v", d)
	}
	found, err := emu.Store.Find(context.Background(), "Paid", store.Query{Limit: -1})
	if rows := found.Results; err != nil || len(rows) != 1 || rows[0]["outTradeNo"] != "ORDER_7" || rows[0]["amount"] != "0.01" {
		t.Fatalf("payNotify saw: %v %v", rows, err)
	}

	// 3. Outbound calls to a provider host are answered by the sandbox.
	resp, err = emu.Functions.Invoke(context.Background(), "gateway", &fncall.Request{Method: "GET", Header: http.Header{}})
	if err != nil || !strings.Contains(string(resp.Body), `"marker":"test-alipay"`) || !strings.Contains(string(resp.Body), `\"path\":\"/gateway.do\"`) ||
		!strings.Contains(string(resp.Body), `\"mount\":\"`+base+`/_sandbox/alipay\"`) {
		t.Fatalf("gateway: %v %s", err, resp.Body)
	}

	// 4. pageExec's form goes to the local cashier.
	resp, err = emu.Functions.Invoke(context.Background(), "page", &fncall.Request{Method: "GET", Header: http.Header{}})
	if err != nil || !strings.Contains(string(resp.Body), `action="`+base+`/_sandbox/alipay/gateway.do?`) {
		t.Fatalf("page: %v %s", err, resp.Body)
	}

	// 5. The provider's handler and the index are on the server.
	for path, want := range map[string]string{"/_sandbox/alipay/gateway.do": `"path":"/gateway.do"`, "/_sandbox/": "ORDER_7", "/_sandbox/notifies": `"acknowledged"`} {
		r, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Fatalf("%s: %d %s", path, r.StatusCode, b)
		}
	}
}

func waitAck(t *testing.T, sb *paysim.Sandbox, id string) paysim.Delivery {
	t.Helper()
	d := waitDelivery(t, sb, id, func(d paysim.Delivery) bool { return d.State == paysim.StateAcknowledged })
	if d.State != paysim.StateAcknowledged {
		t.Fatalf("delivery %s: %+v", id, d)
	}
	return d
}

// waitDelivery waits until delivery id satisfies ok, and returns it. The
// deadline is generous (a loaded machine runs notify functions slowly); it
// fails the test only when the delivery never gets there.
func waitDelivery(t *testing.T, sb *paysim.Sandbox, id string, ok func(paysim.Delivery) bool) paysim.Delivery {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, _ := sb.Delivery(id)
		if ok(d) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s never got there: %+v", id, d)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSandboxOffLetsProviderHostsThrough(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	db := filepath.Join(data, "off.db")
	emu, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: db, Sandbox: SandboxConfig{Off: true, Providers: standIn(t, db)}})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	if emu.Sandbox != nil || emu.SandboxKeys != nil {
		t.Fatal("the sandbox runs although it is off")
	}
	if _, err := os.Stat(paysim.KeysFile(db)); !os.IsNotExist(err) {
		t.Fatalf("sandbox keys were made with the sandbox off: %v", err)
	}
	// The call goes to the network (which this test machine may not reach): it
	// must not be the sandbox that answers.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://openapi.alipay.com/gateway.do", nil)
	resp, err := emu.Router.Client().Do(req)
	if err == nil {
		defer resp.Body.Close()
		if resp.Header.Get("X-Sandbox") != "" {
			t.Fatal("the sandbox answered with the sandbox off")
		}
	}
	r, err := emu.App.Test(httptestRequest("GET", "/_sandbox/trades"))
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != 404 {
		t.Fatalf("/_sandbox/ is served with the sandbox off: %d", r.StatusCode)
	}
}

func httptestRequest(method, target string) *http.Request {
	req, _ := http.NewRequest(method, "http://127.0.0.1"+target, nil)
	return req
}

// BenchmarkPayToNotify is the time from a pay trigger (POST /_sandbox/pay over
// HTTP) to the notify function running (its console.log): the real server, the
// provider (a stand-in, or a real simulator signing and encrypting the notify),
// the sandbox's delivery through the fiber app, and the runtime.
func BenchmarkPayToNotify(b *testing.B) {
	for _, bc := range []struct {
		name, provider string
		standIn        bool
	}{
		{"stand-in", provider.Alipay, true},
		{"alipaysim", provider.Alipay, false},
		{"wechatsim", provider.Wechat, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			dir := b.TempDir()
			write(b, dir, "ack.js", `function onRequest(request, response) { console.log("NOTIFIED"); response.send("success"); }`)
			got := make(chan struct{}, 16)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			base := "http://" + ln.Addr().String()
			db := filepath.Join(b.TempDir(), "bench.db")
			var factories []paysim.Factory
			if bc.standIn {
				factories = standIn(b, db)
			}
			emu, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: db, LogOutput: lineSignal(got),
				Sandbox: SandboxConfig{BaseURL: base, Providers: factories}})
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { _ = emu.Serve(ctx, ln); close(done) }()
			defer func() { cancel(); <-done; _ = emu.Close() }()
			client := &paysim.Client{Base: base}
			i := 0
			for b.Loop() {
				i++
				if _, err := client.Pay(ctx, paysim.TriggerRequest{Provider: bc.provider, OutTradeNo: fmt.Sprintf("B%d", i), Amount: "0.01",
					NotifyURL: "https://cloud.siton.xin/xxxx/ack"}); err != nil {
					b.Fatal(err)
				}
				select {
				case <-got:
				case <-time.After(5 * time.Second):
					b.Fatal("the notify function never ran")
				}
			}
		})
	}
}

// lineSignal is a log writer that signals each NOTIFIED line.
type lineSignal chan struct{}

func (l lineSignal) Write(b []byte) (int, error) {
	if bytes.Contains(b, []byte("NOTIFIED")) {
		l <- struct{}{}
	}
	return len(b), nil
}

// The WeChat simulator, the core and the example's notify handler together: a
// pay trigger delivers an encrypted, signed notify that the handler verifies
// and decrypts; answered 404 at first (no order yet), it is retried on WeChat's
// schedule (15 s × 0.01) and then marks the order paid. The clock is frozen and
// moved by the test: on real time the retry came 150 ms after the first 404, and
// on a loaded machine that was sometimes before the test had made the order (a
// second 404, then a third attempt).
func TestWechatSimulatorNotifyRetriedUntilTheHandlerTakesIt(t *testing.T) {
	data := t.TempDir()
	db := filepath.Join(data, "wx.db")
	keys, err := builtin.LoadOrCreateKeys(paysim.KeysFile(db))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../examples/wechat-notify/functions/wechatNotify.js")
	if err != nil {
		t.Fatal(err)
	}
	pemJS, _ := json.Marshal(keys.Wechat.PlatformPublicPEM())
	fn := strings.NewReplacer("__APIV3_KEY__", keys.Wechat.APIv3Key, "__MCHID__", keys.Wechat.MchID,
		"__PLATFORM_PUBLIC_KEY__", string(pemJS[1:len(pemJS)-1])).Replace(string(src))
	dir := t.TempDir()
	write(t, dir, "wechatNotify.js", fn)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	// Now, not a fixed date: the simulator's Wechatpay-Timestamp and the
	// handler's Date.now() both read this clock, and must be within 5 minutes.
	clk := clock.NewFake(time.Now())
	emu, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: db, Timeout: 30 * time.Second, Clock: clk,
		Sandbox: SandboxConfig{BaseURL: base}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = emu.Serve(ctx, ln); close(done) }()
	defer func() { cancel(); <-done; _ = emu.Close() }()

	res, err := (&paysim.Client{Base: base}).Pay(ctx, paysim.TriggerRequest{Provider: "wechat", OutTradeNo: "wx_9", Amount: "0.01",
		NotifyURL: "https://cloud.bmob.cn/xxxx/wechatNotify"})
	if err != nil || len(res.Notifies) != 1 || res.Trade.Status != provider.StatusSuccess {
		t.Fatalf("pay: %+v %v", res, err)
	}
	id := res.Notifies[0].ID
	// The first attempt is answered 404 and its retry is armed on the frozen
	// clock (the sandbox records both under one lock).
	first := waitDelivery(t, emu.Sandbox, id, func(d paysim.Delivery) bool { return len(d.Attempts) > 0 })
	if first.State != paysim.StateRetrying || len(first.Attempts) != 1 {
		t.Fatalf("after the first attempt: %+v", first)
	}
	if want := first.Attempts[0].At.Add(150 * time.Millisecond); !first.NextAttemptAt.Equal(want) {
		t.Fatalf("next attempt at %v, want %v (15 s × 0.01 after the first)", first.NextAttemptAt, want)
	}
	if _, err := emu.Store.Create(ctx, "WxOrder", map[string]any{"outTradeNo": "wx_9", "total": 1.0, "status": "NOTPAY"}); err != nil {
		t.Fatal(err)
	}
	// Just short of the schedule: no retry yet.
	clk.Advance(149 * time.Millisecond)
	if d, _ := emu.Sandbox.Delivery(id); len(d.Attempts) != 1 || d.State != paysim.StateRetrying {
		t.Fatalf("retried before its time: %+v", d)
	}
	clk.Advance(time.Millisecond)
	d := waitAck(t, emu.Sandbox, id)
	if len(d.Attempts) != 2 || d.Attempts[0].Status != 404 || !strings.Contains(d.Attempts[0].Body, "unknown order") || d.Attempts[1].Status != 200 {
		t.Fatalf("attempts: %+v", d.Attempts)
	}
	if gap := d.Attempts[1].At.Sub(d.Attempts[0].At); gap != 150*time.Millisecond {
		t.Fatalf("retried after %v, want 150ms", gap)
	}
	found, err := emu.Store.Find(ctx, "WxOrder", store.Query{Limit: -1})
	if err != nil || len(found.Results) != 1 || found.Results[0]["status"] != "PAID" {
		t.Fatalf("order: %+v %v", found.Results, err)
	}
}

// Close does not wait for a notify function that never answers.
func TestCloseDoesNotWaitForAHangingNotifyFunction(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "hang.js", `function onRequest(request, response) { console.log("NOTIFIED"); setTimeout(function () {}, 60000); }`)
	got := make(chan struct{}, 4)
	db := filepath.Join(t.TempDir(), "h.db")
	emu, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: db, Timeout: 20 * time.Second,
		LogOutput: lineSignal(got), Sandbox: SandboxConfig{Providers: standIn(t, db)}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := emu.Sandbox.Provider(provider.Alipay)
	if _, err := p.Pay(context.Background(), provider.PayRequest{OutTradeNo: "H1", TotalFen: 1, NotifyURL: "https://x.example/y/hang"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(60 * time.Second): // generous: a loaded machine makes the VM slowly
		t.Fatal("the notify function never started")
	}
	start := time.Now()
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("Close took %v", took)
	}
	if d, _ := emu.Sandbox.Delivery("n1"); d.State != paysim.StateStopped {
		t.Fatalf("delivery after Close: %+v", d)
	}
}

func (p *testAlipay) NotifyPolicy() provider.NotifyPolicy { return alipaysim.NotifyPolicy() }
