package alipayapp

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/examples/internal/exampletest"
	"github.com/bmobemu/bmobemu/modules"
)

const appID = "2021000000000042"

type keys struct {
	app, alipay        *rsa.PrivateKey
	appPriv, alipayPub string
}

func setup(t *testing.T, profile modules.Profile) (*exampletest.Emu, keys) {
	app, appPriv, _ := exampletest.RSAKey(t)
	alipay, _, alipayPub := exampletest.RSAKey(t)
	dir := exampletest.CopyFunctions(t, "functions", map[string]string{
		"__ALIPAY_APP_ID__":     appID,
		"__APP_PRIVATE_KEY__":   exampletest.Bare(appPriv),
		"__ALIPAY_PUBLIC_KEY__": exampletest.Bare(alipayPub),
	})
	return exampletest.Start(t, dir, profile, nil), keys{app: app, alipay: alipay, appPriv: appPriv, alipayPub: alipayPub}
}

// signContent is Alipay's sign string: sorted key=value pairs without sign and sign_type.
func signContent(p map[string]string) string {
	var ks []string
	for k := range p {
		if k != "sign" && k != "sign_type" {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = k + "=" + p[k]
	}
	return strings.Join(parts, "&")
}

func sign(t *testing.T, key *rsa.PrivateKey, content string) string {
	sum := sha256.Sum256([]byte(content))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// notify builds a trade_status_sync notify signed with "Alipay's" key.
func notify(t *testing.T, key *rsa.PrivateKey, outTradeNo, amount, status string) url.Values {
	now := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05")
	p := map[string]string{
		"notify_type": "trade_status_sync", "notify_id": fmt.Sprint(time.Now().UnixNano()), "notify_time": now,
		"app_id": appID, "charset": "utf-8", "version": "1.0", "sign_type": "RSA2", "trade_status": status,
		"out_trade_no": outTradeNo, "trade_no": "2026" + fmt.Sprint(time.Now().UnixNano()), "total_amount": amount,
		"gmt_payment": now, "subject": "一个月会员",
	}
	p["sign"] = sign(t, key, signContent(p))
	v := url.Values{}
	for k, val := range p {
		v.Set(k, val)
	}
	return v
}

func post(t *testing.T, emu *exampletest.Emu, v url.Values) string {
	return emu.Do(t, "POST", "alipayNotify", "application/x-www-form-urlencoded", []byte(v.Encode()), nil).Text
}

func TestAlipayAppPaymentEndToEnd(t *testing.T) {
	for _, profile := range []modules.Profile{modules.Compat, modules.Bmob} {
		t.Run(string(profile), func(t *testing.T) {
			emu, k := setup(t, profile)
			created := emu.Post(t, "createOrder", map[string]any{"productId": "P1", "subject": "一个月会员", "amount": "9.90"}).JSON(t)
			orderStr, _ := created["orderStr"].(string)
			if created["code"] != float64(200) || orderStr == "" {
				t.Fatalf("createOrder: %v", created)
			}
			// The orderStr verifies with the app's public key, as Alipay checks it.
			params := map[string]string{}
			for _, kv := range strings.Split(orderStr, "&") {
				key, val, _ := strings.Cut(kv, "=")
				params[key], _ = url.QueryUnescape(strings.ReplaceAll(val, "+", "%2B"))
			}
			sig, _ := base64.StdEncoding.DecodeString(params["sign"])
			sum := sha256.Sum256([]byte(strings.Join(withSignType(params), "&")))
			if err := rsa.VerifyPKCS1v15(&k.app.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
				t.Fatalf("orderStr signature does not verify: %v\n%s", err, orderStr)
			}
			if params["notify_url"] != "https://cloud.example.com/__SECRET__/alipayNotify" || !strings.Contains(params["biz_content"], `"total_amount":"9.90"`) {
				t.Fatalf("orderStr params: %v", params)
			}
			out := created["outTradeNo"].(string)

			forged := notify(t, k.alipay, out, "9.90", "TRADE_SUCCESS")
			forged.Set("total_amount", "0.01")
			if got := post(t, emu, forged); got != "fail" {
				t.Fatalf("forged notify answered %q", got)
			}
			if got := post(t, emu, notify(t, k.alipay, out, "0.01", "TRADE_SUCCESS")); got != "fail" {
				t.Fatalf("signed notify with the wrong amount answered %q", got)
			}
			n := notify(t, k.alipay, out, "9.90", "TRADE_SUCCESS")
			if got := post(t, emu, n); got != "success" {
				t.Fatalf("genuine notify answered %q", got)
			}
			rows := emu.Rows(t, "PayOrder")
			if len(rows) != 1 || rows[0]["status"] != "PAID" || rows[0]["tradeNo"] != n.Get("trade_no") {
				t.Fatalf("order after notify: %v", rows)
			}
			paidAt, _ := rows[0]["paidAt"].(map[string]any)
			if paidAt["__type"] != "Date" {
				t.Fatalf("paidAt: %v", rows[0]["paidAt"])
			}
			updatedAt := rows[0]["updatedAt"]
			if got := post(t, emu, n); got != "success" {
				t.Fatalf("repeated notify answered %q", got)
			}
			if again := emu.Rows(t, "PayOrder"); again[0]["updatedAt"] != updatedAt {
				t.Fatal("a repeated notify changed the order")
			}
			if got := post(t, emu, notify(t, k.alipay, "AP0", "1.00", "TRADE_SUCCESS")); got != "fail" {
				t.Fatalf("unknown order answered %q", got)
			}
			if r := emu.Post(t, "createOrder", map[string]any{"productId": "P1", "subject": "x", "amount": "abc"}); r.Status != 400 {
				t.Fatalf("bad amount: %d %s", r.Status, r.Text)
			}
		})
	}
}

// withSignType is the app-side sign string: every param but sign, sorted.
func withSignType(p map[string]string) []string {
	var ks []string
	for k := range p {
		if k != "sign" {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k + "=" + p[k]
	}
	return out
}
