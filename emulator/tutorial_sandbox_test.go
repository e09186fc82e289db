package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/builtin"
	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/bmobemu/bmobemu/store"
)

// tutorialScripts are the tutorial's scripts in ../shared, read at run time and
// never copied into the repo.
const tutorialScripts = "../../shared/conformance/scripts"

// pasteKeys does what the README asks a reader to do: paste the values that
// `bmobemu sandbox keys` prints into the scripts' config.
func pasteKeys(src string, k *builtin.Keys) string {
	src = strings.ReplaceAll(src, "'2021xxx'", "'"+k.Alipay.AppID+"'")
	src = regexp.MustCompile("privateKey: (``|'')").ReplaceAllLiteralString(src, "privateKey: '"+k.Alipay.AppPrivateOneLine()+"'")
	return regexp.MustCompile("alipayPublicKey: (``|'')").ReplaceAllLiteralString(src, "alipayPublicKey: '"+k.Alipay.AlipayPublicOneLine()+"'")
}

// The walk-through: the tutorial's pay, the simulator's pay trigger, the
// tutorial's payNotify marking the order paid, with nothing but bmobemu.
func TestTutorialPayFlowInTheSandbox(t *testing.T) {
	data := t.TempDir()
	db := filepath.Join(data, "tutorial.db")
	keys, err := builtin.LoadOrCreateKeys(paysim.KeysFile(db))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"pay.js", "addOrder.js", "payNotify.js"} {
		src, err := os.ReadFile(filepath.Join(tutorialScripts, name))
		if err != nil {
			t.Skipf("the tutorial scripts are not here (%v)", err)
		}
		write(t, dir, name, pasteKeys(string(src), keys))
	}
	emu, base := sandboxEmuWith(t, dir, db)
	secretBase := base + "/" + emu.Secret

	// 1. The app asks pay for an order string.
	resp, err := http.Post(secretBase+"/pay", "application/json",
		strings.NewReader(`{"productId":"p1","userId":"u1","orderName":"会员","total_amount":"0.01"}`))
	if err != nil {
		t.Fatal(err)
	}
	var payAnswer struct {
		Code int `json:"code"`
		Data struct {
			OrderStr   string `json:"orderStr"`
			OutTradeNo string `json:"outTradeNo"`
		} `json:"data"`
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := json.Unmarshal(body, &payAnswer); err != nil || payAnswer.Code != 200 || payAnswer.Data.OutTradeNo == "" {
		t.Fatalf("pay: %s %v", body, err)
	}
	no := payAnswer.Data.OutTradeNo
	// The simulator took the signed order, as the phone app would have sent it.
	var trade provider.Trade
	for _, tr := range emu.Sandbox.Trades() {
		if tr.OutTradeNo == no {
			trade = tr
		}
	}
	if trade.Status != provider.StatusWaitBuyerPay || trade.TotalFen != 1 || trade.Kind != "app" {
		t.Fatalf("the sandbox's trade: %+v (all: %+v; log: %q)", trade, emu.Sandbox.Trades(), emu.Logs.Tail("pay"))
	}

	// 2. `bmobemu sandbox pay --provider alipay --out-trade-no N`.
	res, err := (&paysim.Client{Base: base}).Pay(context.Background(), paysim.TriggerRequest{Provider: "alipay", OutTradeNo: no})
	if err != nil || len(res.Notifies) != 1 {
		t.Fatalf("pay trigger: %+v %v", res, err)
	}
	d := waitAck(t, emu.Sandbox, res.Notifies[0].ID)
	if d.Attempts[0].Body != "success" {
		t.Fatalf("payNotify answered %+v", d.Attempts)
	}
	order := tutorialOrder(t, emu, no)
	if order["status"] != 1.0 || order["tradeNo"] != res.Trade.TradeNo || order["actualPayAmount"] != "0.01" {
		t.Fatalf("the order after the notify: %v (log %q)", order, emu.Logs.Tail("payNotify"))
	}

	// 3. A replayed notify is acknowledged and changes nothing (idempotent).
	r, err := emu.Sandbox.Replay(d.ID)
	if err != nil {
		t.Fatal(err)
	}
	waitAck(t, emu.Sandbox, r.ID)
	if again := tutorialOrder(t, emu, no); again["updatedAt"] != order["updatedAt"] {
		t.Fatalf("the replay changed the order: %v", again)
	}

	// 4. A tampered notify is refused by the script and retried by the sandbox.
	tampered := bytes.Replace([]byte(d.Body), []byte("total_amount=0.01"), []byte("total_amount=0.02"), 1)
	if bytes.Equal(tampered, []byte(d.Body)) {
		t.Fatalf("no total_amount in the notify: %s", d.Body)
	}
	emu.Sandbox.Notify(provider.Notification{Provider: provider.Alipay, Event: provider.EventPay, OutTradeNo: no,
		URL: d.URL, Header: d.Header, Body: tampered})
	last := emu.Sandbox.Deliveries()
	id := last[len(last)-1].ID
	if dd := waitDelivery(t, emu.Sandbox, id, func(d paysim.Delivery) bool { return len(d.Attempts) > 0 }); dd.Attempts[0].Body != "fail" || dd.State != paysim.StateRetrying {
		t.Fatalf("tampered notify: %+v", dd)
	}
}

func tutorialOrder(t *testing.T, emu *Emulator, no string) map[string]any {
	t.Helper()
	found, err := emu.Store.Find(context.Background(), "Order", store.Query{Where: map[string]any{"orderNum": no}, Limit: -1})
	if err != nil || len(found.Results) != 1 {
		t.Fatalf("Order %s: %v %v", no, found.Results, err)
	}
	return found.Results[0]
}

// sandboxEmuWith serves dir with the built-in simulators on 127.0.0.1.
func sandboxEmuWith(t *testing.T, dir, db string) (*Emulator, string) {
	t.Helper()
	return serveOnLoopback(t, Config{FunctionsDirs: []string{dir}, DBPath: db, Timeout: 5 * time.Second})
}

// A page-pay form from pageExec opens the Alipay simulator's cashier on this
// server, and its pay button pays the trade and notifies.
func TestPageExecFormReachesTheCashier(t *testing.T) {
	data := t.TempDir()
	db := filepath.Join(data, "page.db")
	keys, err := builtin.LoadOrCreateKeys(paysim.KeysFile(db))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, dir, "page.js", `function onRequest(request, response, modules) {
		const AlipaySdk = require('alipay-sdk').default;
		const sdk = new AlipaySdk({ appId: '`+keys.Alipay.AppID+`', privateKey: '`+keys.Alipay.AppPrivateOneLine()+`', keyType: 'PKCS8' });
		response.send(sdk.pageExec('alipay.trade.page.pay', { notifyUrl: 'https://cloud.siton.xin/xxxx/ack', returnUrl: 'https://shop.example/done',
			bizContent: { out_trade_no: 'PAGE1', total_amount: '9.90', subject: '会员', product_code: 'FAST_INSTANT_TRADE_PAY' } }));
	}`)
	write(t, dir, "ack.js", `function onRequest(request, response) { response.send("success"); }`)
	emu, base := sandboxEmuWith(t, dir, db)
	resp, err := http.Get(base + "/" + emu.Secret + "/page")
	if err != nil {
		t.Fatal(err)
	}
	form, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	action := regexp.MustCompile(`action="([^"]+)"`).FindStringSubmatch(string(form))
	if action == nil || !strings.HasPrefix(action[1], base+"/_sandbox/alipay/gateway.do?") {
		t.Fatalf("form: %s", form)
	}
	fields := map[string][]string{}
	for _, m := range regexp.MustCompile(`name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(string(form), -1) {
		fields[m[1]] = []string{strings.ReplaceAll(m[2], "&quot;", `"`)}
	}
	resp, err = http.PostForm(strings.ReplaceAll(action[1], "&amp;", "&"), fields)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte(`id="pay"`)) || !bytes.Contains(page, []byte("9.90")) {
		t.Fatalf("cashier: %d %s", resp.StatusCode, page)
	}
	pay := regexp.MustCompile(`<form method="post" action="([^"]+)"><input type="hidden" name="trade_no" value="([^"]+)"><button id="pay"`).FindSubmatch(page)
	if pay == nil {
		t.Fatalf("no pay form: %s", page)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// As a browser clicks it: a same-origin form post carries Origin.
	click, err := http.NewRequest("POST", strings.ReplaceAll(string(pay[1]), "&amp;", "&"), strings.NewReader("trade_no="+string(pay[2])))
	if err != nil {
		t.Fatal(err)
	}
	click.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	click.Header.Set("Origin", base)
	resp, err = noRedirect.Do(click)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "https://shop.example/done?") {
		t.Fatalf("pay click: %d %v", resp.StatusCode, resp.Header)
	}
	ds := emu.Sandbox.Deliveries()
	if len(ds) != 1 || ds[0].OutTradeNo != "PAGE1" {
		t.Fatalf("notifies: %+v", ds)
	}
	waitAck(t, emu.Sandbox, ds[0].ID)
	if notes := strings.Join(emu.Logs.Tail("page"), "\n"); !strings.Contains(notes, "payment sandbox cashier") {
		t.Fatalf("no fidelity note: %s", notes)
	}
}
