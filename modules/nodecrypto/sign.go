package nodecrypto

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"hash"

	"github.com/dop251/goja"

	nb "github.com/bmobemu/bmobemu/modules/nodebuffer"
)

func errInvalidDigest() *nb.Error {
	return nb.NewError(nb.KindTypeError, "ERR_CRYPTO_INVALID_DIGEST", "Invalid digest")
}

// signer is the state of a Sign or Verify object: the running digest.
type signer struct {
	alg crypto.Hash
	h   hash.Hash
}

func (m *module) newSigner(call goja.FunctionCall) (*signer, *goja.Object) {
	alg, ok := HashByName(m.algorithm(call))
	if !ok {
		m.throw(errInvalidDigest())
	}
	s := &signer{alg: alg, h: alg.New()}
	obj := m.vm.NewObject()
	_ = obj.Set("update", func(call goja.FunctionCall) goja.Value {
		s.h.Write(m.data("data", call.Argument(0), nb.OptString(call.Argument(1))))
		return obj
	})
	return s, obj
}

// createSign is crypto.createSign(algorithm): update(data, enc), sign(key, outEnc).
func (m *module) createSign(call goja.FunctionCall) goja.Value {
	s, obj := m.newSigner(call)
	_ = obj.Set("sign", func(call goja.FunctionCall) goja.Value {
		spec := m.keyArg(call.Argument(0), true)
		sig, err := m.signDigest(spec, s.alg, s.h.Sum(nil))
		if err != nil {
			m.throw(err)
		}
		return nb.Output(m.vm, sig, nb.OptString(call.Argument(1)))
	})
	return obj
}

// createVerify is crypto.createVerify(algorithm): update(data, enc),
// verify(key, signature, sigEnc) → boolean.
func (m *module) createVerify(call goja.FunctionCall) goja.Value {
	s, obj := m.newSigner(call)
	_ = obj.Set("verify", func(call goja.FunctionCall) goja.Value {
		spec := m.keyArg(call.Argument(0), false)
		sig := m.data("signature", call.Argument(1), nb.OptString(call.Argument(2)))
		return m.vm.ToValue(verifyDigest(spec, s.alg, s.h.Sum(nil), sig))
	})
	return obj
}

// signDigest signs a digest with an RSA (PKCS#1 v1.5 or PSS) or ECDSA key.
func (m *module) signDigest(spec keySpec, alg crypto.Hash, digest []byte) ([]byte, error) {
	random := m.vu.Env().Random
	switch k := spec.key.(type) {
	case *rsa.PrivateKey:
		if spec.padding == rsaPKCS1PSSPadding {
			return rsa.SignPSS(random, k, alg, digest, &rsa.PSSOptions{SaltLength: pssSalt(spec.saltLength), Hash: alg})
		}
		return rsa.SignPKCS1v15(nil, k, alg, digest)
	case *ecdsa.PrivateKey:
		return ecdsa.SignASN1(random, k, digest)
	}
	return nil, nb.NewError(nb.KindError, "ERR_OSSL_EVP_OPERATION_NOT_SUPPORTED_FOR_THIS_KEYTYPE", "error:03000096:digital envelope routines::operation not supported for this keytype")
}

// verifyDigest checks a signature; any malformed input is simply false, as in Node.
func verifyDigest(spec keySpec, alg crypto.Hash, digest, sig []byte) bool {
	switch k := spec.key.(type) {
	case *rsa.PublicKey:
		if spec.padding == rsaPKCS1PSSPadding {
			salt := rsa.PSSSaltLengthAuto
			if spec.saltLength != nil && *spec.saltLength != rsaPSSSaltLenMax {
				salt = pssSalt(spec.saltLength)
			}
			return rsa.VerifyPSS(k, alg, digest, sig, &rsa.PSSOptions{SaltLength: salt, Hash: alg}) == nil
		}
		return rsa.VerifyPKCS1v15(k, alg, digest, sig) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, digest, sig)
	}
	return false
}

// pssSalt maps Node's saltLength (RSA_PSS_SALTLEN_DIGEST -1, MAX_SIGN -2, default
// MAX_SIGN when signing) to Go's.
func pssSalt(n *int) int {
	switch {
	case n == nil || *n == rsaPSSSaltLenMax:
		return rsa.PSSSaltLengthAuto
	case *n == rsaPSSSaltLenDigest:
		return rsa.PSSSaltLengthEqualsHash
	}
	return *n
}

// oneShotAlg reads the algorithm of crypto.sign/verify: null or undefined means the
// key's default (SHA-256 for RSA and EC, none for Ed25519).
func (m *module) oneShotAlg(v goja.Value) crypto.Hash {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return crypto.SHA256
	}
	if !goja.IsString(v) {
		m.throw(nb.InvalidArgType("algorithm", "of type string", v))
	}
	h, ok := HashByName(v.String())
	if !ok {
		m.throw(errInvalidDigest())
	}
	return h
}

// oneShotSign is crypto.sign(algorithm, data, key[, callback]).
func (m *module) oneShotSign(call goja.FunctionCall) goja.Value {
	alg := m.oneShotAlg(call.Argument(0))
	data := m.data("data", call.Argument(1), "")
	spec := m.keyArg(call.Argument(2), true)
	var sig []byte
	var err error
	if k, ok := spec.key.(ed25519.PrivateKey); ok {
		sig = ed25519.Sign(k, data)
	} else {
		h := alg.New()
		h.Write(data)
		sig, err = m.signDigest(spec, alg, h.Sum(nil))
	}
	return m.result(call.Argument(3), func() (goja.Value, error) {
		if err != nil {
			return nil, err
		}
		return nb.New(m.vm, sig), nil
	})
}

// oneShotVerify is crypto.verify(algorithm, data, key, signature[, callback]).
func (m *module) oneShotVerify(call goja.FunctionCall) goja.Value {
	alg := m.oneShotAlg(call.Argument(0))
	data := m.data("data", call.Argument(1), "")
	spec := m.keyArg(call.Argument(2), false)
	sig := m.data("signature", call.Argument(3), "")
	var ok bool
	if k, isEd := spec.key.(ed25519.PublicKey); isEd {
		ok = ed25519.Verify(k, data, sig)
	} else {
		h := alg.New()
		h.Write(data)
		ok = verifyDigest(spec, alg, h.Sum(nil), sig)
	}
	return m.result(call.Argument(4), func() (goja.Value, error) { return m.vm.ToValue(ok), nil })
}

// result returns produce()'s value, or with a callback hands it over Node style on
// a later turn of the event loop.
func (m *module) result(cbArg goja.Value, produce func() (goja.Value, error)) goja.Value {
	if cbArg == nil || goja.IsUndefined(cbArg) {
		v, err := produce()
		if err != nil {
			m.throw(err)
		}
		return v
	}
	cb, ok := goja.AssertFunction(cbArg)
	if !ok {
		m.throw(nb.InvalidArgType("callback", "of type function", cbArg))
	}
	done := m.vu.RegisterCallback()
	done(func() error {
		v, err := produce()
		if err != nil {
			_, cerr := cb(goja.Undefined(), nb.ToJS(m.vm, err))
			return cerr
		}
		_, cerr := cb(goja.Undefined(), goja.Null(), v)
		return cerr
	})
	return goja.Undefined()
}
