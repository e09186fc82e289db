package alipaysdk

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules"
)

// vectorSDK is the script prelude: the vectors' config (PKCS#8 app key).
func vectorSDK(v *vectorFile) string {
	return `var sdk = new AlipaySdk({ appId: '2021000000000001', privateKey: ` + js(v.Keys.AppPrivatePKCS8) +
		`, alipayPublicKey: ` + js(v.Keys.AlipayPublic) + `, keyType: 'PKCS8', signType: 'RSA2' });`
}

func TestSignedOutputsMatchNodeVectors(t *testing.T) {
	v := loadVectors(t)
	tests := []struct {
		name string
		call string
		vec  execVector
	}{
		{"sdkExec_tutorial_pay_js", "sdkExec", v.Alipay.SdkExecPay},
		{"sdkExec_top_level_notify_and_key_edge_cases", "sdkExec", v.Alipay.SdkExecEdge},
		{"pageExec_GET", "pageExec", v.Alipay.PageExecGET},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := newVU(t, modules.Compat)
			got := vu.MustRun(t, vectorSDK(v)+`sdk.`+tt.call+`(`+js(tt.vec.Method)+`, `+string(tt.vec.Params)+`)`).String()
			if got != tt.vec.Output {
				t.Errorf("output differs from alipay-sdk 3.6.2\n got: %s\nwant: %s", got, tt.vec.Output)
			}
		})
	}
}

func TestSignedContentVerifiesWithAppPublicKey(t *testing.T) {
	v := loadVectors(t)
	pub, err := parsePublicKey(FormatKey(v.Keys.AppPublic, typePublic))
	if err != nil {
		t.Fatal(err)
	}
	for _, vec := range []execVector{v.Alipay.SdkExecPay, v.Alipay.SdkExecEdge} {
		vu := newVU(t, modules.Compat)
		out := vu.MustRun(t, vectorSDK(v)+`sdk.sdkExec(`+js(vec.Method)+`, `+string(vec.Params)+`)`).String()
		params := decodeOrderString(t, out)
		if got := signContent(params, "sign"); got != vec.SignedContent {
			t.Errorf("sign content\n got: %s\nwant: %s", got, vec.SignedContent)
		}
		sig, _ := base64.StdEncoding.DecodeString(params.get("sign"))
		sum := sha256.Sum256([]byte(vec.SignedContent))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			t.Errorf("signature does not verify: %v", err)
		}
	}
}

func TestKeyConversionTable(t *testing.T) {
	v := loadVectors(t)
	if len(v.KeyConversion) == 0 {
		t.Fatal("no keyConversion vectors")
	}
	for _, row := range v.KeyConversion {
		t.Run(row.Key, func(t *testing.T) {
			if got := SnakeCaseKey(CamelCaseKey(row.Key)); got != row.SdkExec {
				t.Errorf("sdkExec/pageExec key: got %q, want %q (camel %q)", got, row.SdkExec, CamelCaseKey(row.Key))
			}
			if got := SnakeCaseKey(row.Key); got != row.Exec {
				t.Errorf("exec key: got %q, want %q", got, row.Exec)
			}
		})
	}
}

func TestKeyConversionThroughSdkExec(t *testing.T) {
	v := loadVectors(t)
	vu := newVU(t, modules.Compat)
	var keys []string
	for _, row := range v.KeyConversion {
		keys = append(keys, row.Key)
	}
	got := vu.MustRun(t, vectorSDK(v)+`var biz = {}; `+mustJSON(t, keys)+`.forEach(function (k) { biz[k] = 1; });
		decodeURIComponent(sdk.sdkExec('m', { bizContent: biz }).split('&biz_content=')[1].split('&')[0])`).String()
	for _, row := range v.KeyConversion {
		if !strings.Contains(got, `"`+row.SdkExec+`":1`) {
			t.Errorf("biz_content %s lacks key %q (from %q)", got, row.SdkExec, row.Key)
		}
	}
}

// orderString is a decoded sdkExec output, in order.
type orderString [][2]string

func (o orderString) get(k string) string {
	for _, kv := range o {
		if kv[0] == k {
			return kv[1]
		}
	}
	return ""
}

func decodeOrderString(t testing.TB, s string) orderString {
	t.Helper()
	var out orderString
	for _, pair := range strings.Split(s, "&") {
		k, val, _ := strings.Cut(pair, "=")
		dec, err := decodePercent(val)
		if err != nil {
			t.Fatalf("decoding %q: %v", val, err)
		}
		out = append(out, [2]string{k, dec})
	}
	return out
}

// signContent is Alipay's content to sign: sorted key=value pairs without skip.
func signContent(o orderString, skip ...string) string {
	var keys []string
	vals := map[string]string{}
outer:
	for _, kv := range o {
		for _, s := range skip {
			if kv[0] == s {
				continue outer
			}
		}
		keys = append(keys, kv[0])
		vals[kv[0]] = kv[1]
	}
	sortUTF16(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + vals[k]
	}
	return strings.Join(parts, "&")
}
