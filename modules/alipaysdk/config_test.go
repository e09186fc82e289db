package alipaysdk

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/smartwalle/alipay/v3"
	"github.com/smartwalle/nsign"

	"github.com/bmobemu/bmobemu/modules"
)

func TestModuleShape(t *testing.T) {
	vu := newVU(t, modules.Compat)
	got := vu.MustRun(t, `[AlipaySdk.default === AlipaySdk, AlipaySdk.__esModule, AlipaySdk.name,
		Object.keys(new AlipaySdk({ appId: '1', privateKey: 'k' })).join('+'),
		new AlipaySdk({ appId: '1', privateKey: 'k' }).sdkVersion,
		Object.keys(AlipaySdk.prototype).length].join()`).String()
	if want := "true,true,AlipaySdk,config+sdkVersion,alipay-sdk-nodejs-3.6.2,0"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestConstructorConfig(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{"appId required", `try { new AlipaySdk({ privateKey: 'k' }) } catch (e) { e.message }`, "config.appId is required"},
		{"privateKey required", `try { new AlipaySdk({ appId: '1' }) } catch (e) { e.message }`, "config.privateKey is required"},
		{"defaults under camel-cased user config", `var c = new AlipaySdk({ appId: '1', privateKey: 'k', sign_type: 'RSA', timeout: 30000 }).config;
			[Object.keys(c).join(), c.gateway, c.timeout, c.signType, c.camelcase].join(' ')`,
			"urllib,gateway,timeout,camelcase,signType,charset,version,appId,privateKey https://openapi.alipay.com/gateway.do 30000 RSA true"},
		{"keys formatted in the caller's object too", `var o = { appId: '1', privateKey: 'AB\r\nCD', keyType: 'PKCS8', alipayPublicKey: 'EF' };
			new AlipaySdk(o); o.privateKey + '|' + o.alipayPublicKey`,
			"-----BEGIN PRIVATE KEY-----\nABCD\n-----END PRIVATE KEY-----|-----BEGIN PUBLIC KEY-----\nEF\n-----END PUBLIC KEY-----"},
		{"formatKey method", `new AlipaySdk({ appId: '1', privateKey: 'k' }).formatKey('x\n-----END RSA PRIVATE KEY-----\n', 'RSA PRIVATE KEY')`,
			"-----BEGIN RSA PRIVATE KEY-----\nx-----END RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := newVU(t, modules.Bmob)
			if got := vu.MustRun(t, tt.script).String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func bareBody(pemText string) string {
	var lines []string
	for _, l := range strings.Split(pemText, "\n") {
		if l != "" && !strings.HasPrefix(l, "-----") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "")
}

// TestKeyForms checks which private key spellings sign, as Node 20 decides.
func TestKeyForms(t *testing.T) {
	kp := newKeyPair(t)
	const decoder = "Error: error:1E08010C:DECODER routines::unsupported ERR_OSSL_UNSUPPORTED"
	tests := []struct {
		name, key, keyType string
		signs              bool
	}{
		{"PKCS#8 PEM with trailing newline (template literal)", kp.pkcs8PEM, "PKCS8", true},
		{"PKCS#8 PEM without trailing newline", strings.TrimSuffix(kp.pkcs8PEM, "\n"), "PKCS8", true},
		{"PKCS#8 bare body", bareBody(kp.pkcs8PEM), "PKCS8", true},
		{"PKCS#8 with CRLF", strings.ReplaceAll(kp.pkcs8PEM, "\n", "\r\n"), "PKCS8", true},
		{"PKCS#1 PEM, default keyType", kp.pkcs1PEM, "", true},
		{"PKCS#1 bare body, keyType PKCS1", bareBody(kp.pkcs1PEM), "PKCS1", true},
		{"PKCS#8 key without keyType", kp.pkcs8PEM, "", false},
		{"PKCS#1 key with keyType PKCS8", kp.pkcs1PEM, "PKCS8", false},
		{"leading blank line keeps the header in the body", "\n" + kp.pkcs8PEM, "PKCS8", false},
		{"garbage", "not a key", "PKCS8", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := newVU(t, modules.Compat)
			got := vu.MustRun(t, `var sdk = new AlipaySdk({ appId: '1', privateKey: `+js(tt.key)+`, keyType: `+js(tt.keyType)+` });
				try { sdk.sdkExec('m', {}).indexOf('&sign=') > 0 } catch (e) { e.name + ': ' + e.message + ' ' + e.code }`).String()
			want := decoder
			if tt.signs {
				want = "true"
			}
			if got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func TestSignErrors(t *testing.T) {
	kp := newKeyPair(t)
	tests := []struct {
		name, call, want string
	}{
		{"null param", `sdk.sdkExec('m', { notify_url: null })`, "TypeError: Cannot convert undefined or null to object"},
		{"undefined param", `sdk.sdkExec('m', { notify_url: undefined })`, "TypeError: Cannot convert undefined or null to object"},
		{"string bizContent", `sdk.sdkExec('m', { bizContent: '{"a":1}' })`, "TypeError: Invalid value used as weak map key"},
		{"unknown signType", `sdk.config.signType = 'RSA3'; sdk.sdkExec('m', {})`, `TypeError: The "algorithm" argument must be of type string. Received undefined`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := newVU(t, modules.Compat)
			got := vu.MustRun(t, `var sdk = new AlipaySdk({ appId: '1', privateKey: `+js(kp.pkcs1PEM)+` });
				try { `+tt.call+`; 'no throw' } catch (e) { e.name + ': ' + e.message }`).String()
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSdkExecValuesAndSmartwalleSignature(t *testing.T) {
	v := loadVectors(t)
	vu := newVU(t, modules.Compat)
	out := vu.MustRun(t, vectorSDK(v)+`sdk.sdkExec('alipay.trade.app.pay', { notifyUrl: '', count: 5, flag: true,
		bizContent: { d: new Date(0), u: undefined, n: null, 'x y': 1 } })`).String()
	params := decodeOrderString(t, out)
	wantOrder := "method,app_id,charset,version,sign_type,timestamp,notify_url,count,flag,biz_content,sign"
	var order []string
	for _, kv := range params {
		order = append(order, kv[0])
	}
	if got := strings.Join(order, ","); got != wantOrder {
		t.Errorf("order %s, want %s", got, wantOrder)
	}
	if got := params.get("biz_content"); got != `{"d":"1970-01-01T00:00:00.000Z","n":null,"x_y":1}` {
		t.Errorf("biz_content %s", got)
	}
	if params.get("notify_url") != "" || params.get("count") != "5" || params.get("flag") != "true" {
		t.Errorf("values %v", params)
	}
	// smartwalle signs the same values with the same key: PKCS#1 v1.5 is
	// deterministic, so its signature must equal ours byte for byte.
	client, err := alipay.New("2021000000000001", v.Keys.AppPrivatePKCS8, false)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string][]string{}
	for _, kv := range params {
		values[kv[0]] = []string{kv[1]}
	}
	theirs, err := client.SignValues(values, nsign.WithIgnore("sign"))
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.StdEncoding.EncodeToString(theirs); got != params.get("sign") {
		t.Errorf("smartwalle signature differs:\n ours %s\ntheirs %s", params.get("sign"), got)
	}
}

func TestPageExecPostForm(t *testing.T) {
	v := loadVectors(t)
	vu := newVU(t, modules.Compat)
	got := vu.MustRun(t, vectorSDK(v)+`sdk.pageExec('alipay.trade.page.pay', { bizContent: '{"out_trade_no":"T1","subject":"say \\"hi\\""}', returnUrl: 'https://r/x' })`).String()
	name := "alipaySDKSubmit1709600523000"
	for _, part := range []string{
		"\n      <form action=\"https://openapi.alipay.com/gateway.do?method=alipay.trade.page.pay&app_id=2021000000000001&charset=utf-8&version=1.0&sign_type=RSA2&timestamp=2024-03-05%2009%3A02%3A03&return_url=https%3A%2F%2Fr%2Fx&sign=",
		`" method="post" name="` + name + `" id="` + name + "\">\n        ",
		`<input type="hidden" name="alipay_sdk" value="alipay-sdk-nodejs-3.6.2" /><input type="hidden" name="biz_content" value="{&quot;out_trade_no&quot;:&quot;T1&quot;,&quot;subject&quot;:&quot;say \&quot;hi\&quot;&quot;}" />`,
		"\n      </form>\n      <script>document.forms[\"" + name + "\"].submit();</script>\n    ",
	} {
		if !strings.Contains(got, part) {
			t.Errorf("form lacks %q\nform: %s", part, got)
		}
	}
}
