package nodersa

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/dop251/goja"

	nb "github.com/bmobemu/bmobemu/modules/nodebuffer"
)

func (c *class) installMethods() error {
	methods := map[string]func(goja.FunctionCall) goja.Value{
		"setOptions": func(call goja.FunctionCall) goja.Value {
			c.must(c.state(call.This).opts.set(c.vm, call.Argument(0)))
			return goja.Undefined()
		},
		"importKey": func(call goja.FunctionCall) goja.Value {
			c.must(c.importKey(c.state(call.This), call.Argument(0), call.Argument(1)))
			return call.This
		},
		"generateKeyPair": func(call goja.FunctionCall) goja.Value {
			c.must(c.generate(c.state(call.This), call.Argument(0), call.Argument(1)))
			return call.This
		},
		"exportKey":         c.exportKey,
		"sign":              c.sign,
		"verify":            c.verify,
		"encrypt":           c.encrypt,
		"decrypt":           c.decrypt,
		"isPrivate":         func(call goja.FunctionCall) goja.Value { return c.vm.ToValue(c.state(call.This).priv != nil) },
		"isPublic":          c.isPublic,
		"isEmpty":           func(call goja.FunctionCall) goja.Value { return c.vm.ToValue(c.state(call.This).pub == nil) },
		"getKeySize":        c.getKeySize,
		"getMaxMessageSize": c.getMaxMessageSize,
	}
	for name, fn := range methods {
		if err := c.proto.Set(name, fn); err != nil {
			return fmt.Errorf("setting %s: %w", name, err)
		}
	}
	return nil
}

// importKey is key.importKey(keyData, format?).
func (c *class) importKey(st *instance, data, formatArg goja.Value) error {
	if data == nil || goja.IsUndefined(data) || goja.IsNull(data) || (goja.IsString(data) && data.String() == "") {
		return errors.New("Empty key given")
	}
	var f keyFormat
	if formatName := nb.OptString(formatArg); formatName != "" {
		f = parseFormat(formatName)
	} else {
		switch {
		case goja.IsString(data):
			detected, ok := detectFormat(data.String())
			if !ok {
				return errors.New("Key format must be specified")
			}
			f = detected
		case c.isBuffer(data):
			detected, ok := detectFormat(bufferText(c, data))
			if !ok {
				return errors.New("Key format must be specified")
			}
			f = detected
		case isObject(data):
			f = keyFormat{scheme: "components", private: true}
		default:
			return errors.New("Key format must be specified")
		}
	}
	var priv *rsa.PrivateKey
	var pub *rsa.PublicKey
	var err error
	switch f.scheme {
	case "pkcs1", "pkcs8":
		var der []byte
		if f.der {
			der, err = nb.Bytes(c.vm, data, "")
			if err != nil {
				return err
			}
		} else {
			text := data.String()
			if c.isBuffer(data) {
				text = bufferText(c, data)
			}
			der = pemBody(text, pemLabels[keyFormat{scheme: f.scheme, private: f.private}])
		}
		priv, pub, err = parseKeyData(der, f)
	case "components":
		o, ok := data.(*goja.Object)
		if !ok {
			return errors.New("Unsupported key format")
		}
		priv, pub, err = importComponents(c.vm, o, f.private)
	case "openssh":
		return errors.New("bmobemu does not support node-rsa's openssh key format")
	default:
		return errors.New("Unsupported key format")
	}
	if err != nil {
		return err
	}
	st.priv, st.pub = priv, pub
	return nil
}

func bufferText(c *class, v goja.Value) string {
	b, _ := nb.Bytes(c.vm, v, "")
	return string(b)
}

// exportKey is key.exportKey(format = 'private').
func (c *class) exportKey(call goja.FunctionCall) goja.Value {
	st := c.state(call.This)
	name := nb.OptString(call.Argument(0))
	if name == "" {
		name = "private"
	}
	f := parseFormat(name)
	if st.pub == nil {
		c.must(errors.New("This is not public key"))
	}
	switch f.scheme {
	case "components":
		if f.private && st.priv == nil {
			c.must(errors.New("This is not private key"))
		}
		priv := st.priv
		if !f.private {
			priv = nil
		}
		return exportComponents(c.vm, priv, st.pub)
	case "pkcs1", "pkcs8":
	default:
		c.must(errors.New("Unsupported key format"))
	}
	der, err := exportDER(st.priv, st.pub, f)
	c.must(err)
	if f.der {
		return nb.New(c.vm, der)
	}
	return c.vm.ToValue(toPEM(der, pemLabels[keyFormat{scheme: f.scheme, private: f.private}]))
}

// dataBytes converts sign/encrypt input as node-rsa does: strings and numbers with
// sourceEncoding (utf8 by default), Buffers as they are, other objects as JSON.
func (c *class) dataBytes(v, srcEnc goja.Value) ([]byte, error) {
	switch {
	case goja.IsString(v) || goja.IsNumber(v):
		enc, ok := nb.ParseEncoding(nb.OptString(srcEnc))
		if !ok {
			enc = nb.UTF8
		}
		return nb.DecodeString(v.String(), enc), nil
	case c.isBuffer(v):
		return nb.Bytes(c.vm, v, "")
	case isObject(v):
		stringify, _ := goja.AssertFunction(c.vm.Get("JSON").ToObject(c.vm).Get("stringify"))
		s, err := stringify(goja.Undefined(), v)
		if err != nil {
			return nil, err
		}
		return []byte(s.String()), nil
	}
	return nil, errors.New("Unexpected data type")
}

// output returns a Buffer when encoding is absent or 'buffer', else a string.
func (c *class) output(b []byte, encArg goja.Value) goja.Value {
	enc := nb.OptString(encArg)
	if enc == "" || enc == "buffer" {
		return nb.New(c.vm, b)
	}
	e, ok := nb.ParseEncoding(enc)
	if !ok {
		c.must(nb.NewError(nb.KindTypeError, "ERR_UNKNOWN_ENCODING", "Unknown encoding: %s", enc))
	}
	return nb.Encode(b, e)
}

// sign is key.sign(data, encoding?, sourceEncoding?).
func (c *class) sign(call goja.FunctionCall) goja.Value {
	st := c.state(call.This)
	if st.priv == nil {
		c.must(errors.New("This is not private key"))
	}
	data, err := c.dataBytes(call.Argument(0), call.Argument(2))
	c.must(err)
	alg, err := st.opts.signingHash()
	c.must(err)
	h := alg.New()
	h.Write(data)
	var sig []byte
	if st.opts.signScheme == "pss" {
		sig, err = rsa.SignPSS(c.vu.Env().Random, st.priv, alg, h.Sum(nil), &rsa.PSSOptions{SaltLength: st.opts.pssSalt(), Hash: alg})
	} else {
		sig, err = rsa.SignPKCS1v15(nil, st.priv, alg, h.Sum(nil))
	}
	c.must(err)
	return c.output(sig, call.Argument(1))
}

// verify is key.verify(data, signature, sourceEncoding?, signatureEncoding?) → boolean.
func (c *class) verify(call goja.FunctionCall) goja.Value {
	st := c.state(call.This)
	if st.pub == nil {
		c.must(errors.New("This is not public key"))
	}
	data, err := c.dataBytes(call.Argument(0), call.Argument(2))
	c.must(err)
	sigArg := call.Argument(1)
	var sig []byte
	if goja.IsString(sigArg) {
		enc, ok := nb.ParseEncoding(nb.OptString(call.Argument(3)))
		if !ok {
			enc = nb.UTF8
		}
		sig = nb.DecodeString(sigArg.String(), enc)
	} else if sig, err = nb.Bytes(c.vm, sigArg, ""); err != nil {
		return c.vm.ToValue(false)
	}
	alg, err := st.opts.signingHash()
	c.must(err)
	h := alg.New()
	h.Write(data)
	if st.opts.signScheme == "pss" {
		return c.vm.ToValue(rsa.VerifyPSS(st.pub, alg, h.Sum(nil), sig, &rsa.PSSOptions{SaltLength: st.opts.pssSalt(), Hash: alg}) == nil)
	}
	return c.vm.ToValue(rsa.VerifyPKCS1v15(st.pub, alg, h.Sum(nil), sig) == nil)
}

// maxMessage is the largest plaintext one RSA block carries under the scheme.
func (st *instance) maxMessage() int {
	k := st.pub.Size()
	if st.opts.encScheme == "pkcs1" {
		return k - 11
	}
	return k - 2*st.opts.oaepHash().Size() - 2
}

// encrypt is key.encrypt(data, encoding?, sourceEncoding?): the data is split into
// equal chunks that fit one block each and the ciphertexts are concatenated.
func (c *class) encrypt(call goja.FunctionCall) goja.Value {
	st := c.state(call.This)
	if st.pub == nil {
		c.must(errors.New("Error during encryption. Original error: Error: This is not public key"))
	}
	data, err := c.dataBytes(call.Argument(0), call.Argument(2))
	c.must(err)
	maxLen := st.maxMessage()
	count := max(1, (len(data)+maxLen-1)/maxLen)
	size := max(1, (len(data)+count-1)/count)
	var out []byte
	for i := 0; i < len(data) || i == 0; i += size {
		chunk := data[i:min(i+size, len(data))]
		var ct []byte
		if st.opts.encScheme == "pkcs1" {
			ct, err = rsa.EncryptPKCS1v15(c.vu.Env().Random, st.pub, chunk)
		} else {
			ct, err = rsa.EncryptOAEP(st.opts.oaepHash().New(), c.vu.Env().Random, st.pub, chunk, st.opts.encLabel)
		}
		if err != nil {
			c.must(fmt.Errorf("Error during encryption. Original error: Error: %s", err.Error()))
		}
		out = append(out, ct...)
		if len(data) == 0 {
			break
		}
	}
	return c.output(out, call.Argument(1))
}

// decrypt is key.decrypt(buffer | base64 string, encoding?): 'buffer' (default),
// 'json' (parsed) or a Buffer encoding.
func (c *class) decrypt(call goja.FunctionCall) goja.Value {
	st := c.state(call.This)
	fail := func(err error) {
		c.must(fmt.Errorf("Error during decryption (probably incorrect key). Original error: Error: %s", err.Error()))
	}
	if st.priv == nil {
		fail(errors.New("This is not private key"))
	}
	var data []byte
	if in := call.Argument(0); goja.IsString(in) {
		data = nb.DecodeString(in.String(), nb.Base64)
	} else {
		b, err := nb.Bytes(c.vm, in, "")
		if err != nil {
			fail(err)
		}
		data = b
	}
	k := st.priv.Size()
	if len(data)%k != 0 {
		fail(errors.New("Incorrect data or key"))
	}
	var out []byte
	for i := 0; i < len(data); i += k {
		var pt []byte
		var err error
		if st.opts.encScheme == "pkcs1" {
			pt, err = rsa.DecryptPKCS1v15(nil, st.priv, data[i:i+k])
		} else {
			pt, err = rsa.DecryptOAEP(st.opts.oaepHash().New(), nil, st.priv, data[i:i+k], st.opts.encLabel)
		}
		if err != nil {
			fail(err)
		}
		out = append(out, pt...)
	}
	if strings.EqualFold(nb.OptString(call.Argument(1)), "json") {
		var probe any
		if err := json.Unmarshal(out, &probe); err != nil {
			fail(err)
		}
		parse, _ := goja.AssertFunction(c.vm.Get("JSON").ToObject(c.vm).Get("parse"))
		v, err := parse(goja.Undefined(), c.vm.ToValue(string(out)))
		c.must(err)
		return v
	}
	return c.output(out, call.Argument(1))
}

// isPublic is key.isPublic(strict?): strict means a public key only.
func (c *class) isPublic(call goja.FunctionCall) goja.Value {
	st := c.state(call.This)
	if call.Argument(0).ToBoolean() {
		return c.vm.ToValue(st.pub != nil && st.priv == nil)
	}
	return c.vm.ToValue(st.pub != nil)
}

func (c *class) getKeySize(call goja.FunctionCall) goja.Value {
	st := c.state(call.This)
	if st.pub == nil {
		return c.vm.ToValue(0)
	}
	return c.vm.ToValue(st.pub.N.BitLen())
}

func (c *class) getMaxMessageSize(call goja.FunctionCall) goja.Value {
	st := c.state(call.This)
	if st.pub == nil {
		return c.vm.ToValue(0)
	}
	return c.vm.ToValue(st.maxMessage())
}
