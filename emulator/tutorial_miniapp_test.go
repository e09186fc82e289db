package emulator

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// tutorialSeeds hold the tutorials this project is built from, read at run time
// and never copied into the repo.
const tutorialSeeds = "../../shared/seeds"

// codeBlocks are the numbered code blocks of a seed text ("  1. line"), each
// with its numbers stripped and its lines otherwise byte for byte.
func codeBlocks(text string) []string {
	var blocks []string
	var cur []string
	numbered := regexp.MustCompile(`^\s+(\d+)\. ?(.*)$`)
	flush := func() {
		if cur != nil {
			blocks = append(blocks, strings.Join(cur, "\n")+"\n")
			cur = nil
		}
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		m := numbered.FindStringSubmatch(sc.Text())
		if m == nil {
			flush()
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n == 1 {
			flush()
		}
		cur = append(cur, m[2])
	}
	flush()
	return blocks
}

// miniappTutorial is the seed about cloud.payment.common.create: its code
// blocks, in order. Without the seeds the test skips, except in CI.
func miniappTutorial(t *testing.T) []string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(tutorialSeeds, "*.txt"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), "cloud.payment.common.create 是") {
			return codeBlocks(string(b))
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("the tutorial seed about cloud.payment.common.create is not in %s", tutorialSeeds)
	}
	t.Skipf("the tutorial seeds are not here (%s)", tutorialSeeds)
	return nil
}

// recordingTransport sees every outbound call before the sandbox answers it.
type recordingTransport struct {
	mu    sync.Mutex
	forms []url.Values
	next  http.RoundTripper
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			var sb strings.Builder
			buf := make([]byte, 4096)
			for {
				n, err := body.Read(buf)
				sb.Write(buf[:n])
				if err != nil {
					break
				}
			}
			form, _ := url.ParseQuery(sb.String())
			r.mu.Lock()
			r.forms = append(r.forms, form)
			r.mu.Unlock()
		}
	}
	return r.next.RoundTrip(req)
}

func (r *recordingTransport) last() url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.forms[len(r.forms)-1]
}

// The tutorial's three cloud-function blocks and its two page-side calls run
// unchanged against the Alipay simulator and answer in the documented shape.
func TestMiniProgramTutorialBlocks(t *testing.T) {
	blocks := miniappTutorial(t)
	var functions, page []string
	var example string
	for _, b := range blocks {
		switch {
		case strings.Contains(b, "module.exports = async function (ctx)"):
			functions = append(functions, b)
		case strings.Contains(b, "const createRes = await cloud.payment.common.create("):
			page = append(page, b)
		case strings.HasPrefix(b, "{"):
			example = b
		}
	}
	if len(functions) != 3 || len(page) != 2 || example == "" {
		t.Fatalf("expected 3 function blocks, 2 page blocks and an answer example in the seed, got %d, %d, %q", len(functions), len(page), example)
	}

	dir := t.TempDir()
	for i, b := range functions {
		write(t, dir, "block"+strconv.Itoa(i+1)+".js", b)
	}
	// The page's calls go through alipay-serverless-sdk's `cloud`, which reaches
	// the same API as ctx.cloud: each block runs inside a function that names it so.
	for i, b := range page {
		write(t, dir, "page"+strconv.Itoa(i+1)+".js", "module.exports = async (ctx) => {\nconst cloud = ctx.cloud;\n"+b+"return createRes;\n};\n")
	}
	// Block 2's notify.url names the local function receive_notify.htm.
	write(t, dir, "receive_notify.htm.js", `function onRequest(request, response, modules) {
		modules.oData.insert({table: "Notified", data: {outTradeNo: request.body.out_trade_no, status: request.body.trade_status}}, function () { response.send("success") });
	}`)
	rec := &recordingTransport{}
	emu, base := serveOnLoopback(t, Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(t.TempDir(), "tutorial-mp.db"),
		Timeout: 5 * time.Second, Transport: rec, Sandbox: SandboxConfig{TransportFirst: true}})
	rec.next = emu.Sandbox.Transport(http.DefaultTransport)
	fn := base + "/" + emu.Secret + "/"

	// The documented answer's members, in order.
	var exampleKeys []string
	dec := json.NewDecoder(strings.NewReader(example))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		exampleKeys = append(exampleKeys, k.(string))
		if _, err := dec.Token(); err != nil { // its (flat) value
			t.Fatal(err)
		}
	}
	if strings.Join(exampleKeys, ",") != "code,msg,out_trade_no,trade_no" {
		t.Fatalf("the seed's answer example: %q", exampleKeys)
	}
	documented := regexp.MustCompile(`^\{"code":"10000","msg":"Success","out_trade_no":"([^"]+)","trade_no":"\d{28}"\}$`)

	args := func(no string) string {
		return `{"subject":"小程序支付","outTradeNo":"` + no + `","totalAmount":"0.01","buyerId":"2088202286335281","appAuthToken":"201908BB03f542de8ecc42151c6a1d6dd3a4b06"}`
	}
	for i, no := range []string{"TUT1", "TUT2", "TUT3"} {
		status, body := postArgs(t, fn+"block"+strconv.Itoa(i+1), args(no))
		if m := documented.FindStringSubmatch(body); status != 200 || m == nil || m[1] != no {
			t.Fatalf("block %d: %d %s", i+1, status, body)
		}
		sent := rec.last()
		biz := `{"subject":"小程序支付","out_trade_no":"` + no + `","total_amount":"0.01","buyer_id":"2088202286335281"}`
		if sent.Get("method") != "alipay.trade.create" || sent.Get("biz_content") != biz || sent.Get("app_id") != emu.SandboxKeys.Alipay.AppID {
			t.Fatalf("block %d sent %v", i+1, sent)
		}
		wantNotify, wantToken := "", ""
		switch i {
		case 1:
			wantNotify = "http://api.test.alipay.net/atinterface/receive_notify.htm"
		case 2:
			wantToken = "201908BB03f542de8ecc42151c6a1d6dd3a4b06"
		}
		if sent.Get("notify_url") != wantNotify || sent.Get("app_auth_token") != wantToken {
			t.Fatalf("block %d: notify_url %q app_auth_token %q", i+1, sent.Get("notify_url"), sent.Get("app_auth_token"))
		}
	}
	for i := range page {
		status, body := postArgs(t, fn+"page"+strconv.Itoa(i+1), `{}`)
		if m := documented.FindStringSubmatch(body); status != 200 || m == nil || !strings.HasPrefix(m[1], "demo") {
			t.Fatalf("page block %d: %d %s", i+1, status, body)
		}
		if sent := rec.last(); !strings.Contains(sent.Get("biz_content"), `"total_amount":"0.01","buyer_id":"2088202286335281"}`) {
			t.Fatalf("page block %d sent %s", i+1, sent.Get("biz_content"))
		}
	}

	// Paying block 2's trade in the simulator notifies the function its notify.url names.
	alipay, _ := emu.Sandbox.Provider(provider.Alipay)
	if _, err := alipay.Pay(context.Background(), provider.PayRequest{OutTradeNo: "TUT2"}); err != nil {
		t.Fatal(err)
	}
	ds := emu.Sandbox.Deliveries()
	if len(ds) != 1 || ds[0].OutTradeNo != "TUT2" {
		t.Fatalf("deliveries: %+v", ds)
	}
	waitAck(t, emu.Sandbox, ds[0].ID)
	rows, err := emu.Store.Find(context.Background(), "Notified", storeQuery())
	if err != nil || len(rows.Results) != 1 || rows.Results[0]["status"] != "TRADE_SUCCESS" {
		t.Fatalf("notified rows: %v %v", rows.Results, err)
	}
}
