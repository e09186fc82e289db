package nodersa

import (
	"crypto"
	"errors"
	"strings"

	"github.com/dop251/goja"

	nb "github.com/bmobemu/bmobemu/modules/nodebuffer"
	"github.com/bmobemu/bmobemu/modules/nodecrypto"
)

// nodeHashes are the hash names node-rsa 1.x accepts in the node environment.
var nodeHashes = []string{"md4", "md5", "ripemd160", "sha1", "sha224", "sha256", "sha384", "sha512"}

func isNodeHash(name string) bool {
	for _, h := range nodeHashes {
		if h == name {
			return true
		}
	}
	return false
}

// options are a NodeRSA instance's signing and encryption settings.
type options struct {
	signScheme  string // pkcs1 | pss
	signHash    string // "" means the scheme's default
	saltLength  int    // pss; 0 means node-rsa's default of 20
	encScheme   string // pkcs1_oaep | pkcs1
	encHash     string // oaep hash, default sha1
	encLabel    []byte
	environment string
}

func defaultOptions() options {
	return options{signScheme: "pkcs1", signHash: "sha256", encScheme: "pkcs1_oaep", encHash: "sha1", environment: "node"}
}

// signingHash resolves the hash used to sign: the configured one, else the scheme's
// default (pkcs1: sha256, pss: sha1).
func (o options) signingHash() (crypto.Hash, error) {
	name := o.signHash
	if name == "" {
		name = "sha256"
		if o.signScheme == "pss" {
			name = "sha1"
		}
	}
	h, ok := nodecrypto.HashByName(name)
	if !ok {
		return 0, errors.New("Digest method not supported")
	}
	return h, nil
}

func (o options) pssSalt() int {
	if o.saltLength > 0 {
		return o.saltLength
	}
	return 20
}

func (o options) oaepHash() crypto.Hash {
	if h, ok := nodecrypto.HashByName(o.encHash); ok && o.encHash != "" {
		return h
	}
	return crypto.SHA1
}

// set applies setOptions({signingScheme, encryptionScheme, environment}); other keys
// (such as the tutorial's b: 2048) are ignored, as node-rsa ignores them.
func (o *options) set(vm *goja.Runtime, v goja.Value) error {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil
	}
	if env := obj.Get("environment"); truthy(env) {
		o.environment = env.String()
	}
	if s := obj.Get("signingScheme"); truthy(s) {
		if goja.IsString(s) {
			parts := strings.Split(strings.ToLower(s.String()), "-")
			switch {
			case len(parts) == 1 && isNodeHash(parts[0]):
				o.signScheme, o.signHash = "pkcs1", parts[0]
			case len(parts) == 1:
				o.signScheme, o.signHash = parts[0], ""
			default:
				o.signScheme, o.signHash = parts[0], parts[1]
			}
			o.saltLength = 0
		} else if so, ok := s.(*goja.Object); ok {
			o.signScheme = "pkcs1"
			if sc := so.Get("scheme"); truthy(sc) {
				o.signScheme = sc.String()
			}
			o.signHash = nb.OptString(so.Get("hash"))
			o.saltLength = 0
			if sl := so.Get("saltLength"); truthy(sl) {
				o.saltLength = int(sl.ToInteger())
			}
		}
		if o.signScheme != "pkcs1" && o.signScheme != "pss" {
			return errors.New("Unsupported signing scheme")
		}
		if o.signHash != "" && !isNodeHash(o.signHash) {
			return errors.New("Unsupported hashing algorithm for " + o.environment + " environment")
		}
	}
	if e := obj.Get("encryptionScheme"); truthy(e) {
		o.encHash, o.encLabel = "sha1", nil
		if goja.IsString(e) {
			o.encScheme = strings.ToLower(e.String())
		} else if eo, ok := e.(*goja.Object); ok {
			o.encScheme = "pkcs1_oaep"
			if sc := eo.Get("scheme"); truthy(sc) {
				o.encScheme = sc.String()
			}
			if h := nb.OptString(eo.Get("hash")); h != "" {
				o.encHash = h
			}
			if l := eo.Get("label"); truthy(l) {
				b, err := nb.Bytes(vm, l, "")
				if err != nil {
					return err
				}
				o.encLabel = b
			}
		}
		if o.encScheme != "pkcs1" && o.encScheme != "pkcs1_oaep" {
			return errors.New("Unsupported encryption scheme")
		}
		if !isNodeHash(o.encHash) {
			return errors.New("Unsupported hashing algorithm for " + o.environment + " environment")
		}
	}
	return nil
}

func truthy(v goja.Value) bool {
	return v != nil && v.ToBoolean()
}
