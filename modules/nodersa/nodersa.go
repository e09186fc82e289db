// Package nodersa is node-rsa 1.x for Bmob scripts (`modules.oCryptoRSA`,
// `require('node-rsa')`): the NodeRSA constructor with importKey/exportKey,
// sign/verify (PKCS#1 v1.5 and PSS), encrypt/decrypt (OAEP and PKCS#1 v1.5) and
// node-rsa's option parsing and error texts, backed by Go's crypto/rsa.
package nodersa

import (
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
	nb "github.com/bmobemu/bmobemu/modules/nodebuffer"
)

// instance is one NodeRSA object's state.
type instance struct {
	priv *rsa.PrivateKey
	pub  *rsa.PublicKey
	opts options
}

// class is the NodeRSA constructor of one VM.
type class struct {
	vu    modules.VU
	vm    *goja.Runtime
	proto *goja.Object
	// stateSym holds an instance's Go state on its JavaScript object.
	stateSym *goja.Symbol
}

// New returns the NodeRSA constructor. Register it as modules.oCryptoRSA and as
// require('node-rsa'). The VM must have Buffer enabled by nodebuffer.Enable.
func New(vu modules.VU) (goja.Value, error) {
	c := &class{vu: vu, vm: vu.Runtime(), stateSym: goja.NewSymbol("NodeRSA")}
	ctor := c.vm.ToValue(c.construct).ToObject(c.vm)
	c.proto = c.vm.NewObject()
	if err := c.installMethods(); err != nil {
		return nil, fmt.Errorf("nodersa: %w", err)
	}
	_ = c.proto.DefineDataProperty("constructor", ctor, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	if err := ctor.Set("prototype", c.proto); err != nil {
		return nil, fmt.Errorf("nodersa: prototype: %w", err)
	}
	_ = ctor.DefineDataProperty("name", c.vm.ToValue("NodeRSA"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return ctor, nil
}

// construct is new NodeRSA(key?, format?, options?) and NodeRSA(...) without new:
// a string or Buffer key is imported, another object generates a key of {b, e}.
func (c *class) construct(call goja.ConstructorCall) *goja.Object {
	obj := c.vm.NewObject()
	_ = obj.SetPrototype(c.proto)
	st := &instance{opts: defaultOptions()}
	_ = obj.DefineDataPropertySymbol(c.stateSym, c.vm.ToValue(st), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	key, format, opts := call.Argument(0), call.Argument(1), call.Argument(2)
	if _, isObj := format.(*goja.Object); isObj {
		format, opts = goja.Undefined(), format
	}
	switch {
	case goja.IsString(key) || c.isBuffer(key):
		c.must(c.importKey(st, key, format))
	case isObject(key):
		o := key.(*goja.Object)
		c.must(c.generate(st, o.Get("b"), o.Get("e")))
	}
	c.must(st.opts.set(c.vm, opts))
	return obj
}

func isObject(v goja.Value) bool {
	_, ok := v.(*goja.Object)
	return ok
}

func (c *class) isBuffer(v goja.Value) bool {
	isBuf, _ := goja.AssertFunction(c.vm.Get("Buffer").ToObject(c.vm).Get("isBuffer"))
	res, err := isBuf(goja.Undefined(), v)
	return err == nil && res.ToBoolean()
}

// must throws err in JavaScript as a plain Error with node-rsa's text.
func (c *class) must(err error) {
	if err != nil {
		var coded *nb.Error
		if errors.As(err, &coded) {
			nb.Throw(c.vm, coded)
		}
		nb.Throw(c.vm, &nb.Error{Message: err.Error()})
	}
}

// state returns the instance behind `this`, or throws.
func (c *class) state(this goja.Value) *instance {
	if o, ok := this.(*goja.Object); ok {
		if v := o.GetSymbol(c.stateSym); v != nil {
			if st, ok := v.Export().(*instance); ok {
				return st
			}
		}
	}
	panic(c.vm.NewTypeError("NodeRSA method called on an object that is not a NodeRSA key"))
}

func (c *class) generate(st *instance, bitsArg, expArg goja.Value) error {
	bits, exp := 2048, int64(65537)
	if truthy(bitsArg) {
		bits = int(bitsArg.ToInteger())
	}
	if truthy(expArg) {
		exp = expArg.ToInteger()
	}
	if bits%8 != 0 {
		return errors.New("Key size must be a multiple of 8.")
	}
	if exp != 65537 {
		return fmt.Errorf("bmobemu generates RSA keys only with exponent 65537 (asked %d)", exp)
	}
	k, err := rsa.GenerateKey(c.vu.Env().Random, bits)
	if err != nil {
		return fmt.Errorf("generating a %d-bit RSA key: %w", bits, err)
	}
	st.priv, st.pub = k, &k.PublicKey
	return nil
}
