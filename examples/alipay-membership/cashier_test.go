package alipaymembership

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bmobemu/bmobemu/examples/internal/exampletest"
)

// chromium is Debian's Chromium (`apt-get install -y chromium`, `make chromium`).
const chromium = "/usr/bin/chromium"

// TestCashierInHeadlessChromium is the buyer's whole trip in a real browser:
// memberOrder's self-submitting form goes to the gateway, the sandbox cashier
// shows the order, #pay is clicked, Alipay's signed return lands on
// memberReturn, and the notify has marked the order paid.
func TestCashierInHeadlessChromium(t *testing.T) {
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s is not installed (make chromium, or apt-get install -y chromium): %v", chromium, err)
	}
	emu, _ := exampletest.StartSandbox(t, "functions")
	planID := plans(t, emu)["月度会员"]

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	returnURL := emu.Base + "/memberReturn"
	start := emu.Base + "/memberOrder?planId=" + planID + "&deviceId=browser-1&channel=page&returnUrl=" + returnURL
	var amount, orderNo, shown, landed, heading string
	err := chromedp.Run(browser,
		chromedp.Navigate(start),
		chromedp.WaitVisible("#pay", chromedp.ByID),
		chromedp.Text("#amount", &amount, chromedp.ByID),
		chromedp.Text("#out_trade_no", &orderNo, chromedp.ByID),
		chromedp.Text("#status", &shown, chromedp.ByID),
		chromedp.Click("#pay", chromedp.ByID),
		chromedp.WaitVisible("#paid", chromedp.ByID),
		chromedp.Location(&landed),
		chromedp.Text("h1", &heading, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("driving the cashier: %v", err)
	}
	if amount != "¥9.90" || shown != "WAIT_BUYER_PAY" || !strings.HasPrefix(orderNo, "M") {
		t.Fatalf("cashier showed amount %q, status %q, order %q", amount, shown, orderNo)
	}
	if !strings.HasPrefix(landed, returnURL+"?") || !strings.Contains(landed, "out_trade_no="+orderNo) || !strings.Contains(landed, "sign=") {
		t.Fatalf("after paying the browser is at %s, not the signed return_url", landed)
	}
	if !strings.HasPrefix(heading, "支付成功，会员有效期至 ") {
		t.Fatalf("return page: %q", heading)
	}
	exampletest.WaitFor(t, "the order paid and the membership granted", func() bool {
		return status(t, emu, orderNo) == "paid" && row(t, emu, "Member", "deviceId", "browser-1") != nil
	})
}
