package nodecrypto

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"

	"github.com/dop251/goja"

	nb "github.com/bmobemu/bmobemu/modules/nodebuffer"
)

// errDecoder is what Node (OpenSSL 3) throws for key material it cannot decode:
// a bare base64 body, a PEM whose label does not match its contents, garbage.
func errDecoder() *nb.Error {
	return nb.NewError(nb.KindError, "ERR_OSSL_UNSUPPORTED", "error:1E08010C:DECODER routines::unsupported")
}

// keySpec is a key argument as Node reads it: the key plus the options an object
// argument may carry.
type keySpec struct {
	key        any // *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey, public counterparts, or []byte (secret)
	padding    int // 0: the operation's default
	saltLength *int
	oaepHash   string
	oaepLabel  []byte
}

const keyExpected = "of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey"

// keyArg reads a key argument: PEM string or Buffer, KeyObject, or an object
// {key, format, type, passphrase, padding, saltLength, oaepHash, oaepLabel}. With
// private it requires a private key; otherwise a private key yields its public half.
func (m *module) keyArg(v goja.Value, private bool) keySpec {
	var spec keySpec
	material, format, typ := v, "pem", ""
	var passphrase []byte
	if o, ok := v.(*goja.Object); ok && !m.isBytes(o) {
		if _, isKey := m.keyObject(o); !isKey {
			material = o.Get("key")
			if material == nil {
				material = goja.Undefined()
			}
			format = strings.ToLower(nb.OptString(o.Get("format")))
			if format == "" {
				format = "pem"
			}
			typ = strings.ToLower(nb.OptString(o.Get("type")))
			if p := o.Get("passphrase"); p != nil && !goja.IsUndefined(p) && !goja.IsNull(p) {
				passphrase = m.data("passphrase", p, "")
			}
			if p := o.Get("padding"); p != nil && !goja.IsUndefined(p) {
				spec.padding = int(p.ToInteger())
			}
			if s := o.Get("saltLength"); s != nil && !goja.IsUndefined(s) {
				n := int(s.ToInteger())
				spec.saltLength = &n
			}
			spec.oaepHash = nb.OptString(o.Get("oaepHash"))
			if l := o.Get("oaepLabel"); l != nil && !goja.IsUndefined(l) {
				spec.oaepLabel = m.data("oaepLabel", l, "")
			}
		}
	}
	if k, isKey := m.keyObject(material); isKey {
		spec.key = k
	} else {
		if !goja.IsString(material) && !m.isBytes(material) {
			m.throw(nb.InvalidArgType("key", keyExpected, v))
		}
		raw := m.data("key", material, "")
		key, err := parseKey(raw, format, typ, passphrase, private)
		if err != nil {
			m.throw(err)
		}
		spec.key = key
	}
	if private {
		if _, ok := spec.key.(crypto.Signer); !ok {
			m.throw(errDecoder())
		}
	} else if s, ok := spec.key.(crypto.Signer); ok {
		spec.key = s.Public()
	}
	return spec
}

func (m *module) isBytes(v goja.Value) bool {
	if v == nil || goja.IsString(v) {
		return false
	}
	_, err := nb.ArgBytes(m.vm, "key", v, "")
	return err == nil
}

// parseKey decodes key material in Node's formats. pem: any of the PEM labels
// OpenSSL reads, the label deciding the structure; der: type pkcs1, pkcs8, spki or sec1.
func parseKey(raw []byte, format, typ string, passphrase []byte, private bool) (any, error) {
	switch format {
	case "der":
		return parseDER(raw, typ, private)
	case "pem", "":
	default:
		return nil, nb.NewError(nb.KindTypeError, "ERR_INVALID_ARG_VALUE", "The property 'key.format' is invalid. Received '%s'", format)
	}
	block, ok := findPEM(raw)
	if !ok {
		return nil, errDecoder()
	}
	der := block.Bytes
	//nolint:staticcheck // legacy "Proc-Type: 4,ENCRYPTED" PEM is what OpenSSL writes for passphrase-protected PKCS#1 keys
	if x509.IsEncryptedPEMBlock(block) {
		if len(passphrase) == 0 {
			return nil, nb.NewError(nb.KindTypeError, "ERR_MISSING_PASSPHRASE", "Passphrase required for encrypted key")
		}
		var err error
		//nolint:staticcheck // see above
		der, err = x509.DecryptPEMBlock(block, passphrase)
		if err != nil {
			return nil, nb.NewError(nb.KindError, "ERR_OSSL_BAD_DECRYPT", "error:1C800064:Provider routines::bad decrypt")
		}
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(der)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(der)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(der)
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(der)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(der)
	case "CERTIFICATE":
		var cert *x509.Certificate
		cert, err = x509.ParseCertificate(der)
		if err == nil {
			key = cert.PublicKey
		}
	case "ENCRYPTED PRIVATE KEY":
		return nil, nb.NewError(nb.KindError, "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", "encrypted PKCS#8 keys are not supported by bmobemu")
	default:
		return nil, errDecoder()
	}
	if err != nil {
		return nil, errDecoder()
	}
	return key, nil
}

func parseDER(der []byte, typ string, private bool) (any, error) {
	var key any
	var err error
	switch {
	case typ == "pkcs1" && private:
		key, err = x509.ParsePKCS1PrivateKey(der)
	case typ == "pkcs1":
		key, err = x509.ParsePKCS1PublicKey(der)
		if err != nil {
			key, err = x509.ParsePKCS1PrivateKey(der)
		}
	case typ == "pkcs8":
		key, err = x509.ParsePKCS8PrivateKey(der)
	case typ == "spki":
		key, err = x509.ParsePKIXPublicKey(der)
	case typ == "sec1":
		key, err = x509.ParseECPrivateKey(der)
	default:
		return nil, nb.NewError(nb.KindTypeError, "ERR_INVALID_ARG_VALUE", "The property 'key.type' is invalid. Received '%s'", typ)
	}
	if err != nil {
		return nil, errDecoder()
	}
	return key, nil
}

// findPEM finds the first PEM block. Like OpenSSL it tolerates junk after the base64
// padding on the last body line (alipay-sdk's key formatting produces that).
func findPEM(raw []byte) (*pem.Block, bool) {
	if block, _ := pem.Decode(raw); block != nil {
		return block, true
	}
	text := string(raw)
	i := strings.Index(text, "-----BEGIN ")
	if i < 0 {
		return nil, false
	}
	rest := text[i+len("-----BEGIN "):]
	j := strings.Index(rest, "-----")
	if j < 0 {
		return nil, false
	}
	label := rest[:j]
	body := rest[j+5:]
	if k := strings.Index(body, "-----END "); k >= 0 {
		body = body[:k]
	}
	var clean bytes.Buffer
	for _, c := range []byte(body) {
		if c == '-' {
			break
		}
		if c > ' ' {
			clean.WriteByte(c)
		}
	}
	der, err := base64.StdEncoding.DecodeString(clean.String())
	if err != nil {
		return nil, false
	}
	return &pem.Block{Type: label, Bytes: der}, true
}

// keyObject returns the Go key behind a KeyObject made by this module.
func (m *module) keyObject(v goja.Value) (any, bool) {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	h := o.GetSymbol(m.keySym)
	if h == nil {
		return nil, false
	}
	return h.Export(), true
}

// createPrivateKey is crypto.createPrivateKey(key).
func (m *module) createPrivateKey(call goja.FunctionCall) goja.Value {
	return m.newKeyObject(m.keyArg(call.Argument(0), true).key)
}

// createPublicKey is crypto.createPublicKey(key); a private key gives its public half.
func (m *module) createPublicKey(call goja.FunctionCall) goja.Value {
	return m.newKeyObject(m.keyArg(call.Argument(0), false).key)
}

func keyTypeName(key any) (kind, asym string) {
	switch key.(type) {
	case *rsa.PrivateKey:
		return "private", "rsa"
	case *rsa.PublicKey:
		return "public", "rsa"
	case *ecdsa.PrivateKey:
		return "private", "ec"
	case *ecdsa.PublicKey:
		return "public", "ec"
	case ed25519.PrivateKey:
		return "private", "ed25519"
	case ed25519.PublicKey:
		return "public", "ed25519"
	}
	return "secret", ""
}

// newKeyObject builds a KeyObject: type, asymmetricKeyType, asymmetricKeyDetails,
// export({format, type}) and equals.
func (m *module) newKeyObject(key any) *goja.Object {
	obj := m.vm.NewObject()
	_ = obj.DefineDataPropertySymbol(m.keySym, m.vm.ToValue(key), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	kind, asym := keyTypeName(key)
	_ = obj.Set("type", kind)
	if asym != "" {
		_ = obj.Set("asymmetricKeyType", asym)
	}
	details := m.vm.NewObject()
	var pub *rsa.PublicKey
	switch k := key.(type) {
	case *rsa.PrivateKey:
		pub = &k.PublicKey
	case *rsa.PublicKey:
		pub = k
	}
	if pub != nil {
		_ = details.Set("modulusLength", pub.N.BitLen())
		_ = details.Set("publicExponent", m.vm.ToValue(int64(pub.E)))
		_ = obj.Set("asymmetricKeyDetails", details)
	}
	if secret, ok := key.([]byte); ok {
		_ = obj.Set("symmetricKeySize", len(secret))
	}
	_ = obj.Set("export", func(call goja.FunctionCall) goja.Value {
		return m.exportKey(key, call.Argument(0))
	})
	_ = obj.Set("equals", func(call goja.FunctionCall) goja.Value {
		other, ok := m.keyObject(call.Argument(0))
		if !ok {
			m.throw(nb.InvalidArgType("otherKeyObject", "an instance of KeyObject", call.Argument(0)))
		}
		type equaler interface{ Equal(crypto.PublicKey) bool }
		if e, ok := key.(equaler); ok {
			return m.vm.ToValue(e.Equal(other))
		}
		a, aok := key.([]byte)
		b, bok := other.([]byte)
		return m.vm.ToValue(aok && bok && bytes.Equal(a, b))
	})
	return obj
}

// exportKey is KeyObject.export({format: 'pem'|'der', type: 'pkcs1'|'pkcs8'|'spki'|'sec1'}).
func (m *module) exportKey(key any, opts goja.Value) goja.Value {
	if secret, ok := key.([]byte); ok {
		return nb.New(m.vm, append([]byte(nil), secret...))
	}
	format, typ := "pem", ""
	if o, ok := opts.(*goja.Object); ok {
		if f := nb.OptString(o.Get("format")); f != "" {
			format = f
		}
		typ = nb.OptString(o.Get("type"))
	}
	var der []byte
	var label string
	var err error
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if typ == "pkcs1" {
			der, label = x509.MarshalPKCS1PrivateKey(k), "RSA PRIVATE KEY"
		} else {
			der, err = x509.MarshalPKCS8PrivateKey(k)
			label = "PRIVATE KEY"
		}
	case *rsa.PublicKey:
		if typ == "pkcs1" {
			der, label = x509.MarshalPKCS1PublicKey(k), "RSA PUBLIC KEY"
		} else {
			der, err = x509.MarshalPKIXPublicKey(k)
			label = "PUBLIC KEY"
		}
	case *ecdsa.PrivateKey:
		if typ == "sec1" {
			der, err = x509.MarshalECPrivateKey(k)
			label = "EC PRIVATE KEY"
		} else {
			der, err = x509.MarshalPKCS8PrivateKey(k)
			label = "PRIVATE KEY"
		}
	case ed25519.PrivateKey:
		der, err = x509.MarshalPKCS8PrivateKey(k)
		label = "PRIVATE KEY"
	default:
		der, err = x509.MarshalPKIXPublicKey(k)
		label = "PUBLIC KEY"
	}
	if err != nil {
		m.throw(err)
	}
	if format == "der" {
		return nb.New(m.vm, der)
	}
	return m.vm.ToValue(string(pem.EncodeToMemory(&pem.Block{Type: label, Bytes: der})))
}
