package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// KeysFile is where the sandbox keys of a db are kept: beside it.
func KeysFile(dbPath string) string { return dbPath + ".sandbox.json" }

// Keys are the sandbox credentials: the merchant's halves go into scripts' configs
// (WriteConfig), the provider's halves stay with the simulators.
type Keys struct {
	Alipay AlipayKeys `json:"alipay"`
	Wechat WechatKeys `json:"wechat"`
}

// AlipayKeys are an Alipay app's credentials and the sandbox "Alipay" key pair.
type AlipayKeys struct {
	AppID    string `json:"appId"`    // 16 digits, like a sandbox app's
	SellerID string `json:"sellerId"` // 2088…, 16 digits
	// AppPrivateKeyPEM is the app (merchant) private key, PKCS#8 PEM.
	AppPrivateKeyPEM string `json:"appPrivateKey"`
	// AlipayPrivateKeyPEM is the simulator's signing key, PKCS#8 PEM; scripts get
	// its public half as the "Alipay public key".
	AlipayPrivateKeyPEM string `json:"alipayPrivateKey"`

	// AppKey and AlipayKey are the parsed keys above.
	AppKey    *rsa.PrivateKey `json:"-"`
	AlipayKey *rsa.PrivateKey `json:"-"`
}

// WechatKeys are a WeChat Pay v3 merchant's credentials and the sandbox platform's.
type WechatKeys struct {
	MchID string `json:"mchid"` // 10 digits
	AppID string `json:"appid"` // wx + 16 hex
	// MerchantPrivateKeyPEM is the merchant API key, PKCS#8 PEM; MerchantSerial is
	// its certificate's serial (40 hex digits) as requests name it.
	MerchantPrivateKeyPEM string `json:"merchantPrivateKey"`
	MerchantSerial        string `json:"merchantSerial"`
	// PlatformPrivateKeyPEM signs responses and notifies (PKCS#8 PEM);
	// PlatformCertPEM is its self-signed certificate, whose serial is PlatformSerial.
	PlatformPrivateKeyPEM string `json:"platformPrivateKey"`
	PlatformSerial        string `json:"platformSerial"`
	PlatformCertPEM       string `json:"platformCertificate"`
	// APIv3Key encrypts notify resources (AES-256-GCM): 32 characters.
	APIv3Key string `json:"apiV3Key"`

	// MerchantKey and PlatformKey are the parsed keys above.
	MerchantKey *rsa.PrivateKey `json:"-"`
	PlatformKey *rsa.PrivateKey `json:"-"`
}

// LoadOrCreateKeys reads the sandbox keys at path, or makes them (RSA-2048 keys,
// ids, a platform certificate) and writes them there with mode 0600 when the file
// does not exist. Once made, the keys never change, so pasted configs keep working.
func LoadOrCreateKeys(path string) (*Keys, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		k := &Keys{}
		if err := json.Unmarshal(data, k); err != nil {
			return nil, fmt.Errorf("reading sandbox keys %s (delete it to make new keys): %w", path, err)
		}
		if err := k.parse(); err != nil {
			return nil, fmt.Errorf("reading sandbox keys %s (delete it to make new keys): %w", path, err)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading sandbox keys: %w", err)
	}
	k, err := NewKeys(rand.Reader, time.Now())
	if err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding sandbox keys: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("writing sandbox keys: %w", err)
	}
	// O_EXCL: two processes starting at once must not each write their own keys.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreateKeys(path)
	}
	if err != nil {
		return nil, fmt.Errorf("writing sandbox keys: %w", err)
	}
	if _, err := f.Write(append(out, '\n')); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, fmt.Errorf("writing sandbox keys %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("writing sandbox keys %s: %w", path, err)
	}
	return k, nil
}

// NewKeys makes a fresh set of sandbox keys; ids and serials come from random,
// the platform certificate is valid from now for ten years.
func NewKeys(random io.Reader, now time.Time) (*Keys, error) {
	var keys [4]*rsa.PrivateKey
	for i := range keys {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("making an RSA key: %w", err)
		}
		keys[i] = key
	}
	digits := func(n int) (string, error) {
		b := make([]byte, n)
		if _, err := io.ReadFull(random, b); err != nil {
			return "", fmt.Errorf("making sandbox ids: %w", err)
		}
		for i := range b {
			b[i] = '0' + b[i]%10
		}
		return string(b), nil
	}
	hexes := func(n int) (string, error) {
		b := make([]byte, n/2)
		if _, err := io.ReadFull(random, b); err != nil {
			return "", fmt.Errorf("making sandbox ids: %w", err)
		}
		return hex.EncodeToString(b), nil
	}
	var parts [7]string
	var err error
	for i, gen := range []func() (string, error){
		func() (string, error) { return digits(9) },  // Alipay app id tail
		func() (string, error) { return digits(12) }, // seller id tail
		func() (string, error) { return digits(8) },  // mchid tail
		func() (string, error) { return hexes(16) },  // wx appid tail
		func() (string, error) { return hexes(40) },  // merchant serial
		func() (string, error) { return hexes(40) },  // platform serial
		func() (string, error) { return apiV3Key(random) },
	} {
		if parts[i], err = gen(); err != nil {
			return nil, err
		}
	}
	platformSerial := strings.ToUpper(parts[5])
	if platformSerial[0] == '0' {
		// The certificate's serial is a number: a leading zero would not survive it.
		platformSerial = "1" + platformSerial[1:]
	}
	cert, err := platformCertificate(keys[3], platformSerial, now)
	if err != nil {
		return nil, err
	}
	k := &Keys{
		Alipay: AlipayKeys{
			AppID:               "9021000" + parts[0],
			SellerID:            "2088" + parts[1],
			AppPrivateKeyPEM:    pkcs8PEM(keys[0]),
			AlipayPrivateKeyPEM: pkcs8PEM(keys[1]),
		},
		Wechat: WechatKeys{
			MchID:                 "19" + parts[2],
			AppID:                 "wx" + parts[3],
			MerchantPrivateKeyPEM: pkcs8PEM(keys[2]),
			MerchantSerial:        strings.ToUpper(parts[4]),
			PlatformPrivateKeyPEM: pkcs8PEM(keys[3]),
			PlatformSerial:        platformSerial,
			PlatformCertPEM:       string(cert),
			APIv3Key:              parts[6],
		},
	}
	if err := k.parse(); err != nil {
		return nil, err
	}
	return k, nil
}

// apiV3Key is 32 letters and digits, as the merchant platform lets one set it.
func apiV3Key(random io.Reader) (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 32)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("making the APIv3 key: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b), nil
}

// platformCertificate is a self-signed certificate of the platform key whose
// serial number is serialHex, as WeChat's platform certificates name their serial.
func platformCertificate(key *rsa.PrivateKey, serialHex string, now time.Time) ([]byte, error) {
	serial, ok := new(big.Int).SetString(serialHex, 16)
	if !ok {
		return nil, fmt.Errorf("platform serial %q is not hex", serialHex)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			Country: []string{"CN"}, Province: []string{"Guangdong"}, Locality: []string{"Shenzhen"},
			Organization: []string{"bmobemu sandbox"}, OrganizationalUnit: []string{"WeChat Pay platform (simulated)"},
			CommonName: "Wechatpay platform sandbox",
		},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("making the platform certificate: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// parse fills the parsed keys from the PEM fields and checks the file is whole.
func (k *Keys) parse() error {
	var err error
	for _, f := range []struct {
		name string
		pem  string
		dst  **rsa.PrivateKey
	}{
		{"alipay.appPrivateKey", k.Alipay.AppPrivateKeyPEM, &k.Alipay.AppKey},
		{"alipay.alipayPrivateKey", k.Alipay.AlipayPrivateKeyPEM, &k.Alipay.AlipayKey},
		{"wechat.merchantPrivateKey", k.Wechat.MerchantPrivateKeyPEM, &k.Wechat.MerchantKey},
		{"wechat.platformPrivateKey", k.Wechat.PlatformPrivateKeyPEM, &k.Wechat.PlatformKey},
	} {
		if *f.dst, err = parsePrivateKey(f.pem); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	for name, v := range map[string]string{
		"alipay.appId": k.Alipay.AppID, "alipay.sellerId": k.Alipay.SellerID, "wechat.mchid": k.Wechat.MchID,
		"wechat.appid": k.Wechat.AppID, "wechat.merchantSerial": k.Wechat.MerchantSerial,
		"wechat.platformSerial": k.Wechat.PlatformSerial, "wechat.platformCertificate": k.Wechat.PlatformCertPEM,
	} {
		if v == "" {
			return fmt.Errorf("%s is missing", name)
		}
	}
	if len(k.Wechat.APIv3Key) != 32 {
		return fmt.Errorf("wechat.apiV3Key must be 32 characters, not %d", len(k.Wechat.APIv3Key))
	}
	return nil
}

func parsePrivateKey(text string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("not a PEM key")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a PKCS#8 key: %w", err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an RSA key", key)
	}
	return rsaKey, nil
}

func pkcs8PEM(key *rsa.PrivateKey) string {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(fmt.Sprintf("marshalling an RSA key cannot fail: %v", err))
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func pkcs1PEM(key *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

func publicPEM(key *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		panic(fmt.Sprintf("marshalling an RSA public key cannot fail: %v", err))
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// oneLine is a PEM's base64 body on one line, the form key consoles copy and
// alipay-sdk and node-rsa accept.
func oneLine(pemText string) string {
	var b strings.Builder
	for _, line := range strings.Split(pemText, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "-----") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// AppPrivatePKCS8 is the app private key as PKCS#8 PEM (alipay-sdk keyType 'PKCS8').
func (a *AlipayKeys) AppPrivatePKCS8() string { return a.AppPrivateKeyPEM }

// AppPrivatePKCS1 is the app private key as PKCS#1 PEM (alipay-sdk's default keyType).
func (a *AlipayKeys) AppPrivatePKCS1() string { return pkcs1PEM(a.AppKey) }

// AppPrivateOneLine is the PKCS#8 app private key's base64 body on one line.
func (a *AlipayKeys) AppPrivateOneLine() string { return oneLine(a.AppPrivateKeyPEM) }

// AppPublicPEM is the app public key (PKIX PEM), which the simulator verifies with.
func (a *AlipayKeys) AppPublicPEM() string { return publicPEM(&a.AppKey.PublicKey) }

// AlipayPublicPEM is the sandbox "Alipay public key" (PKIX PEM) scripts verify with.
func (a *AlipayKeys) AlipayPublicPEM() string { return publicPEM(&a.AlipayKey.PublicKey) }

// AlipayPublicOneLine is the Alipay public key's base64 body on one line.
func (a *AlipayKeys) AlipayPublicOneLine() string { return oneLine(a.AlipayPublicPEM()) }

// MerchantPublicPEM is the merchant's public key (PKIX PEM), which the simulator
// verifies request signatures with.
func (w *WechatKeys) MerchantPublicPEM() string { return publicPEM(&w.MerchantKey.PublicKey) }

// PlatformPublicPEM is the platform public key (PKIX PEM) scripts verify with.
func (w *WechatKeys) PlatformPublicPEM() string { return publicPEM(&w.PlatformKey.PublicKey) }
