package nodersa

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/dop251/goja"

	nb "github.com/bmobemu/bmobemu/modules/nodebuffer"
)

// keyFormat is a parsed node-rsa format name: scheme-[private|public]-[pem|der].
type keyFormat struct {
	scheme  string // pkcs1 | pkcs8 | components | openssh
	private bool
	der     bool
}

// parseFormat reads a format name with node-rsa's aliases and defaults (private, pem).
func parseFormat(name string) keyFormat {
	switch name {
	case "private":
		name = "pkcs1-private-pem"
	case "public":
		name = "pkcs8-public-pem"
	case "private-der":
		name = "pkcs1-private-der"
	case "public-der":
		name = "pkcs8-public-der"
	}
	parts := strings.Split(name, "-")
	f := keyFormat{scheme: parts[0], private: true}
	for _, p := range parts[1:] {
		switch p {
		case "public":
			f.private = false
		case "private":
			f.private = true
		case "der":
			f.der = true
		case "pem":
			f.der = false
		}
	}
	return f
}

var pemLabels = map[keyFormat]string{
	{scheme: "pkcs1", private: true}:  "RSA PRIVATE KEY",
	{scheme: "pkcs1", private: false}: "RSA PUBLIC KEY",
	{scheme: "pkcs8", private: true}:  "PRIVATE KEY",
	{scheme: "pkcs8", private: false}: "PUBLIC KEY",
}

// detectFormat guesses the format of a PEM string from its header, as node-rsa does
// when importKey gets no format.
func detectFormat(s string) (keyFormat, bool) {
	for f, label := range pemLabels {
		if strings.Contains(s, "-----BEGIN "+label+"-----") {
			return f, true
		}
	}
	return keyFormat{}, false
}

// pemBody extracts the DER of a PEM key the way node-rsa does: cut up to the expected
// BEGIN line and from the END line when present, drop whitespace, base64-decode
// leniently. A bare base64 body therefore works.
func pemBody(s, label string) []byte {
	begin, end := "-----BEGIN "+label+"-----", "-----END "+label+"-----"
	if i := strings.Index(s, begin); i >= 0 {
		s = s[i+len(begin):]
	}
	if i := strings.Index(s, end); i >= 0 {
		s = s[:i]
	}
	s = strings.Join(strings.Fields(s), "")
	return nb.DecodeString(s, nb.Base64)
}

// parseKeyData turns key material in format f into a private or public key.
func parseKeyData(der []byte, f keyFormat) (*rsa.PrivateKey, *rsa.PublicKey, error) {
	switch {
	case f.scheme == "pkcs1" && f.private:
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			return nil, nil, fmt.Errorf("reading pkcs1 private key: %w", err)
		}
		return k, &k.PublicKey, nil
	case f.scheme == "pkcs1":
		k, err := x509.ParsePKCS1PublicKey(der)
		if err != nil {
			return nil, nil, fmt.Errorf("reading pkcs1 public key: %w", err)
		}
		return nil, k, nil
	case f.scheme == "pkcs8" && f.private:
		k, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, nil, fmt.Errorf("reading pkcs8 private key: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, nil, errors.New("reading pkcs8 private key: not an RSA key")
		}
		return rk, &rk.PublicKey, nil
	default:
		k, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			return nil, nil, fmt.Errorf("reading pkcs8 public key: %w", err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, nil, errors.New("reading pkcs8 public key: not an RSA key")
		}
		return nil, rk, nil
	}
}

// exportDER renders a key in format f.
func exportDER(priv *rsa.PrivateKey, pub *rsa.PublicKey, f keyFormat) ([]byte, error) {
	switch {
	case f.private && priv == nil:
		return nil, errors.New("This is not private key")
	case f.scheme == "pkcs1" && f.private:
		return x509.MarshalPKCS1PrivateKey(priv), nil
	case f.scheme == "pkcs1":
		return x509.MarshalPKCS1PublicKey(pub), nil
	case f.scheme == "pkcs8" && f.private:
		return x509.MarshalPKCS8PrivateKey(priv)
	}
	return x509.MarshalPKIXPublicKey(pub)
}

// toPEM wraps DER at 64 columns without a trailing newline, as node-rsa does.
func toPEM(der []byte, label string) string {
	body := nb.EncodeToString(der, nb.Base64)
	var sb strings.Builder
	sb.WriteString("-----BEGIN " + label + "-----\n")
	for i := 0; i < len(body); i += 64 {
		sb.WriteString(body[i:min(i+64, len(body))])
		sb.WriteByte('\n')
	}
	sb.WriteString("-----END " + label + "-----")
	return sb.String()
}

// componentNames are the fields of node-rsa's 'components' format.
var componentNames = []string{"n", "e", "d", "p", "q", "dmp1", "dmq1", "coeff"}

// importComponents reads {n, e[, d, p, q, dmp1, dmq1, coeff]} (Buffers; e may be a number).
func importComponents(vm *goja.Runtime, obj *goja.Object, private bool) (*rsa.PrivateKey, *rsa.PublicKey, error) {
	ints := map[string]*big.Int{}
	for _, name := range componentNames {
		v := obj.Get(name)
		if v == nil || goja.IsUndefined(v) {
			continue
		}
		if goja.IsNumber(v) {
			ints[name] = big.NewInt(v.ToInteger())
			continue
		}
		b, err := nb.Bytes(vm, v, "")
		if err != nil {
			return nil, nil, fmt.Errorf("component %s: %w", name, err)
		}
		ints[name] = new(big.Int).SetBytes(b)
	}
	if ints["n"] == nil || ints["e"] == nil {
		return nil, nil, errors.New("Invalid key components")
	}
	pub := &rsa.PublicKey{N: ints["n"], E: int(ints["e"].Int64())}
	if !private || ints["d"] == nil {
		return nil, pub, nil
	}
	if ints["p"] == nil || ints["q"] == nil {
		return nil, nil, errors.New("Invalid key components")
	}
	priv := &rsa.PrivateKey{PublicKey: *pub, D: ints["d"], Primes: []*big.Int{ints["p"], ints["q"]}}
	priv.Precompute()
	if err := priv.Validate(); err != nil {
		return nil, nil, fmt.Errorf("components: %w", err)
	}
	return priv, pub, nil
}

// exportComponents renders {n, e, d, p, q, dmp1, dmq1, coeff} as node-rsa does (e a number).
func exportComponents(vm *goja.Runtime, priv *rsa.PrivateKey, pub *rsa.PublicKey) *goja.Object {
	obj := vm.NewObject()
	_ = obj.Set("n", nb.New(vm, signedBytes(pub.N)))
	_ = obj.Set("e", pub.E)
	if priv != nil {
		for name, v := range map[string]*big.Int{
			"d": priv.D, "p": priv.Primes[0], "q": priv.Primes[1],
			"dmp1": priv.Precomputed.Dp, "dmq1": priv.Precomputed.Dq, "coeff": priv.Precomputed.Qinv,
		} {
			_ = obj.Set(name, nb.New(vm, signedBytes(v)))
		}
	}
	return obj
}

// signedBytes is the two's complement big-endian form node-rsa's BigInteger gives:
// a leading zero byte when the top bit is set.
func signedBytes(v *big.Int) []byte {
	b := v.Bytes()
	if len(b) > 0 && b[0]&0x80 != 0 {
		return append([]byte{0}, b...)
	}
	return b
}
