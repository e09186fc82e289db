package cryptojs

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"fmt"
	"io"

	"github.com/dop251/goja"
)

// opensslMagic starts OpenSSL's salted format ("U2FsdGVkX1" in Base64).
var opensslMagic = []byte("Salted__")

// aesConfig is the cfg argument of AES.encrypt/decrypt, resolved.
type aesConfig struct {
	mode    string // "CBC" or "ECB"
	padding string
	iv      *goja.Object
	salt    *goja.Object
	format  *goja.Object
	modeObj *goja.Object
	padObj  *goja.Object
}

func (l *lib) readConfig(v goja.Value) aesConfig {
	c := aesConfig{mode: "CBC", padding: "Pkcs7", modeObj: l.modes["CBC"], padObj: l.pads["Pkcs7"], format: l.formats["OpenSSL"]}
	cfg, ok := v.(*goja.Object)
	if !ok {
		return c
	}
	if m, ok := cfg.Get("mode").(*goja.Object); ok {
		c.mode, c.modeObj = l.identify(m, l.modes, "mode", "CryptoJS.mode.CBC or CryptoJS.mode.ECB")
	}
	if p, ok := cfg.Get("padding").(*goja.Object); ok {
		c.padding, c.padObj = l.identify(p, l.pads, "padding", "a CryptoJS.pad value")
	}
	c.iv, _ = isWordArray(cfg.Get("iv"))
	c.salt, _ = isWordArray(cfg.Get("salt"))
	if f, ok := cfg.Get("format").(*goja.Object); ok {
		c.format = f
	}
	return c
}

// identify finds which of our objects (modes or paddings) a script passed.
func (l *lib) identify(obj *goja.Object, known map[string]*goja.Object, what, supported string) (string, *goja.Object) {
	for name, o := range known {
		if o.SameAs(obj) {
			return name, o
		}
	}
	panic(l.vm.NewTypeError(fmt.Sprintf("cryptojs: unsupported %s; bmobemu supports %s", what, supported)))
}

// keyAndIV resolves the key argument: a WordArray is the key itself; anything else
// is a passphrase, stretched with EVP_BytesToKey(MD5) and an 8-byte salt into an
// AES-256 key and IV. The salt is nil for a WordArray key.
func (l *lib) keyAndIV(keyArg goja.Value, c *aesConfig, salt []byte) (key, iv, saltOut []byte, keyObj, ivObj *goja.Object) {
	if k, ok := isWordArray(keyArg); ok {
		key = l.sigBytes(k)
		if c.iv != nil {
			// crypto-js reads the IV's first four words whatever its sigBytes.
			words, _ := l.readWords(c.iv)
			iv = append(words, make([]byte, blockBytes)...)[:blockBytes]
		}
		return key, iv, nil, k, c.iv
	}
	if salt == nil {
		salt = make([]byte, 8)
		if _, err := io.ReadFull(l.vu.Env().Random, salt); err != nil {
			panic(l.vm.NewGoError(fmt.Errorf("cryptojs: salt: %w", err)))
		}
	}
	derived := evpBytesToKey(md5.New, []byte(keyArg.String()), salt, 1, 32+blockBytes)
	key, iv = derived[:32], derived[32:]
	return key, iv, salt, l.wordArrayOf(key), l.wordArrayOf(iv)
}

func (l *lib) blockCipher(key []byte) cipher.Block {
	switch len(key) {
	case 16, 24, 32:
	default:
		panic(l.vm.NewGoError(fmt.Errorf("cryptojs: AES key is %d bytes; bmobemu needs 16, 24 or 32 (crypto-js silently runs a non-standard AES on other sizes)", len(key))))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		panic(l.vm.NewGoError(fmt.Errorf("cryptojs: AES key: %w", err)))
	}
	return b
}

// crypt runs the block mode over whole blocks of data.
func (l *lib) crypt(c *aesConfig, key, iv, data []byte, encrypt bool) []byte {
	b := l.blockCipher(key)
	out := make([]byte, len(data))
	if c.mode == "ECB" {
		for i := 0; i+blockBytes <= len(data); i += blockBytes {
			if encrypt {
				b.Encrypt(out[i:], data[i:i+blockBytes])
			} else {
				b.Decrypt(out[i:], data[i:i+blockBytes])
			}
		}
		return out
	}
	if iv == nil {
		// What crypto-js's CBC throws when cfg.iv is missing.
		panic(l.vm.NewTypeError("Cannot read properties of undefined (reading '0')"))
	}
	if encrypt {
		cipher.NewCBCEncrypter(b, iv).CryptBlocks(out, data)
	} else {
		cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, data)
	}
	return out
}

// encrypt is CryptoJS.AES.encrypt(message, key, cfg) and returns CipherParams.
func (l *lib) encrypt(call goja.FunctionCall) goja.Value {
	c := l.readConfig(call.Argument(2))
	var salt []byte
	if c.salt != nil {
		salt = l.sigBytes(c.salt)
	}
	key, iv, salt, keyObj, ivObj := l.keyAndIV(call.Argument(1), &c, salt)
	padded, sig, err := paddings[c.padding].pad(l.bytesOf(call.Argument(0)), l.vu.Env().Random)
	if err != nil {
		panic(l.vm.NewGoError(err))
	}
	ct := l.crypt(&c, key, iv, padded, true)
	// crypto-js keeps the words that hold the significant bytes, no more.
	ct = ct[:min(len(ct), (sig+3)/4*4)]
	params := map[string]goja.Value{
		"ciphertext": l.newWordArray(ct, float64(sig)),
		"key":        keyObj,
		"iv":         goja.Undefined(),
		"algorithm":  l.algoAES,
		"mode":       c.modeObj,
		"padding":    c.padObj,
		"blockSize":  l.vm.ToValue(4),
		"formatter":  c.format,
	}
	if ivObj != nil {
		params["iv"] = ivObj
	}
	if salt != nil {
		params["salt"] = l.wordArrayOf(salt)
	}
	return l.newCipherParams(params)
}

// decrypt is CryptoJS.AES.decrypt(ciphertext, key, cfg) and returns a WordArray.
func (l *lib) decrypt(call goja.FunctionCall) goja.Value {
	c := l.readConfig(call.Argument(2))
	params := call.Argument(0)
	if _, isObj := params.(*goja.Object); !isObj {
		parse, ok := goja.AssertFunction(c.format.Get("parse"))
		if !ok {
			panic(l.vm.NewTypeError("format.parse is not a function"))
		}
		var err error
		if params, err = parse(c.format, params); err != nil {
			panic(err)
		}
	}
	p := params.ToObject(l.vm)
	ctObj, ok := isWordArray(p.Get("ciphertext"))
	if !ok {
		panic(l.vm.NewTypeError("Cannot read properties of undefined (reading 'words')"))
	}
	var salt []byte
	if s, ok := isWordArray(p.Get("salt")); ok {
		salt = l.sigBytes(s)
	}
	key, iv, _, _, _ := l.keyAndIV(call.Argument(1), &c, salt)
	ct := l.sigBytes(ctObj)
	ct = append(ct, make([]byte, zeroFill(len(ct)))...)
	plain := l.crypt(&c, key, iv, ct, false)
	return l.newWordArray(plain, paddings[c.padding].unpad(plain))
}

// newCipherParams makes a CipherParams object from its fields.
func (l *lib) newCipherParams(fields map[string]goja.Value) *goja.Object {
	obj := l.vm.NewObject()
	_ = obj.SetPrototype(l.cpProto)
	for _, k := range []string{"ciphertext", "key", "iv", "algorithm", "mode", "padding", "blockSize", "formatter", "salt"} {
		if v, ok := fields[k]; ok {
			_ = obj.Set(k, v)
		}
	}
	return obj
}

// installCipher builds CryptoJS.AES, mode, pad, format and lib.CipherParams.
func (l *lib) installCipher(root, libObj *goja.Object) error {
	vm := l.vm
	for _, group := range []struct {
		name  string
		names []string
		into  map[string]*goja.Object
	}{
		{"mode", []string{"CBC", "ECB"}, l.modes},
		{"pad", []string{"Pkcs7", "AnsiX923", "Iso10126", "Iso97971", "ZeroPadding", "NoPadding"}, l.pads},
	} {
		obj := vm.NewObject()
		for _, n := range group.names {
			o := vm.NewObject()
			group.into[n] = o
			_ = obj.Set(n, o)
		}
		if err := root.Set(group.name, obj); err != nil {
			return err
		}
	}

	l.cpProto = vm.NewObject()
	_ = l.cpProto.DefineDataProperty("toString", vm.ToValue(func(call goja.FunctionCall) goja.Value {
		f, ok := call.Argument(0).(*goja.Object)
		if !ok {
			f, _ = call.This.ToObject(vm).Get("formatter").(*goja.Object)
		}
		if f == nil {
			f = l.formats["OpenSSL"]
		}
		fn, ok := goja.AssertFunction(f.Get("stringify"))
		if !ok {
			panic(vm.NewTypeError("formatter.stringify is not a function"))
		}
		v, err := fn(f, call.This)
		if err != nil {
			panic(err)
		}
		return v
	}), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	cp := vm.NewObject()
	_ = cp.Set("create", func(call goja.FunctionCall) goja.Value {
		fields := map[string]goja.Value{}
		if src, ok := call.Argument(0).(*goja.Object); ok {
			for _, k := range src.Keys() {
				fields[k] = src.Get(k)
			}
		}
		return l.newCipherParams(fields)
	})
	if err := libObj.Set("CipherParams", cp); err != nil {
		return err
	}

	if err := l.installFormats(root); err != nil {
		return err
	}
	aesObj := vm.NewObject()
	_ = aesObj.Set("encrypt", l.encrypt)
	_ = aesObj.Set("decrypt", l.decrypt)
	return root.Set("AES", aesObj)
}

// installFormats builds CryptoJS.format.OpenSSL (Base64, "Salted__"+salt prefix when
// salted) and CryptoJS.format.Hex (the ciphertext in hex).
func (l *lib) installFormats(root *goja.Object) error {
	vm := l.vm
	ciphertextOf := func(v goja.Value) *goja.Object {
		ct, ok := isWordArray(v.ToObject(vm).Get("ciphertext"))
		if !ok {
			panic(vm.NewTypeError("Cannot read properties of undefined (reading 'words')"))
		}
		return ct
	}
	openssl := vm.NewObject()
	_ = openssl.Set("stringify", func(call goja.FunctionCall) goja.Value {
		data := l.sigBytes(ciphertextOf(call.Argument(0)))
		if salt, ok := isWordArray(call.Argument(0).ToObject(vm).Get("salt")); ok {
			data = append(append(append([]byte(nil), opensslMagic...), l.sigBytes(salt)...), data...)
		}
		s, _ := stringifyBase64(data)
		return vm.ToValue(s)
	})
	_ = openssl.Set("parse", func(call goja.FunctionCall) goja.Value {
		data := l.sigBytes(parseBase64(l, call.Argument(0).String()))
		fields := map[string]goja.Value{}
		if len(data) >= 16 && bytes.HasPrefix(data, opensslMagic) {
			fields["salt"] = l.wordArrayOf(data[8:16])
			data = data[16:]
		}
		fields["ciphertext"] = l.wordArrayOf(data)
		return l.newCipherParams(fields)
	})
	hexFormat := vm.NewObject()
	_ = hexFormat.Set("stringify", func(call goja.FunctionCall) goja.Value {
		s, _ := encoders["Hex"].stringify(l.sigBytes(ciphertextOf(call.Argument(0))))
		return vm.ToValue(s)
	})
	_ = hexFormat.Set("parse", func(call goja.FunctionCall) goja.Value {
		return l.newCipherParams(map[string]goja.Value{"ciphertext": parseHex(l, call.Argument(0).String())})
	})
	l.formats["OpenSSL"], l.formats["Hex"] = openssl, hexFormat
	format := vm.NewObject()
	_ = format.Set("OpenSSL", openssl)
	_ = format.Set("Hex", hexFormat)
	return root.Set("format", format)
}
