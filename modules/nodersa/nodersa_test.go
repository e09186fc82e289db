package nodersa_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules/modulestest"
	"github.com/bmobemu/bmobemu/modules/nodecrypto"
	"github.com/bmobemu/bmobemu/modules/nodersa"
)

var vectorsPath = filepath.Join("..", "..", "..", "shared", "research", "node-compat-vectors.json")

// newVU loads NodeRSA and crypto as globals and the golden vectors (outputs of the real
// node-rsa 1.1.1 and Node 20) as V.
func newVU(t testing.TB) *modulestest.VU {
	t.Helper()
	vu := modulestest.New(t, nil)
	vu.Load(t, "NodeRSA", nodersa.New)
	vu.Load(t, "crypto", nodecrypto.New)
	raw, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatalf("reading golden vectors: %v", err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("parsing golden vectors: %v", err)
	}
	vu.Set("V", v)
	return vu
}

// TestWechatPaymentSigning signs the request exactly as wechatPayment.js does and
// compares with node-rsa's signature and Authorization header.
func TestWechatPaymentSigning(t *testing.T) {
	vu := newVU(t)
	got := vu.MustRun(t, `
		var m = V.nodersa.message.split('\n');
		var body = JSON.parse(m[4]);
		var timestamp = Number(m[2]);
		var nonce_str = m[3];
		var request_body = JSON.stringify(body);
		var signatureStr = ["POST", m[1], timestamp.toString(), nonce_str, request_body].join("\n") + "\n";
		const key = new NodeRSA();
		key.setOptions({ b: 2048, signingScheme: "sha256" });
		key.importKey(V.keys.app_private_pkcs8, "pkcs8-private");
		const sign_result = key.sign(signatureStr).toString('base64');
		const authorization = 'WECHATPAY2-SHA256-RSA2048 mchid="' + body.mchid + '",nonce_str="' + nonce_str + '",timestamp="' + timestamp + '",serial_no="5157F09EFDC096DE15EBE81A47057A7232F1B8E1",signature="' + sign_result + '"';
		JSON.stringify([signatureStr === V.nodersa.message, sign_result, authorization]);
	`).String()
	var res []any
	if err := json.Unmarshal([]byte(got), &res); err != nil {
		t.Fatal(err)
	}
	if res[0] != true {
		t.Errorf("rebuilt message differs from the vector")
	}
	if res[1] != vectorSig(t) {
		t.Errorf("signature\n got %v\nwant %s", res[1], vectorSig(t))
	}
	if !strings.Contains(got, "signature=") || res[2] != vectorString(t, "nodersa", "authorization") {
		t.Errorf("authorization\n got %v\nwant %s", res[2], vectorString(t, "nodersa", "authorization"))
	}
}

func vectorString(t *testing.T, section, name string) string {
	t.Helper()
	raw, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var sec map[string]any
	if err := json.Unmarshal(v[section], &sec); err != nil {
		t.Fatal(err)
	}
	s, _ := sec[name].(string)
	return s
}

func vectorSig(t *testing.T) string { return vectorString(t, "nodersa", "signature_pkcs1_sha256") }

// Each script must evaluate to true; expected values come from the vectors or from Go.
func TestScripts(t *testing.T) {
	cases := []struct{ name, src string }{
		{"sign with encoding equals toString", `
			var k = new NodeRSA(V.keys.app_private_pkcs8, 'pkcs8-private', {signingScheme: 'pkcs1-sha256'});
			k.sign(V.nodersa.message, 'base64') === V.nodersa.signature_pkcs1_sha256 && Buffer.isBuffer(k.sign(V.nodersa.message))`},
		{"equals node crypto", `
			var k = NodeRSA(V.keys.app_private_pkcs8, 'pkcs8');
			(k.sign(V.nodersa.message, 'base64') === crypto.createSign('RSA-SHA256').update(V.nodersa.message).sign(V.keys.app_private_pkcs8, 'base64')) === V.nodersa.equalsNodeCrypto`},
		{"verify utf8 base64", `
			var p = new NodeRSA(); p.importKey(V.keys.app_public, 'pkcs8-public');
			p.verify(V.nodersa.message, V.nodersa.signature_pkcs1_sha256, 'utf8', 'base64') === V.nodersa.verify_utf8_base64`},
		{"verify wechat notify as pay_notify.js does", `
			var h = V.wechat.notify.headers;
			var signatureStr = [h['Wechatpay-Timestamp'], h['Wechatpay-Nonce'], JSON.stringify(JSON.parse(V.wechat.notify.body))].join("\n") + "\n";
			const pubKey = new NodeRSA();
			pubKey.importKey(V.keys.alipay_or_platform_public, "pkcs8-public");
			pubKey.verify(signatureStr, h['Wechatpay-Signature'], 'utf8', 'base64') && !pubKey.verify(signatureStr + ' ', h['Wechatpay-Signature'], 'utf8', 'base64')`},
		{"bare base64 bodies import", `
			var body = function (pem) { return pem.split('\n').filter(function (l) { return l.indexOf('-----') < 0; }).join(''); };
			var k = new NodeRSA(body(V.keys.app_private_pkcs8), 'pkcs8');
			var p = new NodeRSA(body(V.keys.app_public), 'pkcs8-public-pem');
			k.sign(V.nodersa.message, 'base64') === V.nodersa.signature_pkcs1_sha256 && p.verify(V.nodersa.message, k.sign(V.nodersa.message))`},
		{"auto-detected formats and export round trip", `
			var k = new NodeRSA(V.keys.app_private_pkcs8);
			var pkcs1 = k.exportKey();
			var again = new NodeRSA(pkcs1);
			var pub = new NodeRSA(k.exportKey('public'));
			pkcs1.indexOf('-----BEGIN RSA PRIVATE KEY-----\n') === 0 && pkcs1.slice(-1) === '-' &&
			pkcs1.split('\n').every(function (l) { return l.length <= 64; }) &&
			k.exportKey('pkcs8') === V.keys.app_private_pkcs8.trim() &&
			k.exportKey('public') === V.keys.app_public.trim() &&
			again.sign('x', 'hex') === k.sign('x', 'hex') && pub.isPublic(true) && !pub.isPrivate() &&
			new NodeRSA(k.exportKey('pkcs1-public')).verify('x', k.sign('x'))`},
		{"key info", `
			var k = new NodeRSA(V.keys.app_private_pkcs8, 'pkcs8');
			var e = new NodeRSA();
			k.getKeySize() === 2048 && k.getMaxMessageSize() === 256 - 42 && k.isPrivate() && k.isPublic() && !k.isPublic(true) &&
			e.isEmpty() && !k.isEmpty()`},
		{"encrypt decrypt oaep with chunking", `
			var k = new NodeRSA(V.keys.app_private_pkcs8, 'pkcs8');
			var long = new Array(500).join('长');
			var ct = k.encrypt(long, 'base64');
			Buffer.from(ct, 'base64').length === 256 * Math.ceil(Buffer.byteLength(long) / 214) && k.decrypt(ct, 'utf8') === long`},
		{"encrypt decrypt pkcs1 and json", `
			var k = new NodeRSA(V.keys.app_private_pkcs8, 'pkcs8', {encryptionScheme: 'pkcs1'});
			k.getMaxMessageSize() === 245 && k.decrypt(k.encrypt({a: [1, 2]}), 'json').a[1] === 2`},
		{"pss sign verify", `
			var k = new NodeRSA(V.keys.app_private_pkcs8, 'pkcs8', {signingScheme: 'pss-sha256'});
			var sig = k.sign('hello');
			k.verify('hello', sig) && !new NodeRSA(V.keys.app_private_pkcs8, 'pkcs8').verify('hello', sig) &&
			crypto.createVerify('sha256').update('hello').verify({key: V.keys.app_public, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 20}, sig)`},
		{"signingScheme object form", `
			var k = new NodeRSA(V.keys.app_private_pkcs8, 'pkcs8');
			k.setOptions({signingScheme: {scheme: 'pkcs1', hash: 'sha1'}});
			k.sign('x', 'base64') === crypto.createSign('RSA-SHA1').update('x').sign(V.keys.app_private_pkcs8, 'base64')`},
		{"scheme-only pkcs1 falls back to sha256", `
			var k = new NodeRSA(V.keys.app_private_pkcs8, 'pkcs8', {signingScheme: 'pkcs1'});
			k.sign(V.nodersa.message, 'base64') === V.nodersa.signature_pkcs1_sha256`},
		{"garbage signature is false", `
			var p = new NodeRSA(V.keys.app_public, 'pkcs8-public');
			p.verify('x', 'not a signature', 'utf8', 'base64') === false && p.verify('x', Buffer.alloc(3)) === false`},
		{"sign data forms", `
			var k = new NodeRSA(V.keys.app_private_pkcs8, 'pkcs8');
			k.sign(12, 'hex') === k.sign('12', 'hex') && k.sign({a: 1}, 'hex') === k.sign('{"a":1}', 'hex') &&
			k.sign('6869', 'hex', 'hex') === k.sign('hi', 'hex') && k.sign(Buffer.from('hi'), 'hex') === k.sign('hi', 'hex')`},
		{"generate key", `
			var g = new NodeRSA({b: 1024});
			var h = new NodeRSA().generateKeyPair(1024);
			g.getKeySize() === 1024 && g.verify('x', g.sign('x')) && h.isPrivate()`},
	}
	vu := newVU(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := vu.MustRun(t, tc.src).String(); got != "true" {
				t.Fatalf("got %s for\n%s", got, tc.src)
			}
		})
	}
}

// node-rsa's error texts.
func TestErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"empty key", `new NodeRSA().importKey('', 'pkcs8')`, "Empty key given"},
		{"bare body without format", `new NodeRSA('MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA')`, "Key format must be specified"},
		{"unknown format", `new NodeRSA(V.keys.app_public, 'x509-public')`, "Unsupported key format"},
		{"sign with public key", `new NodeRSA(V.keys.app_public).sign('x')`, "This is not private key"},
		{"bad signing scheme", `new NodeRSA().setOptions({signingScheme: 'foo-sha256'})`, "Unsupported signing scheme"},
		{"bad hash", `new NodeRSA().setOptions({signingScheme: 'pkcs1-sha3'})`, "Unsupported hashing algorithm for node environment"},
		{"bad encryption scheme", `new NodeRSA().setOptions({encryptionScheme: 'rsa'})`, "Unsupported encryption scheme"},
		{"decrypt with wrong key", `
			var a = new NodeRSA(V.keys.app_private_pkcs8, 'pkcs8');
			var b = new NodeRSA(V.keys.alipay_or_platform_private_pkcs8, 'pkcs8');
			b.decrypt(a.encrypt('x'))`, "Error during decryption (probably incorrect key). Original error: Error: crypto/rsa: decryption error"},
		{"pkcs8 key named pkcs1", `new NodeRSA(V.keys.app_private_pkcs8, 'private')`, "reading pkcs1 private key"},
	}
	vu := newVU(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := "(function () { try { " + tc.src + "; return 'no error'; } catch (e) { return e.message; } })()"
			if got := vu.MustRun(t, src).String(); !strings.HasPrefix(got, tc.want) {
				t.Fatalf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestInteropWithGo checks a script's signature and ciphertext with Go's crypto/rsa on
// a key generated here.
func TestInteropWithGo(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der := x509.MarshalPKCS1PrivateKey(key)
	vu := newVU(t)
	vu.Set("KEY", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})))
	out := vu.MustRun(t, `var k = new NodeRSA(KEY); JSON.stringify([k.sign('msg', 'base64'), k.encrypt('secret', 'base64')])`).String()
	var res [2]string
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(res[0])
	sum := sha256.Sum256([]byte("msg"))
	if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("Go rejects the script's signature: %v", err)
	}
	ct, _ := base64.StdEncoding.DecodeString(res[1])
	pt, err := rsa.DecryptOAEP(crypto.SHA1.New(), nil, key, ct, nil)
	if err != nil || string(pt) != "secret" {
		t.Errorf("Go OAEP-SHA1 decrypt: %q, %v", pt, err)
	}
}
