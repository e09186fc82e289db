package emulator

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/paysim/builtin"
)

// AlipayAppFile is the JSON file `--alipay-app` names: the Alipay app whose
// keys context-style functions' ctx.cloud calls are signed with.
type AlipayAppFile struct {
	AppID string `json:"appId"`
	// PrivateKey is the app private key: PEM (PKCS#1 or PKCS#8) or the bare
	// base64 the Alipay key tool prints.
	PrivateKey string `json:"privateKey"`
	// AlipayPublicKey verifies the gateway's answers: PEM or bare base64.
	AlipayPublicKey string `json:"alipayPublicKey"`
	// Gateway is the openapi URL ("" = Alipay's production gateway, which the
	// payment sandbox answers when it is on).
	Gateway string `json:"gateway"`
}

// LoadAlipayApp reads an AlipayAppFile.
func LoadAlipayApp(path string) (*modules.AlipayApp, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the Alipay app file: %w", err)
	}
	var f AlipayAppFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("alipay app file %s: %w", path, err)
	}
	if f.AppID == "" || f.PrivateKey == "" {
		return nil, fmt.Errorf("alipay app file %s: appId and privateKey are required", path)
	}
	app := &modules.AlipayApp{AppID: f.AppID, Gateway: f.Gateway}
	if app.PrivateKey, err = parseRSAPrivate(f.PrivateKey); err != nil {
		return nil, fmt.Errorf("alipay app file %s: privateKey: %w", path, err)
	}
	if f.AlipayPublicKey != "" {
		if app.AlipayPublicKey, err = parseRSAPublic(f.AlipayPublicKey); err != nil {
			return nil, fmt.Errorf("alipay app file %s: alipayPublicKey: %w", path, err)
		}
	}
	return app, nil
}

// sandboxAlipayApp is the payment sandbox's Alipay app: what ctx.cloud signs
// as unless the configuration names another app.
func sandboxAlipayApp(k *builtin.Keys) *modules.AlipayApp {
	return &modules.AlipayApp{AppID: k.Alipay.AppID, PrivateKey: k.Alipay.AppKey, AlipayPublicKey: &k.Alipay.AlipayKey.PublicKey}
}

// keyDER is the DER inside a PEM block, or the bare base64 itself.
func keyDER(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if block, _ := pem.Decode([]byte(text)); block != nil {
		return block.Bytes, nil
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
	if err != nil {
		return nil, errors.New("neither PEM nor base64")
	}
	return der, nil
}

func parseRSAPrivate(text string) (*rsa.PrivateKey, error) {
	der, err := keyDER(text)
	if err != nil {
		return nil, err
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("not an RSA private key (PKCS#1 or PKCS#8): %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return rk, nil
}

func parseRSAPublic(text string) (*rsa.PublicKey, error) {
	der, err := keyDER(text)
	if err != nil {
		return nil, err
	}
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		if rk, ok := k.(*rsa.PublicKey); ok {
			return rk, nil
		}
		return nil, errors.New("not an RSA key")
	}
	k, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("not an RSA public key (SPKI or PKCS#1): %w", err)
	}
	return k, nil
}
