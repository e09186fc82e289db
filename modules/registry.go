package modules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dop251/goja"
)

// bmobModuleNames are the properties Bmob's runtime gives a function's `modules`
// argument (docs/fidelity.md#the-modules-argument). The runtime defines every one
// of them: those the registry provides build their module, the others answer with
// a clear "not available" error when used, not when merely destructured.
var bmobModuleNames = [...]string{
	"oData", "oFunctions", "oEvent", "oHttp", "oCrypto", "oCryptoRSA", "oCryptoJS", "oGzip", "oMoment",
	"oXml2js", "oRelation", "oArray", "oAtom", "oBatch", "oBql", "oLocation", "oPush", "oFile",
	"oLibHttp", "oBufferhelper", "oMail", "oIconv", "oEncodeing", "oHtmlparser", "oAsync", "oRedis", "oLog",
}

// Global installs something every VM has before a function's script runs (Buffer,
// URL, TextEncoder…), on a new VM, after the runtime's own globals (require,
// console, timers, process). env is the engine's Env.
type Global func(vm *goja.Runtime, env *Env) error

// Registry maps names to module constructors, in three namespaces: the properties of
// the `modules` argument (oData, oCrypto, …), the names `require` accepts, and the
// members of the `ctx` argument of context-style functions (ctx.cloud, …).
type Registry struct {
	bmob    map[string]Constructor
	require map[string]Constructor
	ctx     map[string]Constructor
	// unavailable are require names answered with an explanatory error (Node
	// core modules bmobemu does not provide); RequireNames leaves them out.
	unavailable map[string]bool
	// globals are installed on every new VM, in the order added.
	globals []Global
}

// NewRegistry makes an empty registry.
func NewRegistry() *Registry {
	return &Registry{bmob: map[string]Constructor{}, require: map[string]Constructor{}, ctx: map[string]Constructor{}}
}

// AddCtx registers a member of the `ctx` argument of context-style functions
// (`module.exports = async (ctx) => …`), such as "cloud".
func (r *Registry) AddCtx(name string, c Constructor) { r.ctx[name] = c }

// Ctx returns the constructor of a `ctx` member.
func (r *Registry) Ctx(name string) (Constructor, bool) { c, ok := r.ctx[name]; return c, ok }

// CtxNames lists the `ctx` members modules provide, sorted.
func (r *Registry) CtxNames() []string { return sortedKeys(r.ctx) }

// AddBmob registers a property of the `modules` argument, such as "oData".
func (r *Registry) AddBmob(name string, c Constructor) { r.bmob[name] = c }

// AddRequire registers a name for `require`, such as "crypto" or "alipay-sdk".
func (r *Registry) AddRequire(name string, c Constructor) { r.require[name] = c }

// AddUnavailable registers a name whose constructor only throws a clear error
// (a Node core module bmobemu does not provide); it is not listed by RequireNames.
func (r *Registry) AddUnavailable(name string, c Constructor) {
	r.require[name] = c
	if r.unavailable == nil {
		r.unavailable = map[string]bool{}
	}
	r.unavailable[name] = true
}

// Bmob returns the constructor of a `modules` property.
func (r *Registry) Bmob(name string) (Constructor, bool) { c, ok := r.bmob[name]; return c, ok }

// Require returns the constructor of a `require` name.
func (r *Registry) Require(name string) (Constructor, bool) {
	c, ok := r.require[strings.TrimPrefix(name, "node:")]
	return c, ok
}

// BmobNames lists the `modules` properties provided, sorted.
func (r *Registry) BmobNames() []string { return sortedKeys(r.bmob) }

// AllBmobNames lists every property of `modules`, sorted: the ones provided and the
// rest of Bmob's module names, which a script may name (destructure, test) but
// not use.
func (r *Registry) AllBmobNames() []string {
	all := make(map[string]Constructor, len(bmobModuleNames)+len(r.bmob))
	for _, name := range bmobModuleNames {
		all[name] = nil
	}
	for name, c := range r.bmob {
		all[name] = c
	}
	return sortedKeys(all)
}

// AddGlobal adds a global every VM gets before its script runs; globals are
// installed in the order added.
func (r *Registry) AddGlobal(g Global) { r.globals = append(r.globals, g) }

// Globals are the globals to install on a new VM, in order.
func (r *Registry) Globals() []Global { return r.globals }

// RequireNames lists the names `require` accepts, sorted.
func (r *Registry) RequireNames() []string {
	var out []string
	for _, name := range sortedKeys(r.require) {
		if !r.unavailable[name] {
			out = append(out, name)
		}
	}
	return out
}

// NotAvailableError is what a script gets for a Bmob module or package bmobemu does
// not provide.
func (r *Registry) NotAvailableError(kind, name string) error {
	if kind == "require" {
		return fmt.Errorf("module %q is not available in bmobemu; require() provides: %s", name, strings.Join(r.RequireNames(), ", "))
	}
	return fmt.Errorf("modules.%s is not available in bmobemu; provided: %s", name, strings.Join(r.BmobNames(), ", "))
}

func sortedKeys(m map[string]Constructor) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
