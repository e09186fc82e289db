// Package nodecrypto is Node's `crypto` module for Bmob scripts (`modules.oCrypto`,
// `require('crypto')`), backed by Go's crypto packages: hashes, HMAC, RSA signatures
// and encryption, AES ciphers (CBC, ECB, GCM, CTR), random bytes, with Node's error
// messages and codes.
package nodecrypto

import (
	"crypto/subtle"
	"fmt"
	"io"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
	nb "github.com/bmobemu/bmobemu/modules/nodebuffer"
)

// module is one VM's crypto module.
type module struct {
	vu modules.VU
	vm *goja.Runtime
	// keySym marks KeyObjects made by createPrivateKey/createPublicKey; its value is
	// the Go key.
	keySym *goja.Symbol
}

// New returns the `crypto` module object. Register it as modules.oCrypto and as
// require('crypto'). The VM must have Buffer enabled by nodebuffer.Enable.
func New(vu modules.VU) (goja.Value, error) {
	m := &module{vu: vu, vm: vu.Runtime(), keySym: goja.NewSymbol("KeyObject")}
	obj := m.vm.NewObject()
	set := func(name string, fn func(goja.FunctionCall) goja.Value) {
		if err := obj.Set(name, fn); err != nil {
			panic(fmt.Errorf("nodecrypto: setting %s: %w", name, err))
		}
	}
	set("createHash", m.createHash)
	set("createHmac", m.createHmac)
	set("createSign", m.createSign)
	set("createVerify", m.createVerify)
	set("sign", m.oneShotSign)
	set("verify", m.oneShotVerify)
	set("publicEncrypt", m.publicEncrypt)
	set("privateDecrypt", m.privateDecrypt)
	set("privateEncrypt", m.privateEncrypt)
	set("publicDecrypt", m.publicDecrypt)
	set("createPrivateKey", m.createPrivateKey)
	set("createPublicKey", m.createPublicKey)
	set("createCipheriv", func(call goja.FunctionCall) goja.Value { return m.newCipher(call, true) })
	set("createDecipheriv", func(call goja.FunctionCall) goja.Value { return m.newCipher(call, false) })
	set("randomBytes", m.randomBytes)
	set("randomUUID", m.randomUUID)
	set("timingSafeEqual", m.timingSafeEqual)
	set("pbkdf2Sync", m.pbkdf2Sync)
	set("pbkdf2", m.pbkdf2)
	set("randomInt", m.randomInt)
	set("getHashes", func(goja.FunctionCall) goja.Value { return m.strings(hashNames()) })
	set("getCiphers", func(goja.FunctionCall) goja.Value { return m.strings(cipherNames()) })
	if err := obj.Set("constants", m.constants()); err != nil {
		return nil, fmt.Errorf("nodecrypto: constants: %w", err)
	}
	return obj, nil
}

func (m *module) strings(list []string) goja.Value {
	vals := make([]any, len(list))
	for i, s := range list {
		vals[i] = s
	}
	return m.vm.NewArray(vals...)
}

func (m *module) throw(err error) {
	nb.Throw(m.vm, err)
}

// data reads a data argument (string in enc, Buffer, TypedArray, DataView) or throws
// Node's ERR_INVALID_ARG_TYPE for name.
func (m *module) data(name string, v goja.Value, enc string) []byte {
	b, err := nb.ArgBytes(m.vm, name, v, enc)
	if err != nil {
		m.throw(err)
	}
	return b
}

// Node's RSA constants (the ones scripts pass as padding and saltLength).
const (
	rsaPKCS1Padding     = 1
	rsaNoPadding        = 3
	rsaPKCS1OAEPPadding = 4
	rsaPKCS1PSSPadding  = 6
	rsaPSSSaltLenDigest = -1
	rsaPSSSaltLenMax    = -2
)

func (m *module) constants() *goja.Object {
	c := m.vm.NewObject()
	for k, v := range map[string]int{
		"RSA_PKCS1_PADDING":             rsaPKCS1Padding,
		"RSA_NO_PADDING":                rsaNoPadding,
		"RSA_PKCS1_OAEP_PADDING":        rsaPKCS1OAEPPadding,
		"RSA_PKCS1_PSS_PADDING":         rsaPKCS1PSSPadding,
		"RSA_PSS_SALTLEN_DIGEST":        rsaPSSSaltLenDigest,
		"RSA_PSS_SALTLEN_MAX_SIGN":      rsaPSSSaltLenMax,
		"RSA_PSS_SALTLEN_AUTO":          rsaPSSSaltLenMax,
		"RSA_SSLV23_PADDING":            2,
		"RSA_X931_PADDING":              5,
		"POINT_CONVERSION_COMPRESSED":   2,
		"POINT_CONVERSION_UNCOMPRESSED": 4,
		"POINT_CONVERSION_HYBRID":       6,
	} {
		_ = c.Set(k, v)
	}
	return c
}

const maxRandomBytes = 2147483647

// randomBytes is crypto.randomBytes(size[, callback]) reading Env.Random.
func (m *module) randomBytes(call goja.FunctionCall) goja.Value {
	size := call.Argument(0)
	if !goja.IsNumber(size) {
		m.throw(nb.InvalidArgType("size", "of type number", size))
	}
	n := size.ToFloat()
	if n < 0 || n > maxRandomBytes || n != n {
		m.throw(nb.NewError(nb.KindRangeError, "ERR_OUT_OF_RANGE", "The value of \"size\" is out of range. It must be >= 0 && <= %d. Received %s", maxRandomBytes, size.String()))
	}
	cbArg := call.Argument(1)
	if goja.IsUndefined(cbArg) {
		b, err := m.read(int(n))
		if err != nil {
			m.throw(err)
		}
		return nb.New(m.vm, b)
	}
	cb, ok := goja.AssertFunction(cbArg)
	if !ok {
		m.throw(nb.InvalidArgType("callback", "of type function", cbArg))
	}
	done := m.vu.RegisterCallback()
	random := m.vu.Env().Random
	go func() {
		b := make([]byte, int(n))
		_, err := io.ReadFull(random, b)
		done(func() error {
			if err != nil {
				_, cerr := cb(goja.Undefined(), nb.ToJS(m.vm, fmt.Errorf("randomBytes: %w", err)))
				return cerr
			}
			_, cerr := cb(goja.Undefined(), goja.Null(), nb.New(m.vm, b))
			return cerr
		})
	}()
	return goja.Undefined()
}

func (m *module) read(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(m.vu.Env().Random, b); err != nil {
		return nil, fmt.Errorf("reading random bytes: %w", err)
	}
	return b, nil
}

// randomUUID is crypto.randomUUID(): a lower-case RFC 4122 version 4 UUID.
func (m *module) randomUUID(goja.FunctionCall) goja.Value {
	b, err := m.read(16)
	if err != nil {
		m.throw(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return m.vm.ToValue(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
}

// timingSafeEqual compares two equally long byte sequences in constant time.
func (m *module) timingSafeEqual(call goja.FunctionCall) goja.Value {
	const expected = "an instance of ArrayBuffer, Buffer, TypedArray, or DataView"
	var bufs [2][]byte
	for i, name := range []string{"buf1", "buf2"} {
		v := call.Argument(i)
		if goja.IsString(v) {
			m.throw(nb.InvalidArgType(name, expected, v))
		}
		b, err := nb.ArgBytes(m.vm, name, v, "")
		if err != nil {
			m.throw(nb.InvalidArgType(name, expected, v))
		}
		bufs[i] = b
	}
	if len(bufs[0]) != len(bufs[1]) {
		m.throw(nb.NewError(nb.KindRangeError, "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", "Input buffers must have the same byte length"))
	}
	return m.vm.ToValue(subtle.ConstantTimeCompare(bufs[0], bufs[1]) == 1)
}
