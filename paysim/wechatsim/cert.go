package wechatsim

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// certValidity is how long a generated platform certificate is valid; WeChat's
// own platform certificates last five years.
const certValidity = 5 * 365 * 24 * time.Hour

// NewPlatformCertificate makes a self-signed X.509 certificate (PEM) for the
// platform key whose serial number is serialHex, as WeChat's platform
// certificates are identified by their serial. serialHex must be the upper- or
// lower-case hex of the serial's big-endian bytes with no leading zero byte
// (wechatpay-go prints serials as %X of those bytes, so any other form could
// never match). The certificate is valid from a day before now for five years.
func NewPlatformCertificate(key *rsa.PrivateKey, serialHex string, now time.Time) ([]byte, error) {
	if key == nil {
		return nil, fmt.Errorf("wechatsim: platform certificate: no key")
	}
	serial, err := parseSerial(serialHex)
	if err != nil {
		return nil, fmt.Errorf("wechatsim: platform certificate: %w", err)
	}
	name := pkix.Name{
		Country:            []string{"CN"},
		Organization:       []string{"bmobemu sandbox"},
		OrganizationalUnit: []string{"WeChat Pay platform (simulated)"},
		CommonName:         "Tenpay.com Root CA (bmobemu sandbox)",
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               name,
		Issuer:                name,
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(certValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("wechatsim: platform certificate: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// parseSerial reads a certificate serial written as WeChat writes it.
func parseSerial(serialHex string) (*big.Int, error) {
	if serialHex == "" {
		return nil, fmt.Errorf("empty serial")
	}
	n, ok := new(big.Int).SetString(serialHex, 16)
	if !ok || n.Sign() <= 0 {
		return nil, fmt.Errorf("serial %q is not a positive hex number", serialHex)
	}
	if got := serialString(n); got != strings.ToUpper(serialHex) {
		return nil, fmt.Errorf("serial %q must be written as its bytes in hex (%s)", serialHex, got)
	}
	return n, nil
}

// serialString writes a serial as wechatpay-go does: %X of its bytes.
func serialString(n *big.Int) string { return fmt.Sprintf("%X", n.Bytes()) }

// parsePlatformCert reads the platform certificate PEM and checks that it
// belongs to key and carries serial.
func parsePlatformCert(certPEM []byte, key *rsa.PrivateKey, serial string) (*x509.Certificate, error) {
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("platform certificate: no CERTIFICATE PEM block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("platform certificate: %w", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return nil, fmt.Errorf("platform certificate: its public key is not the platform key's")
	}
	if got := serialString(cert.SerialNumber); got != strings.ToUpper(serial) {
		return nil, fmt.Errorf("platform certificate: serial %s, want the platform serial %s", got, serial)
	}
	return cert, nil
}
