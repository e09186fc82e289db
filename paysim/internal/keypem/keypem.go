// Package keypem holds the key encodings the sandbox's simulated providers
// share for their credentials: RSA keys as PKCS#8, PKCS#1 and PKIX PEM, the
// one-line base64 form key consoles copy, and random ids made of digits or hex.
package keypem

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"
)

// NewRSA makes an RSA-2048 key from crypto/rand.
func NewRSA() (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("making an RSA key: %w", err)
	}
	return key, nil
}

// Digits is n decimal digits read from random.
func Digits(random io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("making sandbox ids: %w", err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	return string(b), nil
}

// Hex is n lower-case hex digits (n even) read from random.
func Hex(random io.Reader, n int) (string, error) {
	b := make([]byte, n/2)
	if _, err := io.ReadFull(random, b); err != nil {
		return "", fmt.Errorf("making sandbox ids: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ParsePrivate reads a PKCS#8 PEM RSA private key.
func ParsePrivate(text string) (*rsa.PrivateKey, error) {
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

// PKCS8 is key as PKCS#8 PEM.
func PKCS8(key *rsa.PrivateKey) string {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(fmt.Sprintf("marshalling an RSA key cannot fail: %v", err))
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// PKCS1 is key as PKCS#1 PEM.
func PKCS1(key *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

// Public is key as PKIX PEM.
func Public(key *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		panic(fmt.Sprintf("marshalling an RSA public key cannot fail: %v", err))
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// OneLine is a PEM's base64 body on one line, the form key consoles copy and
// alipay-sdk and node-rsa accept.
func OneLine(pemText string) string {
	var b strings.Builder
	for _, line := range strings.Split(pemText, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "-----") {
			b.WriteString(line)
		}
	}
	return b.String()
}
