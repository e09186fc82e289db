package emulator

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/paysim"
)

// guardedEmu serves the built-in simulators on 127.0.0.1, telling the emulator
// it listens on listenAddr ("" = loopback).
func guardedEmu(t *testing.T, listenAddr string) (*Emulator, string) {
	t.Helper()
	dir, data := t.TempDir(), t.TempDir()
	write(t, dir, "payNotify.js", `function onRequest(request, response) { response.end('success') }`)
	return serveOnLoopback(t, Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(data, "g.db"), Timeout: 5 * time.Second,
		ListenAddr: listenAddr, NoSync: true})
}

// send makes one request and returns its status and body.
func send(t *testing.T, method, url, contentType, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func tradeStatus(emu *Emulator, outTradeNo string) string {
	for _, tr := range emu.Sandbox.Trades() {
		if tr.OutTradeNo == outTradeNo {
			return tr.Status
		}
	}
	return ""
}

// TestSandboxRefusesCrossSiteRequests is issue 10 item 2: a page on another
// site in the developer's browser cannot pay, refund or close trades.
func TestSandboxRefusesCrossSiteRequests(t *testing.T) {
	emu, base := guardedEmu(t, "")
	form := "provider=alipay&outTradeNo=X1&amount=0.01&notifyUrl=https://cloud.example/x/payNotify&back=/_sandbox/"
	const formType = "application/x-www-form-urlencoded"
	evil := map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}

	for _, path := range []string{"/_sandbox/pay", "/_sandbox/close", "/_sandbox/refund", "/_sandbox/app-order", "/_sandbox/notifies/n1/replay",
		"/_sandbox/wechat/cashier", "/_sandbox/alipay/cashier/pay", "/_sandbox/alipay/cashier/cancel"} {
		if status, body := send(t, "POST", base+path, formType, form, evil); status != http.StatusForbidden {
			t.Errorf("cross-site form POST %s: %d %s, want 403", path, status, body)
		}
	}
	if status, _ := send(t, "POST", base+"/_sandbox/pay", "application/json", `{"provider":"alipay","outTradeNo":"X1","amount":"0.01"}`,
		map[string]string{"Sec-Fetch-Site": "cross-site"}); status != http.StatusForbidden {
		t.Errorf("cross-site fetch by Sec-Fetch-Site: %d, want 403", status)
	}
	if status, _ := send(t, "POST", base+"/_sandbox/pay", formType, form, nil); status != http.StatusForbidden {
		t.Errorf("form POST without Origin: %d, want 403", status)
	}
	if got := tradeStatus(emu, "X1"); got != "" {
		t.Fatalf("a refused trigger made trade X1 (%s)", got)
	}

	// The sandbox's own page posting its forms (same origin) still works.
	if status, body := send(t, "POST", base+"/_sandbox/pay", formType, form, map[string]string{"Origin": base, "Sec-Fetch-Site": "same-origin"}); status != http.StatusSeeOther {
		t.Fatalf("same-origin form POST: %d %s, want 303", status, body)
	}
	if got := tradeStatus(emu, "X1"); got != "TRADE_SUCCESS" {
		t.Fatalf("trade X1 after the same-origin pay: %q", got)
	}
	// curl and the CLI (JSON, no Origin) still work.
	if status, body := send(t, "POST", base+"/_sandbox/refund", "application/json", `{"provider":"alipay","outTradeNo":"X1"}`, nil); status != http.StatusOK {
		t.Fatalf("JSON refund without Origin: %d %s", status, body)
	}
	// A buyer page's button from its own page reaches the provider (here: no such order).
	if status, body := send(t, "POST", base+"/_sandbox/wechat/cashier", formType, "prepay_id=nope", map[string]string{"Origin": base}); status != http.StatusNotFound {
		t.Fatalf("same-origin cashier POST: %d %s, want the page's own 404", status, body)
	}
	// The signature-checked gateway stays open to any page, as Alipay's is.
	if status, body := send(t, "POST", base+"/_sandbox/alipay/gateway.do", formType, "method=alipay.trade.page.pay", evil); status == http.StatusForbidden {
		t.Fatalf("the signed gateway was guarded: %d %s", status, body)
	}
	// A DNS-rebound name for this server is not same-origin with anything.
	if status, _ := send(t, "GET", strings.Replace(base, "127.0.0.1", "localhost", 1)+"/_sandbox/trades", "", "", nil); status != http.StatusOK {
		t.Fatalf("localhost read refused: %d", status)
	}
	req, _ := http.NewRequest("GET", base+"/_sandbox/trades", nil)
	req.Host = "rebound.evil.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("read with a foreign Host: %d, want 403", resp.StatusCode)
	}
}

// TestSandboxOffLoopbackNeedsMasterKey is issue 10 item 3: on a non-loopback
// listen address every sandbox trigger and listing needs the master key.
func TestSandboxOffLoopbackNeedsMasterKey(t *testing.T) {
	emu, base := guardedEmu(t, "0.0.0.0:8080")
	if !emu.Guard.Public() {
		t.Fatal("0.0.0.0 is not seen as public")
	}
	if status, _ := send(t, "GET", base+"/_sandbox/trades", "", "", nil); status != http.StatusUnauthorized {
		t.Fatalf("listing without the key: %d, want 401", status)
	}
	pay := `{"provider":"alipay","outTradeNo":"P1","amount":"0.01","notifyUrl":"https://cloud.example/x/payNotify"}`
	if status, _ := send(t, "POST", base+"/_sandbox/pay", "application/json", pay, nil); status != http.StatusUnauthorized {
		t.Fatalf("pay without the key: %d, want 401", status)
	}
	if status, _ := send(t, "POST", base+"/_sandbox/pay", "application/json", pay, map[string]string{"X-Bmob-Master-Key": emu.Keys.RESTKey}); status != http.StatusUnauthorized {
		t.Fatalf("pay with the REST key: %d, want 401", status)
	}
	if got := tradeStatus(emu, "P1"); got != "" {
		t.Fatalf("a refused trigger made trade P1 (%s)", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	keyed := &paysim.Client{Base: base, MasterKey: emu.Keys.MasterKey}
	res, err := keyed.Pay(ctx, paysim.TriggerRequest{Provider: "alipay", OutTradeNo: "P1", Amount: "0.01", NotifyURL: "https://cloud.example/x/payNotify"})
	if err != nil || res.Trade.Status != "TRADE_SUCCESS" {
		t.Fatalf("pay with the master key: %+v %v", res.Trade, err)
	}
	if _, err := keyed.Trades(ctx); err != nil {
		t.Fatalf("listing with the master key: %v", err)
	}
}
