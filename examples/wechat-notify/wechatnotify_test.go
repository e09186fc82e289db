package wechatnotify

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/examples/internal/exampletest"
	"github.com/bmobemu/bmobemu/modules"
)

const (
	apiV3Key = "0123456789abcdefghijklmnopqrstuv" // 32 bytes, as WeChat's APIv3 keys are
	mchid    = "1900000109"
)

// genuineNotify builds what WeChat Pay sends: the transaction encrypted with
// AEAD_AES_256_GCM under the APIv3 key, the body signed with the platform key.
func genuineNotify(t *testing.T, platform *rsa.PrivateKey, tx map[string]any) ([]byte, http.Header) {
	t.Helper()
	plain, _ := json.Marshal(tx)
	block, _ := aes.NewCipher([]byte(apiV3Key))
	gcm, _ := cipher.NewGCM(block)
	nonce := "a1b2c3d4e5f6"
	ct := gcm.Seal(nil, []byte(nonce), plain, []byte("transaction"))
	body, _ := json.Marshal(map[string]any{
		"id": "EV-2026112200001", "create_time": "2026-11-22T10:00:00+08:00", "resource_type": "encrypt-resource",
		"event_type": "TRANSACTION.SUCCESS", "summary": "支付成功",
		"resource": map[string]any{"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
			"ciphertext": base64.StdEncoding.EncodeToString(ct), "associated_data": "transaction", "nonce": nonce},
	})
	ts := fmt.Sprint(time.Now().Unix())
	sum := sha256.Sum256([]byte(ts + "\n" + "nonce42" + "\n" + string(body) + "\n"))
	sig, err := rsa.SignPKCS1v15(nil, platform, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", "nonce42")
	h.Set("Wechatpay-Signature", base64.StdEncoding.EncodeToString(sig))
	h.Set("Wechatpay-Serial", "PUB_KEY_ID_TEST")
	return body, h
}

func TestGenuineWechatNotifyMarksOrderPaid(t *testing.T) {
	for _, profile := range []modules.Profile{modules.Compat, modules.Bmob} {
		t.Run(string(profile), func(t *testing.T) {
			platform, _, platformPub := exampletest.RSAKey(t)
			dir := exampletest.CopyFunctions(t, "functions", map[string]string{
				"__APIV3_KEY__": apiV3Key, "__MCHID__": mchid,
				"__PLATFORM_PUBLIC_KEY__": jsString(platformPub),
			})
			emu := exampletest.Start(t, dir, profile, nil)
			if _, err := emu.Store.Create(context.Background(), "WxOrder", map[string]any{"outTradeNo": "wx_1", "total": 100.0, "status": "NOTPAY"}); err != nil {
				t.Fatal(err)
			}
			tx := map[string]any{"mchid": mchid, "appid": "wx0000", "out_trade_no": "wx_1", "transaction_id": "4200000001",
				"trade_type": "APP", "trade_state": "SUCCESS", "success_time": "2026-11-22T10:00:05+08:00",
				"amount": map[string]any{"total": 100, "payer_total": 100, "currency": "CNY", "payer_currency": "CNY"}}

			body, h := genuineNotify(t, platform, tx)
			tampered := h.Clone()
			tampered.Set("Wechatpay-Signature", base64.StdEncoding.EncodeToString(make([]byte, 256)))
			if r := emu.Do(t, "POST", "wechatNotify", "application/json", body, tampered); r.Status != 401 {
				t.Fatalf("bad signature: %d %s", r.Status, r.Text)
			}
			if r := emu.Do(t, "POST", "wechatNotify", "application/json", body, h); r.Status != 200 || r.Text != `{"code":"SUCCESS"}` {
				t.Fatalf("genuine notify: %d %s", r.Status, r.Text)
			}
			row := emu.Rows(t, "WxOrder")[0]
			if row["status"] != "PAID" || row["transactionId"] != "4200000001" {
				t.Fatalf("order: %v", row)
			}
			// The same notify again changes nothing and is still acknowledged.
			if r := emu.Do(t, "POST", "wechatNotify", "application/json", body, h); r.Status != 200 || emu.Rows(t, "WxOrder")[0]["updatedAt"] != row["updatedAt"] {
				t.Fatalf("repeat: %d %s", r.Status, r.Text)
			}
			if _, err := emu.Store.Create(context.Background(), "WxOrder", map[string]any{"outTradeNo": "wx_2", "total": 100.0, "status": "NOTPAY"}); err != nil {
				t.Fatal(err)
			}
			tx["amount"] = map[string]any{"total": 1}
			tx["out_trade_no"] = "wx_2"
			cheap, ch := genuineNotify(t, platform, tx)
			if r := emu.Do(t, "POST", "wechatNotify", "application/json", cheap, ch); r.Status != 400 || r.Text != `{"code":"FAIL","message":"amount mismatch"}` {
				t.Fatalf("amount mismatch: %d %s", r.Status, r.Text)
			}
			for _, r := range emu.Rows(t, "WxOrder") {
				if r["outTradeNo"] == "wx_2" && r["status"] != "NOTPAY" {
					t.Fatalf("underpaid order changed: %v", r)
				}
			}
		})
	}
}

// jsString escapes a PEM for a single-quoted JavaScript string.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
