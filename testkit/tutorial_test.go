package testkit

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/paysim"
)

// The tutorial's scripts stay in ../shared (never copied into the repo): the test
// reads them at run time and fills only the key placeholders its readers fill.
const tutorialScripts = "../../shared/conformance/scripts"

func tutorialFunctions(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"pay.js", "addOrder.js", "payNotify.js"} {
		src, err := os.ReadFile(filepath.Join(tutorialScripts, name))
		if err != nil {
			t.Skipf("the tutorial scripts are not here (%v)", err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tutorialReplace fills the tutorial's key placeholders with the sandbox keys,
// as a reader pastes the output of `bmobemu sandbox keys`.
func tutorialReplace(t *testing.T) map[string]string {
	t.Helper()
	k, err := SandboxKeys()
	if err != nil {
		t.Fatal(err)
	}
	a := &k.Alipay
	return map[string]string{
		"appId: '2021xxx'":    "appId: '" + a.AppID + "'",
		"privateKey: ``":      "privateKey: '" + a.AppPrivateOneLine() + "'",
		"privateKey: ''":      "privateKey: '" + a.AppPrivateOneLine() + "'",
		"alipayPublicKey: ``": "alipayPublicKey: '" + a.AlipayPublicOneLine() + "'",
		"alipayPublicKey: ''": "alipayPublicKey: '" + a.AlipayPublicOneLine() + "'",
	}
}

// TestTutorialPayFlowIsReproducible runs the tutorial's pay → addOrder →
// (the Alipay simulator) → payNotify with a frozen clock and a seed: two runs
// give the same order number and byte-identical orderStr, the simulator took
// the signed app order, and the notify it signed and delivered marks the order
// paid.
func TestTutorialPayFlowIsReproducible(t *testing.T) {
	opts := Options{Functions: []string{tutorialFunctions(t)}, Seed: 42, Replace: tutorialReplace(t)}
	pay := func(k *T) (string, string) {
		r := k.JSON(k.Post("pay", map[string]any{"productId": "PROD_123456", "userId": "USER_789", "orderName": "数据恢复产品 A", "total_amount": 198.01}))
		data, _ := r["data"].(map[string]any)
		if r["code"] != 200.0 || data == nil {
			t.Fatalf("pay answered %v", r)
		}
		return data["outTradeNo"].(string), data["orderStr"].(string)
	}
	first := New(t, opts)
	no1, str1 := pay(first)
	second := New(t, opts)
	no2, str2 := pay(second)
	if no1 != no2 || str1 != str2 {
		t.Fatalf("two runs differ:\n%s %s\n%s %s", no1, str1, no2, str2)
	}
	if !strings.HasPrefix(no1, "ORDER_1767232800000_") || !strings.Contains(str1, "timestamp=2026-01-01%2010%3A00%3A00") {
		t.Fatalf("the frozen clock is not in the order: %s %s", no1, str1)
	}
	trades := first.Payments.Trades()
	if len(trades) != 1 || trades[0].OutTradeNo != no1 || trades[0].Status != "WAIT_BUYER_PAY" || trades[0].TotalFen != 19801 {
		t.Fatalf("the simulator's trades after pay: %+v", trades)
	}

	// The buyer pays a minute later in the simulator, which signs the
	// trade_status_sync notify and posts it to notify_url's payNotify.
	if err := first.Advance(context.Background(), time.Minute); err != nil {
		t.Fatal(err)
	}
	res := first.Pay(paysim.TriggerRequest{OutTradeNo: no1})
	if len(res.Notifies) != 1 {
		t.Fatalf("notifies after pay: %+v", res.Notifies)
	}
	n := res.Notifies[0]
	if n.State != paysim.StateAcknowledged || len(n.Attempts) != 1 || n.Attempts[0].Body != "success" ||
		!strings.HasSuffix(n.URL, "/payNotify") {
		t.Fatalf("the notify: %+v\n%s", n, strings.Join(first.Logs(), "\n"))
	}
	form, err := url.ParseQuery(n.Body)
	if err != nil || form.Get("out_trade_no") != no1 || form.Get("total_amount") != "198.01" || form.Get("sign") == "" {
		t.Fatalf("the notify's form: %v %v", form, err)
	}
	rows := first.Find("Order", map[string]any{"orderNum": no1})
	if len(rows) != 1 || rows[0]["status"] != 1.0 || rows[0]["updatedAt"] != "2026-01-01 10:01:00" {
		t.Fatalf("order after the notify: %v", rows)
	}
	if pt, _ := rows[0]["payTime"].(map[string]any); pt["iso"] != "2026-01-01 02:01:00" {
		// payNotify writes toISOString() (UTC) as the Date's text: the frozen clock shows through.
		t.Fatalf("payTime: %v", rows[0]["payTime"])
	}
	if len(second.Rows("Order")) != 1 || len(second.Payments.Notifies()) != 0 {
		t.Fatal("the second run's store and sandbox are not its own")
	}
}
