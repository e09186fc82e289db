package nodecrypto

import (
	"crypto/aes"
	"crypto/cipher"
	"sort"
	"strings"

	"github.com/dop251/goja"

	nb "github.com/bmobemu/bmobemu/modules/nodebuffer"
)

// cipherSpec describes one supported cipher name.
type cipherSpec struct {
	keyLen int
	mode   string // cbc, ecb, gcm, ctr
}

var cipherSpecs = map[string]cipherSpec{
	"aes-128-cbc": {16, "cbc"}, "aes-192-cbc": {24, "cbc"}, "aes-256-cbc": {32, "cbc"},
	"aes128": {16, "cbc"}, "aes192": {24, "cbc"}, "aes256": {32, "cbc"},
	"aes-128-ecb": {16, "ecb"}, "aes-192-ecb": {24, "ecb"}, "aes-256-ecb": {32, "ecb"},
	"aes-128-gcm": {16, "gcm"}, "aes-192-gcm": {24, "gcm"}, "aes-256-gcm": {32, "gcm"},
	"id-aes128-gcm": {16, "gcm"}, "id-aes192-gcm": {24, "gcm"}, "id-aes256-gcm": {32, "gcm"},
	"aes-128-ctr": {16, "ctr"}, "aes-192-ctr": {24, "ctr"}, "aes-256-ctr": {32, "ctr"},
}

func cipherNames() []string {
	out := make([]string, 0, len(cipherSpecs))
	for k := range cipherSpecs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func errState(op string) *nb.Error {
	return nb.NewError(nb.KindError, "ERR_CRYPTO_INVALID_STATE", "Invalid state for operation %s", op)
}

func errWrongFinalBlock() *nb.Error {
	return nb.NewError(nb.KindError, "ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH", "error:1C80006B:Provider routines::wrong final block length")
}

func errBadDecrypt() *nb.Error {
	return nb.NewError(nb.KindError, "ERR_OSSL_BAD_DECRYPT", "error:1C800064:Provider routines::bad decrypt")
}

// gcmNonceSize is the only nonce size for which update can stream (see cipherState).
const gcmNonceSize = 12

// cipherState is one Cipher or Decipher object.
type cipherState struct {
	encrypt bool
	mode    string
	block   cipher.Block
	iv      []byte
	autoPad bool
	pending []byte // cbc/ecb bytes not yet processed
	cbc     cipher.BlockMode
	stream  cipher.Stream // ctr, and gcm's keystream for streaming update
	aad     []byte
	all     []byte // gcm: every input byte, for Seal/Open in final
	tag     []byte
	done    bool
	text    textOut
}

// newCipher is crypto.createCipheriv / createDecipheriv(algorithm, key, iv[, options]).
func (m *module) newCipher(call goja.FunctionCall, encrypt bool) goja.Value {
	name := m.algorithm(call)
	spec, ok := cipherSpecs[strings.ToLower(name)]
	if !ok {
		m.throw(nb.NewError(nb.KindTypeError, "ERR_CRYPTO_UNKNOWN_CIPHER", "Unknown cipher"))
	}
	key := m.cipherKey(call.Argument(1))
	if len(key) != spec.keyLen {
		m.throw(nb.NewError(nb.KindRangeError, "ERR_CRYPTO_INVALID_KEYLEN", "Invalid key length"))
	}
	var iv []byte
	if ivArg := call.Argument(2); !goja.IsNull(ivArg) {
		iv = m.data("iv", ivArg, "")
	}
	switch spec.mode {
	case "ecb":
		if len(iv) != 0 {
			m.throw(errInvalidIV())
		}
	case "gcm":
		if len(iv) == 0 {
			m.throw(errInvalidIV())
		}
	default:
		if len(iv) != aes.BlockSize {
			m.throw(errInvalidIV())
		}
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		m.throw(err)
	}
	s := &cipherState{encrypt: encrypt, mode: spec.mode, block: block, iv: append([]byte(nil), iv...), autoPad: true}
	switch spec.mode {
	case "cbc":
		if encrypt {
			s.cbc = cipher.NewCBCEncrypter(block, iv)
		} else {
			s.cbc = cipher.NewCBCDecrypter(block, iv)
		}
	case "ctr":
		s.stream = cipher.NewCTR(block, iv)
	case "gcm":
		if len(iv) == gcmNonceSize {
			// GCM encrypts with CTR from counter nonce‖00000002; using that keystream
			// lets update return data before the tag is known, as OpenSSL does.
			ctr := append(append([]byte(nil), iv...), 0, 0, 0, 2)
			s.stream = cipher.NewCTR(block, ctr)
		}
	}
	return m.cipherObject(s)
}

func errInvalidIV() *nb.Error {
	return nb.NewError(nb.KindTypeError, "ERR_CRYPTO_INVALID_IV", "Invalid initialization vector")
}

// cipherKey reads a cipher key: string (utf8), bytes, or a secret KeyObject.
func (m *module) cipherKey(v goja.Value) []byte {
	if k, ok := m.keyObject(v); ok {
		if secret, ok := k.([]byte); ok {
			return secret
		}
		m.throw(nb.NewError(nb.KindTypeError, "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", "Invalid key object type %s, expected secret.", func() string { t, _ := keyTypeName(k); return t }()))
	}
	b, err := nb.ArgBytes(m.vm, "key", v, "")
	if err != nil {
		m.throw(nb.InvalidArgType("key", keyExpected, v))
	}
	return b
}

func (m *module) cipherObject(s *cipherState) *goja.Object {
	obj := m.vm.NewObject()
	_ = obj.Set("update", func(call goja.FunctionCall) goja.Value {
		if s.done {
			m.throw(errState("update"))
		}
		data := m.data("data", call.Argument(0), nb.OptString(call.Argument(1)))
		return m.output(&s.text, s.update(data), call.Argument(2), false)
	})
	_ = obj.Set("final", func(call goja.FunctionCall) goja.Value {
		if s.done {
			m.throw(errState("final"))
		}
		s.done = true
		out, err := s.final()
		if err != nil {
			m.throw(err)
		}
		return m.output(&s.text, out, call.Argument(0), true)
	})
	_ = obj.Set("setAutoPadding", func(call goja.FunctionCall) goja.Value {
		s.autoPad = goja.IsUndefined(call.Argument(0)) || call.Argument(0).ToBoolean()
		return obj
	})
	_ = obj.Set("setAAD", func(call goja.FunctionCall) goja.Value {
		if s.mode != "gcm" {
			m.throw(errState("setAAD"))
		}
		s.aad = append(s.aad, m.data("buffer", call.Argument(0), "")...)
		return obj
	})
	if s.encrypt {
		_ = obj.Set("getAuthTag", func(goja.FunctionCall) goja.Value {
			if s.mode != "gcm" || !s.done {
				m.throw(errState("getAuthTag"))
			}
			return nb.New(m.vm, append([]byte(nil), s.tag...))
		})
	} else {
		_ = obj.Set("setAuthTag", func(call goja.FunctionCall) goja.Value {
			if s.mode != "gcm" || s.done {
				m.throw(errState("setAuthTag"))
			}
			tag := m.data("buffer", call.Argument(0), "")
			if n := len(tag); n != 4 && n != 8 && (n < 12 || n > 16) {
				m.throw(nb.NewError(nb.KindTypeError, "ERR_CRYPTO_INVALID_AUTH_TAG", "Invalid authentication tag length: %d", n))
			}
			s.tag = append([]byte(nil), tag...)
			return obj
		})
	}
	return obj
}

// update processes data and returns what is ready.
func (s *cipherState) update(data []byte) []byte {
	switch s.mode {
	case "ctr":
		out := make([]byte, len(data))
		s.stream.XORKeyStream(out, data)
		return out
	case "gcm":
		s.all = append(s.all, data...)
		if s.stream == nil {
			return []byte{}
		}
		out := make([]byte, len(data))
		s.stream.XORKeyStream(out, data)
		return out
	}
	buf := append(s.pending, data...)
	n := len(buf) / aes.BlockSize * aes.BlockSize
	// A decipher with padding keeps the last block back: it may be the padding.
	if !s.encrypt && s.autoPad && n == len(buf) && n > 0 {
		n -= aes.BlockSize
	}
	out := s.blocks(buf[:n])
	s.pending = append([]byte(nil), buf[n:]...)
	return out
}

func (s *cipherState) blocks(in []byte) []byte {
	out := make([]byte, len(in))
	if s.mode == "cbc" {
		s.cbc.CryptBlocks(out, in)
		return out
	}
	for i := 0; i < len(in); i += aes.BlockSize {
		if s.encrypt {
			s.block.Encrypt(out[i:], in[i:])
		} else {
			s.block.Decrypt(out[i:], in[i:])
		}
	}
	return out
}

// final flushes padding (cbc/ecb) or computes/checks the tag (gcm).
func (s *cipherState) final() ([]byte, error) {
	switch s.mode {
	case "ctr":
		return []byte{}, nil
	case "gcm":
		return s.finalGCM()
	}
	if s.encrypt {
		if !s.autoPad {
			if len(s.pending) != 0 {
				return nil, errWrongFinalBlock()
			}
			return []byte{}, nil
		}
		pad := aes.BlockSize - len(s.pending)
		for range pad {
			s.pending = append(s.pending, byte(pad))
		}
		return s.blocks(s.pending), nil
	}
	if !s.autoPad {
		if len(s.pending) != 0 {
			return nil, errWrongFinalBlock()
		}
		return []byte{}, nil
	}
	if len(s.pending) != aes.BlockSize {
		return nil, errWrongFinalBlock()
	}
	last := s.blocks(s.pending)
	pad := int(last[len(last)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, errBadDecrypt()
	}
	for _, c := range last[len(last)-pad:] {
		if int(c) != pad {
			return nil, errBadDecrypt()
		}
	}
	return last[:len(last)-pad], nil
}

func (s *cipherState) finalGCM() ([]byte, error) {
	tagSize := 16
	if !s.encrypt && len(s.tag) >= 12 {
		tagSize = len(s.tag)
	}
	var aead cipher.AEAD
	var err error
	switch {
	case len(s.iv) != gcmNonceSize:
		aead, err = cipher.NewGCMWithNonceSize(s.block, len(s.iv))
	default:
		aead, err = cipher.NewGCMWithTagSize(s.block, tagSize)
	}
	if err != nil {
		return nil, errAuth()
	}
	if s.encrypt {
		sealed := aead.Seal(nil, s.iv, s.all, s.aad)
		s.tag = sealed[len(s.all):]
		if s.stream == nil {
			return sealed[:len(s.all)], nil
		}
		return []byte{}, nil
	}
	if len(s.tag) != aead.Overhead() {
		return nil, errAuth()
	}
	plain, err := aead.Open(nil, s.iv, append(append([]byte(nil), s.all...), s.tag...), s.aad)
	if err != nil {
		return nil, errAuth()
	}
	if s.stream == nil {
		return plain, nil
	}
	return []byte{}, nil
}

// errAuth is the GCM tag failure; Node gives it no code.
func errAuth() *nb.Error {
	return nb.NewError(nb.KindError, "", "Unsupported state or unable to authenticate data")
}
