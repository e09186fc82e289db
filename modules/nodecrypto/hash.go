package nodecrypto

import (
	"crypto"
	"crypto/hmac"
	_ "crypto/md5" // registers crypto.MD5
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha3"
	_ "crypto/sha512"
	"hash"
	"sort"
	"strings"

	"github.com/dop251/goja"

	nb "github.com/bmobemu/bmobemu/modules/nodebuffer"
)

// hashAliases maps OpenSSL digest names (lower case) to Go hashes; Node accepts
// them case-insensitively in createHash, createHmac, createSign and createVerify.
var hashAliases = map[string]crypto.Hash{
	"md5": crypto.MD5, "rsa-md5": crypto.MD5, "md5withrsaencryption": crypto.MD5, "ssl3-md5": crypto.MD5,
	"sha1": crypto.SHA1, "rsa-sha1": crypto.SHA1, "sha1withrsaencryption": crypto.SHA1, "ssl3-sha1": crypto.SHA1, "rsa-sha1-2": crypto.SHA1,
	"sha224": crypto.SHA224, "rsa-sha224": crypto.SHA224, "sha224withrsaencryption": crypto.SHA224, "sha2-224": crypto.SHA224,
	"sha256": crypto.SHA256, "rsa-sha256": crypto.SHA256, "sha256withrsaencryption": crypto.SHA256, "sha2-256": crypto.SHA256,
	"sha384": crypto.SHA384, "rsa-sha384": crypto.SHA384, "sha384withrsaencryption": crypto.SHA384, "sha2-384": crypto.SHA384,
	"sha512": crypto.SHA512, "rsa-sha512": crypto.SHA512, "sha512withrsaencryption": crypto.SHA512, "sha2-512": crypto.SHA512,
	"sha512-224": crypto.SHA512_224, "rsa-sha512/224": crypto.SHA512_224, "sha512-224withrsaencryption": crypto.SHA512_224,
	"sha512-256": crypto.SHA512_256, "rsa-sha512/256": crypto.SHA512_256, "sha512-256withrsaencryption": crypto.SHA512_256,
	"sha3-224": crypto.SHA3_224, "sha3-256": crypto.SHA3_256, "sha3-384": crypto.SHA3_384, "sha3-512": crypto.SHA3_512,
}

// HashByName resolves a Node/OpenSSL digest name such as "sha256", "RSA-SHA256" or
// "sha256WithRSAEncryption".
func HashByName(name string) (crypto.Hash, bool) {
	h, ok := hashAliases[strings.ToLower(name)]
	return h, ok
}

func hashNames() []string {
	out := make([]string, 0, len(hashAliases))
	for k := range hashAliases {
		out = append(out, strings.Replace(strings.Replace(k, "rsa-", "RSA-", 1), "withrsaencryption", "WithRSAEncryption", 1))
	}
	sort.Strings(out)
	return out
}

// digester is the state shared by Hash and Hmac objects.
type digester struct {
	m         *module
	h         hash.Hash
	finalized bool
	hmac      bool
}

func (m *module) algorithm(call goja.FunctionCall) string {
	alg := call.Argument(0)
	if !goja.IsString(alg) {
		m.throw(nb.InvalidArgType("algorithm", "of type string", alg))
	}
	return alg.String()
}

// createHash is crypto.createHash(algorithm).
func (m *module) createHash(call goja.FunctionCall) goja.Value {
	h, ok := HashByName(m.algorithm(call))
	if !ok {
		m.throw(nb.NewError(nb.KindError, "", "Digest method not supported"))
	}
	return m.digestObject(&digester{m: m, h: h.New()})
}

// createHmac is crypto.createHmac(algorithm, key).
func (m *module) createHmac(call goja.FunctionCall) goja.Value {
	name := m.algorithm(call)
	h, ok := HashByName(name)
	if !ok {
		m.throw(nb.NewError(nb.KindTypeError, "ERR_CRYPTO_INVALID_DIGEST", "Invalid digest: %s", name))
	}
	keyArg := call.Argument(1)
	var key []byte
	if k, isKey := m.keyObject(keyArg); isKey {
		secret, ok := k.([]byte)
		if !ok {
			m.throw(nb.NewError(nb.KindTypeError, "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", "Invalid key object type private, expected secret."))
		}
		key = secret
	} else {
		b, err := nb.ArgBytes(m.vm, "key", keyArg, "")
		if err != nil {
			m.throw(nb.InvalidArgType("key", "of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey", keyArg))
		}
		key = b
	}
	return m.digestObject(&digester{m: m, h: hmac.New(h.New, key), hmac: true})
}

func (m *module) digestObject(d *digester) *goja.Object {
	obj := m.vm.NewObject()
	_ = obj.Set("update", func(call goja.FunctionCall) goja.Value {
		if d.finalized {
			m.throw(nb.NewError(nb.KindError, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called"))
		}
		d.h.Write(m.data("data", call.Argument(0), nb.OptString(call.Argument(1))))
		return obj
	})
	_ = obj.Set("digest", func(call goja.FunctionCall) goja.Value {
		enc := nb.OptString(call.Argument(0))
		if d.finalized {
			if d.hmac {
				// Node's Hmac answers an empty result to a second digest.
				return nb.Output(m.vm, []byte{}, enc)
			}
			m.throw(nb.NewError(nb.KindError, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called"))
		}
		d.finalized = true
		return nb.Output(m.vm, d.h.Sum(nil), enc)
	})
	if !d.hmac {
		_ = obj.Set("copy", func(goja.FunctionCall) goja.Value {
			if d.finalized {
				m.throw(nb.NewError(nb.KindError, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called"))
			}
			cl, ok := d.h.(hash.Cloner)
			if !ok {
				m.throw(nb.NewError(nb.KindError, "", "hash.copy() is not supported for this algorithm"))
			}
			h, err := cl.Clone()
			if err != nil {
				m.throw(err)
			}
			return m.digestObject(&digester{m: m, h: h})
		})
	}
	return obj
}
