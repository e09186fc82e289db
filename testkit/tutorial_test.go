package testkit

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
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

func rsaPEM(t *testing.T) (*rsa.PrivateKey, string, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := x509.MarshalPKCS8PrivateKey(key)
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
}

func bareKey(p string) string {
	var b strings.Builder
	for _, l := range strings.Split(p, "\n") {
		if !strings.HasPrefix(l, "-----") {
			b.WriteString(strings.TrimSpace(l))
		}
	}
	return b.String()
}

// TestTutorialPayFlowIsReproducible runs the tutorial's pay → addOrder →
// payNotify with a frozen clock and a seed: two runs give the same order number
// and byte-identical orderStr, and the signed notify marks the order paid.
func TestTutorialPayFlowIsReproducible(t *testing.T) {
	dir := tutorialFunctions(t)
	_, appPriv, _ := rsaPEM(t)
	alipay, _, alipayPub := rsaPEM(t)
	const appID = "2021000000000001"
	opts := Options{
		Functions: []string{dir}, Seed: 42,
		Replace: map[string]string{
			"appId: '2021xxx'":    "appId: '" + appID + "'",
			"privateKey: ``":      "privateKey: `" + appPriv + "`",
			"alipayPublicKey: ``": "alipayPublicKey: `" + alipayPub + "`",
			"privateKey: ''":      "privateKey: '" + bareKey(appPriv) + "'",
			"alipayPublicKey: ''": "alipayPublicKey: '" + bareKey(alipayPub) + "'",
		},
	}
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

	// The buyer pays a minute later; the notify is signed as Alipay signs it (the
	// payment sandbox will send this notify itself once it is merged).
	first.Clock.Advance(time.Minute)
	now := first.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	p := map[string]string{"notify_type": "trade_status_sync", "notify_id": "n1", "notify_time": now, "app_id": appID,
		"charset": "utf-8", "version": "1.0", "sign_type": "RSA2", "trade_status": "TRADE_SUCCESS", "out_trade_no": no1,
		"trade_no": "2026010122001400000000000001", "total_amount": "198.01", "gmt_payment": now}
	var keys []string
	for k := range p {
		if k != "sign_type" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var content []string
	for _, k := range keys {
		content = append(content, k+"="+p[k])
	}
	sum := sha256.Sum256([]byte(strings.Join(content, "&")))
	sig, err := rsa.SignPKCS1v15(nil, alipay, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"sign": {base64.StdEncoding.EncodeToString(sig)}}
	for k, v := range p {
		form.Set(k, v)
	}
	if r := first.PostForm("payNotify", form); r.Text() != "success" {
		t.Fatalf("payNotify answered %q\n%s", r.Text(), strings.Join(r.Log, "\n"))
	}
	rows := first.Find("Order", map[string]any{"orderNum": no1})
	if len(rows) != 1 || rows[0]["status"] != 1.0 || rows[0]["updatedAt"] != "2026-01-01 10:01:00" {
		t.Fatalf("order after the notify: %v", rows)
	}
	if pt, _ := rows[0]["payTime"].(map[string]any); pt["iso"] != "2026-01-01 02:01:00" {
		// payNotify writes toISOString() (UTC) as the Date's text: the frozen clock shows through.
		t.Fatalf("payTime: %v", rows[0]["payTime"])
	}
	if len(second.Rows("Order")) != 1 {
		t.Fatal("the second run's store is not its own")
	}
}
