package nodecrypto

import (
	"crypto/pbkdf2"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/dop251/goja"

	nb "github.com/bmobemu/bmobemu/modules/nodebuffer"
)

// pbkdf2Sync is crypto.pbkdf2Sync(password, salt, iterations, keylen, digest).
func (m *module) pbkdf2Sync(call goja.FunctionCall) goja.Value {
	key, err := m.pbkdf2Args(call)
	if err != nil {
		m.throw(err)
	}
	return nb.New(m.vm, key())
}

// pbkdf2 is crypto.pbkdf2(password, salt, iterations, keylen, digest, callback):
// the key is derived off the JS thread.
func (m *module) pbkdf2(call goja.FunctionCall) goja.Value {
	cbArg := call.Argument(5)
	cb, ok := goja.AssertFunction(cbArg)
	if !ok {
		m.throw(nb.InvalidArgType("callback", "of type function", cbArg))
	}
	key, err := m.pbkdf2Args(call)
	if err != nil {
		m.throw(err)
	}
	done := m.vu.RegisterCallback()
	go func() {
		k := key()
		done(func() error {
			_, err := cb(goja.Undefined(), goja.Null(), nb.New(m.vm, k))
			return err
		})
	}()
	return goja.Undefined()
}

// pbkdf2Args checks the arguments as Node does and returns the derivation to run.
func (m *module) pbkdf2Args(call goja.FunctionCall) (func() []byte, error) {
	password := m.data("password", call.Argument(0), "utf8")
	salt := m.data("salt", call.Argument(1), "utf8")
	iterations, keylen, digestArg := call.Argument(2), call.Argument(3), call.Argument(4)
	if !goja.IsNumber(iterations) {
		return nil, nb.InvalidArgType("iterations", "of type number", iterations)
	}
	if it := iterations.ToFloat(); it < 1 || it > math.MaxInt32 || it != math.Trunc(it) {
		return nil, nb.NewError(nb.KindRangeError, "ERR_OUT_OF_RANGE", "The value of \"iterations\" is out of range. It must be >= 1 && <= 2147483647. Received %s", iterations.String())
	}
	if !goja.IsNumber(keylen) {
		return nil, nb.InvalidArgType("keylen", "of type number", keylen)
	}
	if kl := keylen.ToFloat(); kl < 0 || kl > math.MaxInt32 || kl != math.Trunc(kl) {
		return nil, nb.NewError(nb.KindRangeError, "ERR_OUT_OF_RANGE", "The value of \"keylen\" is out of range. It must be >= 0 && <= 2147483647. Received %s", keylen.String())
	}
	if _, isStr := digestArg.Export().(string); !isStr {
		return nil, nb.InvalidArgType("digest", "of type string", digestArg)
	}
	h, ok := HashByName(digestArg.String())
	if !ok {
		return nil, nb.NewError(nb.KindTypeError, "ERR_CRYPTO_INVALID_DIGEST", "Invalid digest: %s", digestArg.String())
	}
	n, kl := int(iterations.ToInteger()), int(keylen.ToInteger())
	return func() []byte {
		key, err := pbkdf2.Key(h.New, string(password), salt, n, kl)
		if err != nil {
			panic(fmt.Errorf("pbkdf2: %w", err)) // only for FIPS-only modes, which bmobemu does not use
		}
		return key
	}, nil
}

// randomInt is crypto.randomInt([min, ]max[, callback]): a uniform integer in
// [min, max) from the emulator's random source.
func (m *module) randomInt(call goja.FunctionCall) goja.Value {
	args := call.Arguments
	var cb goja.Callable
	if n := len(args); n > 0 {
		if f, ok := goja.AssertFunction(args[n-1]); ok {
			cb = f
			args = args[:n-1]
		}
	}
	minV, maxV := goja.Value(m.vm.ToValue(0)), goja.Undefined()
	switch len(args) {
	case 0:
	case 1:
		maxV = args[0]
	default:
		minV, maxV = args[0], args[1]
	}
	for _, a := range []struct {
		name string
		v    goja.Value
	}{{"min", minV}, {"max", maxV}} {
		f := a.v.ToFloat()
		if !goja.IsNumber(a.v) || f != math.Trunc(f) || math.Abs(f) > 1<<53-1 {
			m.throw(nb.InvalidArgType(a.name, "a safe integer", a.v))
		}
	}
	lo, hi := minV.ToInteger(), maxV.ToInteger()
	if hi <= lo {
		m.throw(nb.NewError(nb.KindRangeError, "ERR_OUT_OF_RANGE", "The value of \"max\" is out of range. It must be greater than the value of \"min\" (%d). Received %d", lo, hi))
	}
	span := uint64(hi - lo)
	b, err := m.read(8)
	if err != nil {
		m.throw(err)
	}
	// Rejection sampling keeps the distribution uniform.
	limit := math.MaxUint64 - math.MaxUint64%span
	r := binary.BigEndian.Uint64(b)
	for r >= limit {
		if b, err = m.read(8); err != nil {
			m.throw(err)
		}
		r = binary.BigEndian.Uint64(b)
	}
	v := m.vm.ToValue(lo + int64(r%span))
	if cb == nil {
		return v
	}
	done := m.vu.RegisterCallback()
	done(func() error { _, err := cb(goja.Undefined(), goja.Null(), v); return err })
	return goja.Undefined()
}
