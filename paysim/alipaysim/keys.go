package alipaysim

import (
	"crypto/rsa"
	"fmt"
	"io"
	"strings"

	"github.com/bmobemu/bmobemu/paysim/internal/keypem"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// Keys are an Alipay app's credentials and the sandbox "Alipay" key pair: the
// "alipay" part of the sandbox keys file, whose field names they keep.
type Keys struct {
	AppID    string `json:"appId"`    // 16 digits, like a sandbox app's
	SellerID string `json:"sellerId"` // 2088…, 16 digits
	// AppPrivateKeyPEM is the app (merchant) private key, PKCS#8 PEM.
	AppPrivateKeyPEM string `json:"appPrivateKey"`
	// AlipayPrivateKeyPEM is the simulator's signing key, PKCS#8 PEM; scripts get
	// its public half as the "Alipay public key".
	AlipayPrivateKeyPEM string `json:"alipayPrivateKey"`

	// AppKey and AlipayKey are the parsed keys above (Parse fills them).
	AppKey    *rsa.PrivateKey `json:"-"`
	AlipayKey *rsa.PrivateKey `json:"-"`
}

// NewKeys makes fresh credentials: ids from random, RSA-2048 keys.
func NewKeys(random io.Reader) (*Keys, error) {
	appTail, err := keypem.Digits(random, 9)
	if err != nil {
		return nil, err
	}
	sellerTail, err := keypem.Digits(random, 12)
	if err != nil {
		return nil, err
	}
	app, err := keypem.NewRSA()
	if err != nil {
		return nil, err
	}
	alipay, err := keypem.NewRSA()
	if err != nil {
		return nil, err
	}
	k := &Keys{AppID: "9021000" + appTail, SellerID: "2088" + sellerTail,
		AppPrivateKeyPEM: keypem.PKCS8(app), AlipayPrivateKeyPEM: keypem.PKCS8(alipay)}
	return k, k.Parse()
}

// Parse fills the parsed keys from the PEM fields and checks nothing is missing.
func (k *Keys) Parse() error {
	var err error
	if k.AppKey, err = keypem.ParsePrivate(k.AppPrivateKeyPEM); err != nil {
		return fmt.Errorf("appPrivateKey: %w", err)
	}
	if k.AlipayKey, err = keypem.ParsePrivate(k.AlipayPrivateKeyPEM); err != nil {
		return fmt.Errorf("alipayPrivateKey: %w", err)
	}
	if k.AppID == "" {
		return fmt.Errorf("appId is missing")
	}
	if k.SellerID == "" {
		return fmt.Errorf("sellerId is missing")
	}
	return nil
}

// AppPrivatePKCS8 is the app private key as PKCS#8 PEM (alipay-sdk keyType 'PKCS8').
func (k *Keys) AppPrivatePKCS8() string { return k.AppPrivateKeyPEM }

// AppPrivatePKCS1 is the app private key as PKCS#1 PEM (alipay-sdk's default keyType).
func (k *Keys) AppPrivatePKCS1() string { return keypem.PKCS1(k.AppKey) }

// AppPrivateOneLine is the PKCS#8 app private key's base64 body on one line.
func (k *Keys) AppPrivateOneLine() string { return keypem.OneLine(k.AppPrivateKeyPEM) }

// AppPublicPEM is the app public key (PKIX PEM), which the simulator verifies with.
func (k *Keys) AppPublicPEM() string { return keypem.Public(&k.AppKey.PublicKey) }

// AlipayPublicPEM is the sandbox "Alipay public key" (PKIX PEM) scripts verify with.
func (k *Keys) AlipayPublicPEM() string { return keypem.Public(&k.AlipayKey.PublicKey) }

// AlipayPublicOneLine is the Alipay public key's base64 body on one line.
func (k *Keys) AlipayPublicOneLine() string { return keypem.OneLine(k.AlipayPublicPEM()) }

// Config is the simulator's Config for these keys; the caller adds the clock,
// notifier, cashier base and warnings.
func (k *Keys) Config() Config {
	return Config{AppID: k.AppID, AppPublicKey: &k.AppKey.PublicKey, AlipayPrivateKey: k.AlipayKey, SellerID: k.SellerID}
}

// NewWith builds the simulator for these keys in the sandbox's environment.
func (k *Keys) NewWith(env provider.Env) (*Simulator, error) {
	cfg := k.Config()
	cfg.Clock, cfg.Notifier, cfg.Warn = env.Clock, env.Notifier, env.Warn
	cfg.CashierBase = env.MountURL(provider.Alipay)
	return New(cfg)
}

// WriteConfig prints, with labels, what a script's config needs to pay Alipay
// in the sandbox: an alipay-sdk `new AlipaySdk({...})` snippet ready to paste,
// then the PEM forms for other tools.
func (k *Keys) WriteConfig(w io.Writer) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("## Alipay (alipay-sdk 3.x, as pay.js and payNotify.js use it)\n\n")
	p("const AlipaySdk = require('alipay-sdk').default;\n")
	p("const alipaySdk = new AlipaySdk({\n")
	p("  appId: '%s',\n", k.AppID)
	p("  privateKey: '%s', // app private key, PKCS#8\n", k.AppPrivateOneLine())
	p("  alipayPublicKey: '%s', // sandbox \"Alipay public key\"\n", k.AlipayPublicOneLine())
	p("  keyType: 'PKCS8',\n")
	p("  signType: 'RSA2',\n")
	p("  gateway: 'https://openapi.alipay.com/gateway.do',\n")
	p("});\n\n")
	p("appId:     %s\n", k.AppID)
	p("sellerId:  %s\n\n", k.SellerID)
	p("App private key, PKCS#8 PEM (keyType 'PKCS8'):\n%s\n", k.AppPrivatePKCS8())
	p("App private key, PKCS#1 PEM (alipay-sdk's default keyType):\n%s\n", k.AppPrivatePKCS1())
	p("App public key (what you would upload to Alipay; the simulator already has it):\n%s\n", k.AppPublicPEM())
	p("Alipay public key PEM:\n%s\n", k.AlipayPublicPEM())
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing the Alipay sandbox config: %w", err)
	}
	return nil
}
