package wechatsim

import (
	"crypto/rsa"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bmobemu/bmobemu/paysim/internal/keypem"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// Keys are a WeChat Pay v3 merchant's credentials and the sandbox platform's:
// the "wechat" part of the sandbox keys file, whose field names they keep.
type Keys struct {
	MchID string `json:"mchid"` // 10 digits
	AppID string `json:"appid"` // wx + 16 hex
	// MerchantPrivateKeyPEM is the merchant API key, PKCS#8 PEM; MerchantSerial is
	// its certificate's serial (40 hex digits) as requests name it.
	MerchantPrivateKeyPEM string `json:"merchantPrivateKey"`
	MerchantSerial        string `json:"merchantSerial"`
	// PlatformPrivateKeyPEM signs responses and notifies (PKCS#8 PEM);
	// PlatformCertPEM is its self-signed certificate (NewPlatformCertificate),
	// whose serial is PlatformSerial.
	PlatformPrivateKeyPEM string `json:"platformPrivateKey"`
	PlatformSerial        string `json:"platformSerial"`
	PlatformCertPEM       string `json:"platformCertificate"`
	// APIv3Key encrypts notify resources (AES-256-GCM): 32 characters.
	APIv3Key string `json:"apiV3Key"`

	// MerchantKey and PlatformKey are the parsed keys above (Parse fills them).
	MerchantKey *rsa.PrivateKey `json:"-"`
	PlatformKey *rsa.PrivateKey `json:"-"`
}

// NewKeys makes fresh credentials: ids, serials and the APIv3 key from random,
// RSA-2048 keys, and the platform certificate valid from now.
func NewKeys(random io.Reader, now time.Time) (*Keys, error) {
	var parts [5]string
	for i, gen := range []func() (string, error){
		func() (string, error) { return keypem.Digits(random, 8) }, // mchid tail
		func() (string, error) { return keypem.Hex(random, 16) },   // wx appid tail
		func() (string, error) { return keypem.Hex(random, 40) },   // merchant serial
		func() (string, error) { return keypem.Hex(random, 40) },   // platform serial
		func() (string, error) { return apiV3Key(random) },
	} {
		var err error
		if parts[i], err = gen(); err != nil {
			return nil, err
		}
	}
	platformSerial := strings.ToUpper(parts[3])
	if platformSerial[0] == '0' {
		// The certificate's serial is a number: a leading zero would not survive it.
		platformSerial = "1" + platformSerial[1:]
	}
	merchant, err := keypem.NewRSA()
	if err != nil {
		return nil, err
	}
	platform, err := keypem.NewRSA()
	if err != nil {
		return nil, err
	}
	cert, err := NewPlatformCertificate(platform, platformSerial, now)
	if err != nil {
		return nil, err
	}
	k := &Keys{
		MchID: "19" + parts[0], AppID: "wx" + parts[1],
		MerchantPrivateKeyPEM: keypem.PKCS8(merchant), MerchantSerial: strings.ToUpper(parts[2]),
		PlatformPrivateKeyPEM: keypem.PKCS8(platform), PlatformSerial: platformSerial, PlatformCertPEM: string(cert),
		APIv3Key: parts[4],
	}
	return k, k.Parse()
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

// Parse fills the parsed keys from the PEM fields and checks nothing is missing.
func (k *Keys) Parse() error {
	var err error
	if k.MerchantKey, err = keypem.ParsePrivate(k.MerchantPrivateKeyPEM); err != nil {
		return fmt.Errorf("merchantPrivateKey: %w", err)
	}
	if k.PlatformKey, err = keypem.ParsePrivate(k.PlatformPrivateKeyPEM); err != nil {
		return fmt.Errorf("platformPrivateKey: %w", err)
	}
	for _, f := range []struct{ name, value string }{
		{"mchid", k.MchID}, {"appid", k.AppID}, {"merchantSerial", k.MerchantSerial},
		{"platformSerial", k.PlatformSerial}, {"platformCertificate", k.PlatformCertPEM},
	} {
		if f.value == "" {
			return fmt.Errorf("%s is missing", f.name)
		}
	}
	if len(k.APIv3Key) != 32 {
		return fmt.Errorf("apiV3Key must be 32 characters, not %d", len(k.APIv3Key))
	}
	return nil
}

// MerchantPublicPEM is the merchant's public key (PKIX PEM), which the simulator
// verifies request signatures with.
func (k *Keys) MerchantPublicPEM() string { return keypem.Public(&k.MerchantKey.PublicKey) }

// PlatformPublicPEM is the platform public key (PKIX PEM) scripts verify with.
func (k *Keys) PlatformPublicPEM() string { return keypem.Public(&k.PlatformKey.PublicKey) }

// Config is the simulator's Config for these keys; the caller adds the clock,
// notifier and the rest.
func (k *Keys) Config() Config {
	return Config{
		MchID: k.MchID, AppID: k.AppID, MerchantPublicKey: &k.MerchantKey.PublicKey, MerchantSerial: k.MerchantSerial,
		PlatformKey: k.PlatformKey, PlatformSerial: k.PlatformSerial, PlatformCertPEM: []byte(k.PlatformCertPEM),
		APIv3Key: k.APIv3Key,
	}
}

// NewWith builds the simulator for these keys in the sandbox's environment.
func (k *Keys) NewWith(env provider.Env) (*Simulator, error) {
	cfg := k.Config()
	cfg.Clock, cfg.Notifier, cfg.Random, cfg.Warn = env.Clock, env.Notifier, env.Random, env.Warn
	cfg.PublicBase = env.MountURL(provider.Wechat)
	return New(cfg)
}

// WriteConfig prints, with labels, what a script's config needs to pay with
// WeChat Pay v3 in the sandbox: a config object ready to paste, the ids, the
// PEM forms and the platform certificate.
func (k *Keys) WriteConfig(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("## WeChat Pay API v3 (as wechatPayment.js and pay_notify.js use it)\n\n")
	p("const config = {\n")
	p("  mchid: \"%s\",\n", k.MchID)
	p("  appid: \"%s\",\n", k.AppID)
	p("  privateKey: \"%s\", // merchant private key, PKCS#8 (NodeRSA 'pkcs8-private')\n", keypem.OneLine(k.MerchantPrivateKeyPEM))
	p("  serialNo: \"%s\", // merchant certificate serial\n", k.MerchantSerial)
	p("  apiV3Key: \"%s\",\n", k.APIv3Key)
	p("  alipayPublicKey: \"%s\", // pay_notify.js's name for the platform public key (NodeRSA 'pkcs8-public')\n", keypem.OneLine(k.PlatformPublicPEM()))
	p("};\n\n")
	p("mchid:                        %s\n", k.MchID)
	p("appid:                        %s\n", k.AppID)
	p("merchant certificate serial:  %s\n", k.MerchantSerial)
	p("platform certificate serial:  %s   (Wechatpay-Serial)\n", k.PlatformSerial)
	p("APIv3 key:                    %s\n\n", k.APIv3Key)
	p("Merchant private key, PKCS#8 PEM:\n%s\n", k.MerchantPrivateKeyPEM)
	p("Platform public key PEM:\n%s\n", k.PlatformPublicPEM())
	p("Platform certificate:\n%s", k.PlatformCertPEM)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing the WeChat Pay sandbox config: %w", err)
	}
	return nil
}
