package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/bmobemu/bmobemu/store"
)

// postArgs calls a function with a JSON body and returns status and body.
func postArgs(t *testing.T, url, body string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A mini-program function creates a trade in the Alipay simulator, the
// simulator's pay notifies the local function named by notify.url's path, and
// the other common calls see the trade.
func TestMiniProgramPaymentThroughTheSimulator(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "create.js", `module.exports = async (ctx) => {
		return ctx.cloud.payment.common.create({subject: ctx.args.subject, outTradeNo: ctx.args.outTradeNo,
			totalAmount: ctx.args.totalAmount, buyerId: ctx.args.buyerId}, {notify: {url: 'https://cloud.example.com/mp/paid'}});
	};`)
	write(t, dir, "legacy.js", `module.exports = async function (ctx) {
		return await ctx.cloud.payment.common.create('旧版', ctx.args.outTradeNo, '0.05', '2088000000000002');
	};`)
	write(t, dir, "op.js", `module.exports = async (ctx) => {
		const c = ctx.cloud.payment.common;
		switch (ctx.args.op) {
		case 'query': return c.query({outTradeNo: ctx.args.outTradeNo});
		case 'refund': return c.refund(ctx.args.outTradeNo, ctx.args.amount);
		case 'close': return c.close({outTradeNo: ctx.args.outTradeNo});
		case 'cancel': return c.cancel(ctx.args.outTradeNo);
		}
		throw new Error('unknown op ' + ctx.args.op);
	};`)
	write(t, dir, "paid.js", `function onRequest(request, response, modules) {
		modules.oData.insert({table: "Paid", data: {outTradeNo: request.body.out_trade_no, status: request.body.trade_status}}, function (err) {
			response.send(err ? "fail" : "success");
		});
	}`)
	write(t, dir, "who.js", `module.exports = async (ctx) => {
		const info = await ctx.mpserverless.user.getInfo();
		const sum = await ctx.mpserverless.function.invoke('sum', {a: 1, b: 2});
		return {buyer: info.result.user.oAuthUserId, space: info.result.user.spaceId, app: ctx.env.MP_APP_ID, sum: sum.result, ok: sum.success};
	};`)
	write(t, dir, "sum.js", `function onRequest(request, response) { response.json({total: Number(request.body.a) + Number(request.body.b)}) }`)
	emu, base := serveOnLoopback(t, Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(t.TempDir(), "mp.db"), Timeout: 5 * time.Second})
	fn := base + "/" + emu.Secret + "/"

	status, body := postArgs(t, fn+"create", `{"subject":"小程序支付","outTradeNo":"MP1","totalAmount":"0.01","buyerId":"2088000000000001"}`)
	if status != 200 || !regexp.MustCompile(`^\{"code":"10000","msg":"Success","out_trade_no":"MP1","trade_no":"\d{28}"\}$`).MatchString(body) {
		t.Fatalf("create: %d %s", status, body)
	}
	var created struct {
		TradeNo string `json:"trade_no"`
	}
	_ = json.Unmarshal([]byte(body), &created)
	if status, body := postArgs(t, fn+"legacy", `{"outTradeNo":"MP2"}`); status != 200 || !strings.Contains(body, `"out_trade_no":"MP2"`) {
		t.Fatalf("positional create: %d %s", status, body)
	}
	trades := map[string]provider.Trade{}
	for _, tr := range emu.Sandbox.Trades() {
		trades[tr.OutTradeNo] = tr
	}
	if tr := trades["MP1"]; tr.NotifyURL != "https://cloud.example.com/mp/paid" || tr.TotalFen != 1 || tr.Status != provider.StatusWaitBuyerPay || tr.TradeNo != created.TradeNo {
		t.Fatalf("simulator trade: %+v", tr)
	}

	alipay, _ := emu.Sandbox.Provider(provider.Alipay)
	if _, err := alipay.Pay(context.Background(), provider.PayRequest{OutTradeNo: "MP1"}); err != nil {
		t.Fatal(err)
	}
	ds := emu.Sandbox.Deliveries()
	if len(ds) != 1 {
		t.Fatalf("deliveries %+v", ds)
	}
	waitAck(t, emu.Sandbox, ds[0].ID)
	found, err := emu.Store.Find(context.Background(), "Paid", store.Query{Limit: -1})
	if err != nil || len(found.Results) != 1 || found.Results[0]["outTradeNo"] != "MP1" || found.Results[0]["status"] != "TRADE_SUCCESS" {
		t.Fatalf("paid rows %v %v", found.Results, err)
	}

	for _, c := range []struct{ args, want string }{
		{`{"op":"query","outTradeNo":"MP1"}`, `"trade_status":"TRADE_SUCCESS"`},
		{`{"op":"refund","outTradeNo":"MP1","amount":"0.01"}`, `"fund_change":"Y"`},
		{`{"op":"close","outTradeNo":"MP2"}`, `"code":"10000"`},
		{`{"op":"query","outTradeNo":"MP2"}`, `"trade_status":"TRADE_CLOSED"`},
		{`{"op":"cancel","outTradeNo":"MP2"}`, `"action":"close"`},
		{`{"op":"query","outTradeNo":"nope"}`, `"sub_code":"ACQ.TRADE_NOT_EXIST"`},
	} {
		if status, body := postArgs(t, fn+"op", c.args); status != 200 || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s", c.args, status, body)
		}
	}
	status, body = postArgs(t, fn+"op", `{"op":"fly"}`)
	if status != 500 || !strings.Contains(body, `"errorMessage":"unknown op fly","errorType":"Error"`) || !strings.Contains(body, "op.js:") {
		t.Fatalf("throw: %d %s", status, body)
	}

	status, body = postArgs(t, fn+"who", `{}`, modules.AlipayUserHeader, "2088000000000001")
	want := `{"buyer":"2088000000000001","space":"bmobemu","app":"` + emu.SandboxKeys.Alipay.AppID + `","sum":{"total":3},"ok":true}`
	if status != 200 || body != want {
		t.Fatalf("who: %d %s, want %s", status, body, want)
	}
	if status, body := postArgs(t, fn+"who", `{}`); status != 500 || !strings.Contains(body, "no signed-in user") {
		t.Fatalf("anonymous who: %d %s", status, body)
	}
}

// A notify may reach a mini-program function too: the notify's form is
// ctx.args, and the bare string it returns is the acknowledgement Alipay reads.
func TestNotifyToACtxFunction(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "open.js", `module.exports = async (ctx) => ctx.cloud.payment.common.create(
		{subject: 's', outTradeNo: ctx.args.no, totalAmount: '1.00'}, {notify: {url: 'https://cloud.example.com/mp/ack'}});`)
	write(t, dir, "ack.js", `module.exports = async (ctx) => {
		ctx.logger.info('ACK %s %s', ctx.args.out_trade_no, ctx.args.trade_status);
		return ctx.args.trade_status === 'TRADE_SUCCESS' ? 'success' : 'fail';
	};`)
	emu, base := serveOnLoopback(t, Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(t.TempDir(), "ack.db"), Timeout: 5 * time.Second})
	if status, body := postArgs(t, base+"/"+emu.Secret+"/open", `{"no":"ACK1"}`); status != 200 || !strings.Contains(body, `"code":"10000"`) {
		t.Fatalf("open: %d %s", status, body)
	}
	alipay, _ := emu.Sandbox.Provider(provider.Alipay)
	if _, err := alipay.Pay(context.Background(), provider.PayRequest{OutTradeNo: "ACK1"}); err != nil {
		t.Fatal(err)
	}
	ds := emu.Sandbox.Deliveries()
	if len(ds) != 1 {
		t.Fatalf("deliveries %+v", ds)
	}
	d := waitAck(t, emu.Sandbox, ds[0].ID)
	if len(d.Attempts) != 1 || d.Attempts[0].Body != "success" {
		t.Fatalf("delivery %+v", d)
	}
}
