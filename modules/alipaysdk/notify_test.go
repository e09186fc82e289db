package alipaysdk

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/smartwalle/alipay/v3"

	"github.com/bmobemu/bmobemu/modules"
)

func TestCheckNotifySignVector(t *testing.T) {
	v := loadVectors(t)
	params := string(v.Alipay.Notify.Params)
	tests := []struct {
		name   string
		script string
		want   string
	}{
		{"decoded", `sdk.checkNotifySign(P)`, "true"},
		{"raw", `sdk.checkNotifySign(P, true)`, "true"},
		{"tampered amount", `P.total_amount = '100.00'; sdk.checkNotifySign(P)`, "false"},
		{"tampered raw", `P.total_amount = '100.00'; sdk.checkNotifySign(P, true)`, "false"},
		{"no sign", `delete P.sign; sdk.checkNotifySign(P)`, "false"},
		{"no public key", `sdk.config.alipayPublicKey = ''; sdk.checkNotifySign(P)`, "false"},
		{"bare percent throws URIError", `P.subject = '100% ok'; try { sdk.checkNotifySign(P); 'no throw' } catch (e) { e.name + ': ' + e.message }`, "URIError: URI malformed"},
		{"bare percent raw is just false", `P.subject = '100% ok'; sdk.checkNotifySign(P, true)`, "false"},
		{"RSA sign_type checks SHA-1", `P.sign_type = 'RSA'; sdk.checkNotifySign(P)`, "false"},
		{"wrong key type throws DECODER", `sdk.config.alipayPublicKey = sdk.config.privateKey; try { sdk.checkNotifySign(P) } catch (e) { e.message + ' ' + e.code }`, "error:1E08010C:DECODER routines::unsupported ERR_OSSL_UNSUPPORTED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := newVU(t, modules.Compat)
			got := vu.MustRun(t, vectorSDK(v)+`var P = `+params+`; `+tt.script).String()
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// signNotify signs params the way Alipay signs notifies: sorted, without sign and
// sign_type, with the given key.
func signNotify(t *testing.T, key *rsa.PrivateKey, params map[string]string) string {
	t.Helper()
	var o orderString
	for k, val := range params {
		o = append(o, [2]string{k, val})
	}
	sum := sha256.Sum256([]byte(signContent(o, "sign", "sign_type")))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func TestNotifiesAgreeWithSmartwalle(t *testing.T) {
	v := loadVectors(t)
	alipayKey, err := parsePrivateKey(v.Keys.AlipayPrivate)
	if err != nil {
		t.Fatal(err)
	}
	client, err := alipay.New("2021000000000001", v.Keys.AppPrivatePKCS8, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.LoadAliPayPublicKey(v.Keys.AlipayPublic); err != nil {
		t.Fatal(err)
	}
	var base map[string]string
	if err := json.Unmarshal(v.Alipay.Notify.Params, &base); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change map[string]string
		raw    bool
		want   bool
	}{
		{"vector as sent", nil, false, true},
		{"re-signed with a space and plus in subject", map[string]string{"subject": "数据恢复产品 A+B"}, false, true},
		{"re-signed with a percent, raw", map[string]string{"subject": "100% ok"}, true, true},
		{"re-signed with passback params", map[string]string{"passback_params": "a=b&c=d"}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := map[string]string{}
			for k, val := range base {
				params[k] = val
			}
			if tt.change != nil {
				for k, val := range tt.change {
					params[k] = val
				}
				params["sign"] = signNotify(t, alipayKey, params)
			}
			vu := newVU(t, modules.Compat)
			got := vu.MustRun(t, vectorSDK(v)+`sdk.checkNotifySign(`+mustJSON(t, params)+`, `+mustJSON(t, tt.raw)+`)`).ToBoolean()
			if got != tt.want {
				t.Fatalf("checkNotifySign = %v, want %v", got, tt.want)
			}
			values := url.Values{}
			for k, val := range params {
				values.Set(k, val)
			}
			if err := client.VerifySign(context.Background(), values); (err == nil) != got {
				t.Errorf("smartwalle VerifySign error %v, ours %v", err, got)
			}
		})
	}
}

func TestCheckResponseSignVector(t *testing.T) {
	v := loadVectors(t)
	r := v.Alipay.ExecResponse
	if got := GetSignStr(r.RawBody, "alipay_trade_query_response"); got != r.SignedSubstring {
		t.Fatalf("getSignStr\n got: %s\nwant: %s", got, r.SignedSubstring)
	}
	tests := []struct {
		name string
		body string
		want string
	}{
		{"as sent", r.RawBody, "true"},
		{"tampered", strings.Replace(r.RawBody, `"0.01"`, `"9.99"`, 1), "false"},
		{"leading white space", "  \n" + r.RawBody, "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := newVU(t, modules.Compat)
			got := vu.MustRun(t, vectorSDK(v)+`sdk.checkResponseSign(`+js(tt.body)+`, 'alipay_trade_query_response')`).String()
			if got != tt.want {
				t.Errorf("checkResponseSign = %s, want %s", got, tt.want)
			}
		})
	}
	vu := newVU(t, modules.Compat)
	got := vu.MustRun(t, vectorSDK(v)+`sdk.getSignStr(`+js(r.RawBody)+`, 'alipay_trade_query_response')`).String()
	if got != r.SignedSubstring {
		t.Errorf("sdk.getSignStr from JS differs: %s", got)
	}
}

func TestCheckSignByProfile(t *testing.T) {
	v := loadVectors(t)
	params := string(v.Alipay.Notify.Params)
	t.Run("bmob: absent, calling it throws TypeError", func(t *testing.T) {
		vu := newVU(t, modules.Bmob)
		got := vu.MustRun(t, vectorSDK(v)+`var r = typeof sdk.checkSign + ' ' + ('checkSign' in sdk) + ' ';
			try { sdk.checkSign(`+params+`); r += 'no throw' } catch (e) { r += e.name } r`).String()
		if got != "undefined false TypeError" {
			t.Errorf("got %q", got)
		}
		if len(vu.Notes) != 0 {
			t.Errorf("unexpected notes %v", vu.Notes)
		}
	})
	t.Run("compat: alias of checkNotifySign with a note", func(t *testing.T) {
		vu := newVU(t, modules.Compat)
		got := vu.MustRun(t, vectorSDK(v)+`var P = `+params+`; [sdk.checkSign(P), (P.total_amount = '1', sdk.checkSign(P))].join()`).String()
		if got != "true,false" {
			t.Errorf("got %q", got)
		}
		if len(vu.Notes) == 0 || !strings.Contains(vu.Notes[0], "checkSign") {
			t.Errorf("notes %v lack the checkSign fidelity note", vu.Notes)
		}
	})
}
