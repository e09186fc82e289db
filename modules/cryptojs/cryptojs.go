// Package cryptojs backs `modules.oCryptoJS` and `require('crypto-js')`: the part of
// crypto-js that Bmob scripts use (hashes, HMACs, AES in CBC/ECB with crypto-js's
// paddings and OpenSSL passphrase format, encoders, WordArray), matching crypto-js's
// output byte for byte. The primitives are Go's crypto packages.
package cryptojs

import (
	"fmt"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
)

// lib is one VM's CryptoJS: the shared prototypes and the identity objects
// (modes, paddings, hashers) that scripts pass back in cfg.
type lib struct {
	vu      modules.VU
	vm      *goja.Runtime
	waProto *goja.Object
	cpProto *goja.Object
	algoAES *goja.Object
	enc     map[string]*goja.Object
	modes   map[string]*goja.Object
	pads    map[string]*goja.Object
	formats map[string]*goja.Object
	algos   map[string]*goja.Object
}

// New is the constructor of the CryptoJS object.
func New(vu modules.VU) (goja.Value, error) {
	l := &lib{
		vu: vu, vm: vu.Runtime(),
		enc: map[string]*goja.Object{}, modes: map[string]*goja.Object{}, pads: map[string]*goja.Object{},
		formats: map[string]*goja.Object{}, algos: map[string]*goja.Object{},
	}
	root := l.vm.NewObject()
	libObj := l.vm.NewObject()
	if err := root.Set("lib", libObj); err != nil {
		return nil, err
	}
	for _, step := range []func() error{
		func() error { return l.installWordArray(libObj) },
		func() error { return l.installEncoders(root) },
		func() error { return l.installHashers(root) },
		func() error { return l.installCipher(root, libObj) },
	} {
		if err := step(); err != nil {
			return nil, fmt.Errorf("cryptojs: %w", err)
		}
	}
	return root, nil
}

// throwable turns an error into what a script catches: crypto-js's own errors
// as plain Errors with their exact message.
func (l *lib) throwable(err error) goja.Value {
	if je, ok := err.(*jsError); ok {
		obj, nerr := l.vm.New(l.vm.Get("Error"), l.vm.ToValue(je.message))
		if nerr == nil {
			return obj
		}
	}
	return l.vm.NewGoError(err)
}
