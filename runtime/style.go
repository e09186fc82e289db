package runtime

import (
	"fmt"
	"net/http"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
)

// style is one shape a cloud function's script can have. The runtime asks the
// styles in order, once per VM after the script's top level ran, which one the
// script has; the VM then calls its entry that way for every invocation. Pool,
// limits, logs, timeouts and hot reload are the same for every style.
//
// A further style (say Deno/Supabase's `serve(async (req) => …)`) is one more
// implementation in the styles list: it finds its entry (a handler its own
// global `serve` recorded, for instance) and builds its own argument and answer.
type style interface {
	// entry finds the style's entry point in a loaded script; ok false means the
	// script does not have this style.
	entry(v *vu) (fn goja.Callable, ok bool)
	// call starts one invocation of the entry on the JS thread; the answer comes
	// through inv.finish. An error is an uncaught exception.
	call(v *vu, inv *invocation) error
	// threw is the answer to an uncaught exception of the entry's call;
	// described is the exception's text, already formatted under a bound.
	threw(v *vu, err error, described string) *fncall.Response
	// unanswered is the answer, and the log line, when the call ended with
	// nothing left to run and no answer.
	unanswered(function string) (answer, logLine string)
}

// styles are tried in order; the first that finds an entry wins.
var styles = []style{bmobStyle{}, ctxStyle{}}

// findStyle picks the script's style and entry.
func (v *vu) findStyle() (style, goja.Callable, error) {
	for _, s := range styles {
		if fn, ok := s.entry(v); ok {
			return s, fn, nil
		}
	}
	return nil, nil, fmt.Errorf("%s defines no function onRequest(request, response, modules) (neither global nor exported) and no module.exports = async (ctx) => …", v.fn.filename)
}

// moduleExports is the script's module.exports (nil when there is none).
func (v *vu) moduleExports() goja.Value {
	module, ok := v.vm.Get("module").(*goja.Object)
	if !ok {
		return nil
	}
	return module.Get("exports")
}

// declaredParams is a function's length: its declared parameters.
func declaredParams(fn goja.Value) int64 {
	obj, ok := fn.(*goja.Object)
	if !ok {
		return 0
	}
	if l := obj.Get("length"); l != nil {
		return l.ToInteger()
	}
	return 0
}

// bmobStyle is Bmob's `function onRequest(request, response, modules)`.
type bmobStyle struct{}

// entry looks where Bmob scripts put the handler: a global function (Bmob's
// documented shape), or an export (the local-tool style `exports.<name> =
// onRequest`, or `module.exports = function (request, response…)`). An exported
// function of one parameter or none is the ctx style's.
func (bmobStyle) entry(v *vu) (goja.Callable, bool) {
	if fn, ok := goja.AssertFunction(v.vm.Get("onRequest")); ok {
		return fn, true
	}
	exports := v.moduleExports()
	if exports == nil {
		return nil, false
	}
	if fn, ok := goja.AssertFunction(exports); ok {
		return fn, declaredParams(exports) >= 2
	}
	if obj, ok := exports.(*goja.Object); ok {
		for _, key := range []string{"onRequest", v.fn.name} {
			if fn, ok := goja.AssertFunction(obj.Get(key)); ok {
				return fn, true
			}
		}
	}
	return nil, false
}

func (bmobStyle) call(v *vu, inv *invocation) error {
	req := v.requestObject(inv.req)
	res := inv.res.object()
	mods := v.modulesObject(inv)
	_, err := v.entry(goja.Undefined(), req, res, mods)
	return err
}

func (bmobStyle) threw(_ *vu, _ error, described string) *fncall.Response {
	return runtimeAnswer(fncall.Threw, http.StatusInternalServerError, "there is an error:"+described)
}

func (bmobStyle) unanswered(function string) (string, string) {
	return fmt.Sprintf("there is an error:function %s finished without calling response.send or response.end", function),
		"the function finished without responding; Bmob would answer only at its 30 s timeout"
}
