package runtime

import (
	"path"

	"github.com/dop251/goja"
)

// Scripts written for Bmob's old local debugger (bmob-cloud-tool with the npm
// package bmobcloud-local 0.6.0, docs/fidelity.md#the-local-debugging-tool) end with a trailer:
//
//	var tool = require("bmobcloud-local");
//	var options = require("../AppConfig.json");
//	tool.initialize(options.app_key, options.rest_key);
//	tool.test(onRequest, {…});
//
// On Bmob only onRequest runs, so the trailer never does anything there. Here
// the file's top level runs, so the trailer must do nothing too: the package
// is built in as a stand-in whose calls do nothing but log a fidelity note, and
// a missing AppConfig.json gives {} (also with a note). `bmobemu test` hooks
// the stand-in's test() to run those calls as tests (Script.OnLocalTest).

// LocalToolPackage is the old local debugger's npm package name.
const LocalToolPackage = "bmobcloud-local"

// LocalTest is one tool.test(fn, params[, done]) (or testWithHeaders(fn,
// params, headers[, done])) call of a local-debugger trailer.
type LocalTest struct {
	Fn      goja.Value // the function under test (onRequest)
	Params  goja.Value // the request: a body object, {method:"GET",query:"a=1"} or {type:"XML",data:"<xml…>"}
	Headers goja.Value // testWithHeaders' headers, else undefined
	Site    string     // file:line:col of the call
}

// localTool returns the stand-in for require("bmobcloud-local").
func (v *vu) localTool() goja.Value {
	vm := v.vm
	tool := vm.NewObject()
	note := func(call string) {
		v.Note("the local debugger's "+call+" does nothing here (bmobemu test runs tool.test calls as tests)",
			"run only onRequest, never this trailer")
	}
	_ = tool.Set("initialize", func(goja.FunctionCall) goja.Value {
		note("tool.initialize")
		return goja.Undefined()
	})
	record := func(name string, withHeaders bool) func(goja.FunctionCall) goja.Value {
		return func(c goja.FunctionCall) goja.Value {
			note("tool." + name)
			if v.localTests != nil {
				t := LocalTest{Fn: c.Argument(0), Params: c.Argument(1), Headers: goja.Undefined(), Site: v.callSite()}
				if withHeaders {
					t.Headers = c.Argument(2)
				}
				v.localTests(t)
			}
			return goja.Undefined()
		}
	}
	_ = tool.Set("test", record("test", false))
	_ = tool.Set("testWithHeaders", record("testWithHeaders", true))
	_ = tool.Set("testInServer", func(goja.FunctionCall) goja.Value {
		note("tool.testInServer")
		return goja.Undefined()
	})
	return tool
}

// missingAllowed answers a require whose target is absent but which the
// local debugger's trailer needs: its AppConfig.json gives {}.
func (v *vu) missingAllowed(name string) (goja.Value, bool) {
	if !isPathName(name) || path.Base(name) != "AppConfig.json" {
		return nil, false
	}
	v.Note(`require("`+name+`") of the local debugger's AppConfig.json, which does not exist, gives {}`,
		"run only onRequest, never this trailer")
	return v.vm.NewObject(), true
}

// OnLocalTest makes the Script's tool.test calls (see LocalTest) go to fn
// instead of doing nothing.
func (s *Script) OnLocalTest(fn func(LocalTest)) { s.v.localTests = fn }
