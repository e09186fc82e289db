package nodecrypto

import (
	"crypto"
	"crypto/rsa"
	"math/big"

	"github.com/dop251/goja"

	nb "github.com/bmobemu/bmobemu/modules/nodebuffer"
)

func osslRSA(code, reason, hexCode string) *nb.Error {
	return nb.NewError(nb.KindError, code, "error:%s:RSA routines::%s", hexCode, reason)
}

func errDataTooLarge() *nb.Error {
	return osslRSA("ERR_OSSL_RSA_DATA_TOO_LARGE_FOR_KEY_SIZE", "data too large for key size", "0200006E")
}

func errOAEPDecoding() *nb.Error {
	return osslRSA("ERR_OSSL_RSA_OAEP_DECODING_ERROR", "oaep decoding error", "02000079")
}

func errPKCSDecoding() *nb.Error {
	return osslRSA("ERR_OSSL_RSA_PKCS_DECODING_ERROR", "pkcs decoding error", "0200009F")
}

func (spec keySpec) oaepHashOrSHA1(m *module) crypto.Hash {
	if spec.oaepHash == "" {
		return crypto.SHA1
	}
	h, ok := HashByName(spec.oaepHash)
	if !ok {
		m.throw(nb.NewError(nb.KindTypeError, "ERR_OSSL_EVP_INVALID_DIGEST", "Invalid digest used: %s", spec.oaepHash))
	}
	return h
}

func (m *module) rsaKeys(spec keySpec) (*rsa.PublicKey, *rsa.PrivateKey) {
	switch k := spec.key.(type) {
	case *rsa.PrivateKey:
		return &k.PublicKey, k
	case *rsa.PublicKey:
		return k, nil
	}
	m.throw(nb.NewError(nb.KindError, "ERR_OSSL_EVP_OPERATION_NOT_SUPPORTED_FOR_THIS_KEYTYPE", "error:03000096:digital envelope routines::operation not supported for this keytype"))
	return nil, nil
}

// publicEncrypt is crypto.publicEncrypt(key, buffer): OAEP (SHA-1 unless oaepHash)
// by default, PKCS#1 v1.5 or no padding on request.
func (m *module) publicEncrypt(call goja.FunctionCall) goja.Value {
	spec := m.keyArg(call.Argument(0), false)
	pub, _ := m.rsaKeys(spec)
	data := m.data("buffer", call.Argument(1), "")
	var out []byte
	var err error
	switch spec.padding {
	case 0, rsaPKCS1OAEPPadding:
		out, err = rsa.EncryptOAEP(spec.oaepHashOrSHA1(m).New(), m.vu.Env().Random, pub, data, spec.oaepLabel)
	case rsaPKCS1Padding:
		out, err = rsa.EncryptPKCS1v15(m.vu.Env().Random, pub, data)
	case rsaNoPadding:
		out, err = rawPublic(pub, data)
	default:
		m.throw(unknownPadding())
	}
	if err != nil {
		m.throw(errDataTooLarge())
	}
	return nb.New(m.vm, out)
}

// privateDecrypt is crypto.privateDecrypt(key, buffer). PKCS#1 v1.5 decryption is
// allowed (Node before 20.11 allowed it; Bmob's Node version is not known).
func (m *module) privateDecrypt(call goja.FunctionCall) goja.Value {
	spec := m.keyArg(call.Argument(0), true)
	_, priv := m.rsaKeys(spec)
	data := m.data("buffer", call.Argument(1), "")
	var out []byte
	var err error
	switch spec.padding {
	case 0, rsaPKCS1OAEPPadding:
		out, err = rsa.DecryptOAEP(spec.oaepHashOrSHA1(m).New(), nil, priv, data, spec.oaepLabel)
		if err != nil {
			m.throw(errOAEPDecoding())
		}
	case rsaPKCS1Padding:
		out, err = rsa.DecryptPKCS1v15(nil, priv, data)
		if err != nil {
			m.throw(errPKCSDecoding())
		}
	case rsaNoPadding:
		out, err = rawPrivate(priv, data)
		if err != nil {
			m.throw(errDataTooLarge())
		}
	default:
		m.throw(unknownPadding())
	}
	return nb.New(m.vm, out)
}

// privateEncrypt is crypto.privateEncrypt(key, buffer): PKCS#1 type 1 padding (a raw
// signature without DigestInfo) by default.
func (m *module) privateEncrypt(call goja.FunctionCall) goja.Value {
	spec := m.keyArg(call.Argument(0), true)
	_, priv := m.rsaKeys(spec)
	data := m.data("buffer", call.Argument(1), "")
	var out []byte
	var err error
	switch spec.padding {
	case 0, rsaPKCS1Padding:
		out, err = rsa.SignPKCS1v15(nil, priv, 0, data)
	case rsaNoPadding:
		out, err = rawPrivate(priv, data)
	default:
		m.throw(unknownPadding())
	}
	if err != nil {
		m.throw(errDataTooLarge())
	}
	return nb.New(m.vm, out)
}

// publicDecrypt is crypto.publicDecrypt(key, buffer): undoes privateEncrypt.
func (m *module) publicDecrypt(call goja.FunctionCall) goja.Value {
	spec := m.keyArg(call.Argument(0), false)
	pub, _ := m.rsaKeys(spec)
	data := m.data("buffer", call.Argument(1), "")
	em, err := rawPublic(pub, data)
	if err != nil {
		m.throw(errDataTooLarge())
	}
	switch spec.padding {
	case 0, rsaPKCS1Padding:
		out, ok := unpadType1(em)
		if !ok {
			m.throw(osslRSA("ERR_OSSL_RSA_INVALID_PADDING", "invalid padding", "0200008A"))
		}
		return nb.New(m.vm, out)
	case rsaNoPadding:
		return nb.New(m.vm, em)
	}
	m.throw(unknownPadding())
	return nil
}

func unknownPadding() *nb.Error {
	return osslRSA("ERR_OSSL_RSA_UNKNOWN_PADDING_TYPE", "unknown padding type", "02000076")
}

// rawPublic computes c^e mod n for a block of exactly the key size.
func rawPublic(pub *rsa.PublicKey, data []byte) ([]byte, error) {
	k := (pub.N.BitLen() + 7) / 8
	c := new(big.Int).SetBytes(data)
	if len(data) != k || c.Cmp(pub.N) >= 0 {
		return nil, errDataTooLarge()
	}
	m := new(big.Int).Exp(c, big.NewInt(int64(pub.E)), pub.N)
	return m.FillBytes(make([]byte, k)), nil
}

// rawPrivate computes c^d mod n for a block of exactly the key size.
func rawPrivate(priv *rsa.PrivateKey, data []byte) ([]byte, error) {
	k := priv.Size()
	c := new(big.Int).SetBytes(data)
	if len(data) != k || c.Cmp(priv.N) >= 0 {
		return nil, errDataTooLarge()
	}
	m := new(big.Int).Exp(c, priv.D, priv.N)
	return m.FillBytes(make([]byte, k)), nil
}

// unpadType1 strips 00 01 FF…FF 00 (at least 8 FF bytes).
func unpadType1(em []byte) ([]byte, bool) {
	if len(em) < 11 || em[0] != 0 || em[1] != 1 {
		return nil, false
	}
	i := 2
	for i < len(em) && em[i] == 0xff {
		i++
	}
	if i-2 < 8 || i >= len(em) || em[i] != 0 {
		return nil, false
	}
	return em[i+1:], true
}
