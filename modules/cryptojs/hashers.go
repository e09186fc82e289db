package cryptojs

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"

	"github.com/dop251/goja"
)

// hashers are the digests crypto-js exposes as CryptoJS.<name> and Hmac<name>.
var hashers = map[string]func() hash.Hash{
	"MD5":    md5.New,
	"SHA1":   sha1.New,
	"SHA224": sha256.New224,
	"SHA256": sha256.New,
	"SHA384": sha512.New384,
	"SHA512": sha512.New,
}

// installHashers defines CryptoJS.MD5(message), HmacMD5(message, key), … and
// CryptoJS.algo.<name> (the hasher identities PBKDF2 and EvpKDF accept).
func (l *lib) installHashers(root *goja.Object) error {
	vm := l.vm
	algo := vm.NewObject()
	for name, newHash := range hashers {
		newHash := newHash
		if err := root.Set(name, func(call goja.FunctionCall) goja.Value {
			h := newHash()
			h.Write(l.bytesOf(call.Argument(0)))
			return l.wordArrayOf(h.Sum(nil))
		}); err != nil {
			return fmt.Errorf("cryptojs: defining %s: %w", name, err)
		}
		if err := root.Set("Hmac"+name, func(call goja.FunctionCall) goja.Value {
			m := hmac.New(newHash, l.bytesOf(call.Argument(1)))
			m.Write(l.bytesOf(call.Argument(0)))
			return l.wordArrayOf(m.Sum(nil))
		}); err != nil {
			return fmt.Errorf("cryptojs: defining Hmac%s: %w", name, err)
		}
		id := vm.NewObject()
		_ = id.Set("name", name)
		l.algos[name] = id
		_ = algo.Set(name, id)
	}
	l.algoAES = vm.NewObject()
	_ = algo.Set("AES", l.algoAES)
	if err := root.Set("algo", algo); err != nil {
		return err
	}
	if err := root.Set("PBKDF2", l.pbkdf2); err != nil {
		return err
	}
	return root.Set("EvpKDF", l.evpKDF)
}

// kdfConfig reads {keySize (words), iterations, hasher} with the given defaults.
func (l *lib) kdfConfig(v goja.Value, keyWords, iterations int, hasher string) (int, int, func() hash.Hash) {
	newHash := hashers[hasher]
	if cfg, ok := v.(*goja.Object); ok {
		if ks := cfg.Get("keySize"); ks != nil && !goja.IsUndefined(ks) {
			keyWords = int(ks.ToInteger())
		}
		if it := cfg.Get("iterations"); it != nil && !goja.IsUndefined(it) {
			iterations = int(it.ToInteger())
		}
		if h, ok := cfg.Get("hasher").(*goja.Object); ok {
			newHash = l.hasherOf(h)
		}
	}
	if keyWords < 0 {
		keyWords = 0
	}
	return keyWords, iterations, newHash
}

// hasherOf maps a CryptoJS.algo.<name> object back to its Go hash.
func (l *lib) hasherOf(obj *goja.Object) func() hash.Hash {
	for name, id := range l.algos {
		if id.SameAs(obj) {
			return hashers[name]
		}
	}
	panic(l.vm.NewTypeError("cryptojs: unsupported hasher; use one of CryptoJS.algo.MD5, SHA1, SHA224, SHA256, SHA384, SHA512"))
}

// pbkdf2 is CryptoJS.PBKDF2(password, salt, cfg), with crypto-js 4.2's defaults:
// keySize 4 words, SHA256, 250000 iterations.
func (l *lib) pbkdf2(call goja.FunctionCall) goja.Value {
	keyWords, iterations, newHash := l.kdfConfig(call.Argument(2), 4, 250000, "SHA256")
	key, err := pbkdf2.Key(newHash, string(l.bytesOf(call.Argument(0))), l.bytesOf(call.Argument(1)), iterations, keyWords*4)
	if err != nil {
		panic(l.vm.NewGoError(fmt.Errorf("cryptojs: PBKDF2: %w", err)))
	}
	return l.wordArrayOf(key)
}

// evpKDF is CryptoJS.EvpKDF(password, salt, cfg): OpenSSL's EVP_BytesToKey,
// defaults keySize 4 words, MD5, 1 iteration.
func (l *lib) evpKDF(call goja.FunctionCall) goja.Value {
	keyWords, iterations, newHash := l.kdfConfig(call.Argument(2), 4, 1, "MD5")
	return l.wordArrayOf(evpBytesToKey(newHash, l.bytesOf(call.Argument(0)), l.bytesOf(call.Argument(1)), iterations, keyWords*4))
}

// evpBytesToKey derives n bytes: D_i = H^count(D_{i-1} || password || salt).
func evpBytesToKey(newHash func() hash.Hash, password, salt []byte, count, n int) []byte {
	var out, prev []byte
	for len(out) < n {
		h := newHash()
		h.Write(prev)
		h.Write(password)
		h.Write(salt)
		prev = h.Sum(nil)
		for i := 1; i < count; i++ {
			h.Reset()
			h.Write(prev)
			prev = h.Sum(nil)
		}
		out = append(out, prev...)
	}
	return out[:n]
}
