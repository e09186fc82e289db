package nodeglobals

import (
	"fmt"

	"github.com/dop251/goja"
	"golang.org/x/net/idna"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/nodebuffer"
)

// Register adds to r the globals every VM of Node's runtime has and bmobemu
// provides in Go: Buffer (nodebuffer), then those of Enable. The production
// registry and modulestest both call it, so a module's tests see the globals a
// function sees.
func Register(r *modules.Registry) {
	r.AddGlobal(func(vm *goja.Runtime, _ *modules.Env) error {
		nodebuffer.Enable(vm)
		return nil
	})
	r.AddGlobal(func(vm *goja.Runtime, env *modules.Env) error {
		opts := Options{DomainToASCII: DomainToASCII}
		if env != nil {
			opts.Now, opts.Zone = env.Now, env.Zone
		}
		if err := Enable(vm, opts); err != nil {
			return fmt.Errorf("node globals: %w", err)
		}
		return nil
	})
}

// DomainToASCII is url.domainToASCII for URL's host parser: "" for a name that
// is not a valid host.
func DomainToASCII(host string) string {
	s, err := idna.Lookup.ToASCII(host)
	if err != nil {
		return ""
	}
	return s
}
