package alipaysdk

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// PEM types formatKey wraps keys in, as alipay-sdk 3.6.2 names them.
const (
	typePKCS8  = "PRIVATE KEY"
	typePKCS1  = "RSA PRIVATE KEY"
	typePublic = "PUBLIC KEY"
)

// FormatKey is alipay-sdk's formatKey: split on "\n", trim each line, drop the first
// line and the last line when they contain typ, join the rest without separators and
// wrap the result in PEM armour of typ. It keeps the SDK's quirks: a trailing newline
// leaves the footer glued to the body and a leading blank line keeps the header in it.
func FormatKey(key, typ string) string {
	lines := strings.Split(key, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimFunc(l, isJSSpace)
	}
	if strings.Contains(lines[0], typ) {
		lines = lines[1:]
	}
	if len(lines) > 0 && strings.Contains(lines[len(lines)-1], typ) {
		lines = lines[:len(lines)-1]
	}
	return "-----BEGIN " + typ + "-----\n" + strings.Join(lines, "") + "\n-----END " + typ + "-----"
}

// errDecoder is what OpenSSL 3 (Node 20) reports for a key it cannot decode.
var errDecoder = errors.New("error:1E08010C:DECODER routines::unsupported")

// How lenient key decoding is: exactly as lenient as Node 20 on OpenSSL 3, in both
// profiles, so a script whose keys fail on Bmob fails here too. The armour decides the
// format: "PRIVATE KEY" must hold PKCS#8, "RSA PRIVATE KEY" PKCS#1 and "PUBLIC KEY"
// SPKI; a mismatch (a PKCS#8 key without keyType 'PKCS8', say) fails at the first sign
// with the DECODER error. The body is read the way OpenSSL's base64 decoder reads it:
// white space is skipped and a '-' ends the data, which is why a footer glued on by a
// trailing newline is harmless while a header kept by a leading blank line leaves no
// data at all.

// parsePEM decodes what FormatKey produced (or a script put in config afterwards).
func parsePEM(pemText string) (typ string, der []byte, err error) {
	rest, ok := strings.CutPrefix(pemText, "-----BEGIN ")
	if !ok {
		return "", nil, errDecoder
	}
	typ, rest, ok = strings.Cut(rest, "-----")
	if !ok {
		return "", nil, errDecoder
	}
	body, _, ok := strings.Cut(rest, "\n-----END "+typ+"-----")
	if !ok {
		return "", nil, errDecoder
	}
	der, err = decodeOpenSSLBase64(body)
	if err != nil || len(der) == 0 {
		return "", nil, errDecoder
	}
	return typ, der, nil
}

// decodeOpenSSLBase64 follows EVP_DecodeUpdate: skip white space, stop at '-',
// fail on any other character outside the alphabet or on data after padding.
func decodeOpenSSLBase64(body string) ([]byte, error) {
	var b strings.Builder
	pad := 0
	for _, c := range body {
		switch {
		case c == '-':
			return finishBase64(b.String())
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case c == '=':
			pad++
			if pad > 2 {
				return nil, errDecoder
			}
			b.WriteRune(c)
		case isBase64Char(c):
			if pad > 0 {
				return nil, errDecoder
			}
			b.WriteRune(c)
		default:
			return nil, errDecoder
		}
	}
	return finishBase64(b.String())
}

func finishBase64(s string) ([]byte, error) {
	if len(s)%4 != 0 {
		return nil, errDecoder
	}
	out, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("base64 key body: %w", err)
	}
	return out, nil
}

func isBase64Char(c rune) bool {
	return isASCIIAlnum(c) || c == '+' || c == '/'
}

// parsePrivateKey reads a private key PEM as OpenSSL would for its armour.
func parsePrivateKey(pemText string) (*rsa.PrivateKey, error) {
	typ, der, err := parsePEM(pemText)
	if err != nil {
		return nil, err
	}
	var key any
	switch typ {
	case typePKCS8:
		key, err = x509.ParsePKCS8PrivateKey(der)
	case typePKCS1:
		key, err = x509.ParsePKCS1PrivateKey(der)
	default:
		return nil, errDecoder
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if err != nil || !ok {
		return nil, errDecoder
	}
	return rsaKey, nil
}

// parsePublicKey reads an SPKI public key PEM.
func parsePublicKey(pemText string) (*rsa.PublicKey, error) {
	typ, der, err := parsePEM(pemText)
	if err != nil {
		return nil, err
	}
	if typ != typePublic {
		return nil, errDecoder
	}
	key, err := x509.ParsePKIXPublicKey(der)
	rsaKey, ok := key.(*rsa.PublicKey)
	if err != nil || !ok {
		return nil, errDecoder
	}
	return rsaKey, nil
}

// keyCache remembers parsed keys by their PEM text. It belongs to one module
// instance (one VM) and is bounded so a script minting keys cannot grow it forever.
type keyCache struct {
	private map[string]*rsa.PrivateKey
	public  map[string]*rsa.PublicKey
}

const keyCacheSize = 16

func (c *keyCache) privateKey(pemText string) (*rsa.PrivateKey, error) {
	if k, ok := c.private[pemText]; ok {
		return k, nil
	}
	k, err := parsePrivateKey(pemText)
	if err != nil {
		return nil, err
	}
	if c.private == nil || len(c.private) >= keyCacheSize {
		c.private = map[string]*rsa.PrivateKey{}
	}
	c.private[pemText] = k
	return k, nil
}

func (c *keyCache) publicKey(pemText string) (*rsa.PublicKey, error) {
	if k, ok := c.public[pemText]; ok {
		return k, nil
	}
	k, err := parsePublicKey(pemText)
	if err != nil {
		return nil, err
	}
	if c.public == nil || len(c.public) >= keyCacheSize {
		c.public = map[string]*rsa.PublicKey{}
	}
	c.public[pemText] = k
	return k, nil
}
