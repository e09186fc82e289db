package nodecore

import (
	_ "embed"
	"fmt"

	"github.com/dop251/goja"
	nodeurl "github.com/dop251/goja_nodejs/url"

	"github.com/bmobemu/bmobemu/modules"
)

//go:embed url.js
var urlSource string

var urlProgram = goja.MustCompile("url.js", urlSource, true)

// URL is the constructor of Node's url module: the legacy parse, format, resolve,
// resolveObject and Url, plus goja_nodejs's WHATWG URL, URLSearchParams,
// domainToASCII and domainToUnicode on the same object.
func URL(vu modules.VU) (goja.Value, error) {
	vm := vu.Runtime()
	exports := vm.NewObject()
	module := vm.NewObject()
	if err := module.Set("exports", exports); err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	nodeurl.Require(vm, module)
	// The VM's own WHATWG classes (modules/nodeglobals) replace goja_nodejs's, so
	// that require('url').URL === URL, as in Node.
	for _, name := range []string{"URL", "URLSearchParams"} {
		if c := vm.Get(name); c != nil && !goja.IsUndefined(c) {
			if err := exports.Set(name, c); err != nil {
				return nil, fmt.Errorf("url: %w", err)
			}
		}
	}
	qs, err := Querystring(vu)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	legacy, err := modules.CallFactory(vm, urlProgram, modules.WantObject, qs, exports.Get("domainToASCII"), exports.Get("domainToUnicode"))
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	for _, k := range legacy.Keys() {
		if err := exports.Set(k, legacy.Get(k)); err != nil {
			return nil, fmt.Errorf("url: %w", err)
		}
	}
	return exports, nil
}
