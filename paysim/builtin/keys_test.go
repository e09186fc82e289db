package builtin

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

func TestKeysAreMadeOnceAndReloadedIdentically(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "app.db.sandbox.json")
	k1, err := LoadOrCreateKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("keys file mode %v, want 0600", info.Mode().Perm())
	}
	before, _ := os.ReadFile(path)
	k2, err := LoadOrCreateKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("loading rewrote the keys file")
	}
	if !k1.Alipay.AppKey.Equal(k2.Alipay.AppKey) || !k1.Alipay.AlipayKey.Equal(k2.Alipay.AlipayKey) ||
		!k1.Wechat.MerchantKey.Equal(k2.Wechat.MerchantKey) || !k1.Wechat.PlatformKey.Equal(k2.Wechat.PlatformKey) {
		t.Fatal("reloaded keys differ")
	}
	var c1, c2 bytes.Buffer
	if err := k1.WriteConfig(&c1); err != nil {
		t.Fatal(err)
	}
	if err := k2.WriteConfig(&c2); err != nil {
		t.Fatal(err)
	}
	if c1.String() != c2.String() {
		t.Fatal("the printed config changed between loads")
	}
	if paysim.KeysFile("/x/app.db") != "/x/app.db.sandbox.json" {
		t.Fatal(paysim.KeysFile("/x/app.db"))
	}
}

func TestKeysLookLikeTheRealOnes(t *testing.T) {
	k, err := LoadOrCreateKeys(filepath.Join(t.TempDir(), "k.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, value, pattern string }{
		{"alipay appId", k.Alipay.AppID, `^\d{16}$`},
		{"alipay sellerId", k.Alipay.SellerID, `^2088\d{12}$`},
		{"wechat mchid", k.Wechat.MchID, `^\d{10}$`},
		{"wechat appid", k.Wechat.AppID, `^wx[0-9a-f]{16}$`},
		{"merchant serial", k.Wechat.MerchantSerial, `^[0-9A-F]{40}$`},
		{"platform serial", k.Wechat.PlatformSerial, `^[1-9A-F][0-9A-F]{39}$`},
		{"APIv3 key", k.Wechat.APIv3Key, `^[A-Za-z0-9]{32}$`},
	} {
		if !regexp.MustCompile(tc.pattern).MatchString(tc.value) {
			t.Errorf("%s = %q, want %s", tc.name, tc.value, tc.pattern)
		}
	}
	for name, key := range map[string]*rsa.PrivateKey{"app": k.Alipay.AppKey, "alipay": k.Alipay.AlipayKey,
		"merchant": k.Wechat.MerchantKey, "platform": k.Wechat.PlatformKey} {
		if key.N.BitLen() != 2048 {
			t.Errorf("%s key has %d bits", name, key.N.BitLen())
		}
	}
	// The platform certificate is self-signed, carries the platform key, and its
	// serial is the platform serial.
	block, _ := pem.Decode([]byte(k.Wechat.PlatformCertPEM))
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := new(big.Int).SetString(k.Wechat.PlatformSerial, 16)
	if cert.SerialNumber.Cmp(want) != 0 || strings.ToUpper(cert.SerialNumber.Text(16)) != k.Wechat.PlatformSerial {
		t.Fatalf("certificate serial %X, want %s", cert.SerialNumber, k.Wechat.PlatformSerial)
	}
	if !k.Wechat.PlatformKey.PublicKey.Equal(cert.PublicKey) {
		t.Fatal("the certificate is not the platform key's")
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Fatalf("not self-signed: %v", err)
	}
}

func TestPrintedConfigHasWorkingKeys(t *testing.T) {
	k, err := LoadOrCreateKeys(filepath.Join(t.TempDir(), "k.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := k.WriteConfig(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"new AlipaySdk({", "appId: '" + k.Alipay.AppID + "'", "keyType: 'PKCS8'", "signType: 'RSA2'",
		"privateKey: '" + k.Alipay.AppPrivateOneLine() + "'", "alipayPublicKey: '" + k.Alipay.AlipayPublicOneLine() + "'",
		"sellerId:  " + k.Alipay.SellerID, "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----",
		`mchid: "` + k.Wechat.MchID + `"`, `appid: "` + k.Wechat.AppID + `"`, `serialNo: "` + k.Wechat.MerchantSerial + `"`,
		`apiV3Key: "` + k.Wechat.APIv3Key + `"`, k.Wechat.PlatformSerial, "-----BEGIN CERTIFICATE-----",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("config lacks %q", want)
		}
	}
	// The one-line app key is the PKCS#8 key itself: a signature with it verifies
	// with the app public key the simulator holds.
	der, err := base64.StdEncoding.DecodeString(k.Alipay.AppPrivateOneLine())
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("app_id=1&method=alipay.trade.app.pay"))
	sig, err := rsa.SignPKCS1v15(nil, parsed.(*rsa.PrivateKey), crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(&k.Alipay.AppKey.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatal(err)
	}
	// The PKCS#1 form is the same key.
	block, _ := pem.Decode([]byte(k.Alipay.AppPrivatePKCS1()))
	pk1, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil || !pk1.Equal(k.Alipay.AppKey) {
		t.Fatalf("PKCS#1 form: %v", err)
	}
	// The one-line Alipay public key is the Alipay key's public half.
	der, _ = base64.StdEncoding.DecodeString(k.Alipay.AlipayPublicOneLine())
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil || !k.Alipay.AlipayKey.PublicKey.Equal(pub) {
		t.Fatalf("Alipay public key: %v", err)
	}
}

func TestBadKeysFileIsAClearError(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"garbage.json": "not json",
		"empty.json":   "{}",
		"badkey.json":  `{"alipay":{"appId":"1","sellerId":"2","appPrivateKey":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}}`,
	} {
		path := filepath.Join(dir, name)
		_ = os.WriteFile(path, []byte(content), 0o600)
		_, err := LoadOrCreateKeys(path)
		if err == nil || !strings.Contains(err.Error(), "delete it to make new keys") {
			t.Errorf("%s: %v", name, err)
		}
		if data, _ := os.ReadFile(path); string(data) != content {
			t.Errorf("%s was changed", name)
		}
	}
}

// TestAKeysFileOfTheEarlierFormatKeepsWorking: testdata/keys-v1.json was
// written by the sandbox before each provider owned its keys; it loads as it
// is, unchanged on disk, and the simulators run with it.
func TestAKeysFileOfTheEarlierFormatKeepsWorking(t *testing.T) {
	orig, err := os.ReadFile("testdata/keys-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "app.db.sandbox.json")
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadOrCreateKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	if k.Alipay.AppID != "9021000405803320" || k.Alipay.SellerID != "2088831071643156" || k.Alipay.AppKey == nil ||
		k.Wechat.PlatformKey == nil || len(k.Wechat.APIv3Key) != 32 {
		t.Fatalf("keys not read: %+v %+v", k.Alipay, k.Wechat)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, orig) {
		t.Fatal("loading rewrote the keys file")
	}
	s := paysim.New(paysim.Options{})
	defer s.Close()
	for _, f := range k.Factories() {
		p, err := f(provider.Env{Notifier: s})
		if err != nil {
			t.Fatalf("a simulator refuses the earlier keys: %v", err)
		}
		if err := s.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.Providers()) != 2 {
		t.Fatal(s.Providers())
	}
}

// TestIdsFollowTheSeed: the same random stream gives the same ids (testkit's
// sessions rely on it for stable appId, mchid and serials).
func TestIdsFollowTheSeed(t *testing.T) {
	seed := bytes.Repeat([]byte{7, 200, 31, 99}, 64)
	a, err := NewKeys(bytes.NewReader(seed), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewKeys(bytes.NewReader(seed), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if a.Alipay.AppID != b.Alipay.AppID || a.Wechat.MchID != b.Wechat.MchID || a.Wechat.PlatformSerial != b.Wechat.PlatformSerial ||
		a.Wechat.APIv3Key != b.Wechat.APIv3Key {
		t.Fatal("ids differ for one seed")
	}
	if a.Alipay.AppKey.Equal(b.Alipay.AppKey) {
		t.Fatal("RSA keys came from the seed")
	}
}
