package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestSandboxKeysCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	var out1, out2, errOut bytes.Buffer
	if code := run(context.Background(), []string{"sandbox", "keys", "--db", db}, &out1, &errOut); code != 0 {
		t.Fatalf("keys: %d %s", code, errOut.String())
	}
	if code := run(context.Background(), []string{"sandbox", "keys", "--db", db}, &out2, &errOut); code != 0 {
		t.Fatalf("keys again: %d %s", code, errOut.String())
	}
	if out1.String() != out2.String() {
		t.Fatal("the keys changed between two runs")
	}
	for _, want := range []string{"new AlipaySdk({", "keyType: 'PKCS8'", "mchid:", "apiV3Key:", "# kept in " + db + ".sandbox.json"} {
		if !strings.Contains(out1.String(), want) {
			t.Errorf("keys output lacks %q", want)
		}
	}
	if code := run(context.Background(), []string{"sandbox", "nope"}, &out1, &errOut); code == 0 || !strings.Contains(errOut.String(), `unknown sandbox command "nope"`) {
		t.Fatalf("unknown subcommand: %d %s", code, errOut.String())
	}
}

// TestSandboxCommandsAgainstServe starts `bmobemu serve` (the real simulators)
// and drives it with `bmobemu sandbox pay|refund|trades|notifies`.
func TestSandboxCommandsAgainstServe(t *testing.T) {
	dir := t.TempDir()
	fn := filepath.Join(dir, "functions")
	_ = os.Mkdir(fn, 0o755)
	_ = os.WriteFile(filepath.Join(fn, "ack.js"), []byte(`function onRequest(request, response) {
		console.log("notify", request.body.event_type);
		response.status(204).end();
	}`), 0o644)
	_ = os.WriteFile(filepath.Join(fn, "refuse.js"), []byte(`function onRequest(request, response) {
		response.status(500).send({code: "FAIL"});
	}`), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	served := make(chan int, 1)
	go func() {
		served <- run(ctx, []string{"serve", "--functions", fn, "--db", filepath.Join(dir, "s.db"), "--addr", "127.0.0.1:0", "--watch=false"}, pw, io.Discard)
		pw.Close()
	}()
	defer func() {
		cancel()
		select {
		case <-served:
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	var addr string
	sc := bufio.NewScanner(pr)
	re := regexp.MustCompile(`sandbox:\s+on \(.*wechat.*\) http://([0-9.:]+)/_sandbox/`)
	for addr == "" && sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatal("serve printed no sandbox line")
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	cli := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append(append([]string{"sandbox"}, args...), "--addr", addr), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errText := cli("pay", "--provider", "wechat", "--out-trade-no", "WX1", "--amount", "0.01", "--notify-url", "https://cloud.bmob.cn/s/ack")
	if code != 0 || !strings.Contains(out, "wechat WX1: TRADE_SUCCESS, 0.01 yuan") ||
		!regexp.MustCompile(`notify n1: wechat pay WX1 -> function ack \(https://cloud.bmob.cn/s/ack\): acknowledged, 1 attempt`).MatchString(out) ||
		!strings.Contains(out, `HTTP 204 ""  acknowledged`) {
		t.Fatalf("pay: %d\n%s\n%s", code, out, errText)
	}
	code, out, errText = cli("pay", "--provider", "wechat", "--out-trade-no", "WX2", "--amount", "1", "--notify-url", "https://cloud.bmob.cn/s/refuse")
	if code != 0 || !strings.Contains(out, "retrying") || !strings.Contains(out, "HTTP 500") || !strings.Contains(out, "not acknowledged (HTTP 200 or 204 wanted)") ||
		!strings.Contains(out, "next attempt at") {
		t.Fatalf("refused pay: %d\n%s\n%s", code, out, errText)
	}
	code, out, _ = cli("refund", "--provider", "wechat", "--out-trade-no", "WX1")
	if code != 0 || !strings.Contains(out, "0.01 refunded") {
		t.Fatalf("refund: %d %s", code, out)
	}
	code, out, _ = cli("trades")
	if code != 0 || !strings.Contains(out, "WX1") || !strings.Contains(out, "WX2") {
		t.Fatalf("trades: %d %s", code, out)
	}
	code, out, _ = cli("notifies")
	if code != 0 || !strings.Contains(out, "notify n1:") || !strings.Contains(out, "notify n2:") {
		t.Fatalf("notifies: %d %s", code, out)
	}
	code, out, _ = cli("notifies", "--replay", "n1")
	if code != 0 || !strings.Contains(out, "replaying n1 as n") || !strings.Contains(out, "(replay of n1)") || !strings.Contains(out, "acknowledged") {
		t.Fatalf("replay: %d %s", code, out)
	}
	code, _, errText = cli("close", "--provider", "wechat", "--out-trade-no", "NOPE")
	if code != 1 || !strings.Contains(errText, "NOPE") || !strings.Contains(errText, "HTTP 404") {
		t.Fatalf("unknown trade: %d %s", code, errText)
	}
	code, _, errText = cli("pay", "--provider", "wechat")
	if code != 1 || !strings.Contains(errText, "--out-trade-no is required") {
		t.Fatalf("missing flag: %d %s", code, errText)
	}
	code, _, errText = cli("notifies", "--replay", "n999")
	if code != 1 || !strings.Contains(errText, "no such notify delivery") {
		t.Fatalf("unknown replay: %d %s", code, errText)
	}
}

func TestServeSandboxFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--sandbox", "maybe"}, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "--sandbox must be on or off") {
		t.Fatalf("bad --sandbox: %s", errOut.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"serve", "--sandbox-retry-scale", "0"}, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "--sandbox-retry-scale must be above 0") {
		t.Fatalf("bad scale: %s", errOut.String())
	}
	// Off: a warning in the banner, no keys made.
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--functions", dir, "--db", filepath.Join(dir, "off.db"), "--addr", "127.0.0.1:0", "--sandbox=off"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	warned := false
	for !warned && sc.Scan() {
		warned = strings.Contains(sc.Text(), "WARNING:        payment sandbox off (--sandbox=off): Alipay and WeChat Pay calls go to the real gateways")
		if strings.Contains(sc.Text(), "sandbox:        on") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	cancel()
	<-done
	if !warned {
		t.Fatal("no warning with --sandbox=off")
	}
	if _, err := os.Stat(filepath.Join(dir, "off.db.sandbox.json")); !os.IsNotExist(err) {
		t.Fatalf("keys made with the sandbox off: %v", err)
	}
}
