package emulator

import (
	"fmt"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/alipaycloud"
	"github.com/bmobemu/bmobemu/modules/alipaysdk"
	"github.com/bmobemu/bmobemu/modules/bmob"
	"github.com/bmobemu/bmobemu/modules/cryptojs"
	"github.com/bmobemu/bmobemu/modules/eventproxy"
	"github.com/bmobemu/bmobemu/modules/moment"
	"github.com/bmobemu/bmobemu/modules/nodecore"
	"github.com/bmobemu/bmobemu/modules/nodecrypto"
	"github.com/bmobemu/bmobemu/modules/nodeextra"
	"github.com/bmobemu/bmobemu/modules/nodeglobals"
	"github.com/bmobemu/bmobemu/modules/noderequest"
	"github.com/bmobemu/bmobemu/modules/nodersa"
	"github.com/bmobemu/bmobemu/modules/xml2js"
	"github.com/bmobemu/bmobemu/modules/zlib"
	"github.com/bmobemu/bmobemu/restapi"
)

// Deps are what single modules need beyond modules.Env, handed to each when the
// registry builds it.
type Deps struct {
	// API is the REST API oData and the other Bmob wrappers call (nil: the test
	// files of `bmobemu test`, whose scripts never reach them).
	API *restapi.API
	// Alipay connects alipay-sdk to the payment sandbox (zero: to nothing).
	Alipay alipaysdk.Hooks
	// AlipayApp signs ctx.cloud's calls; nil makes them fail with a clear error.
	AlipayApp *modules.AlipayApp
}

// NewRegistry maps every module bmobemu provides to its constructor: the globals
// of every VM, the properties of `modules`, the names `require` accepts and the
// members of `ctx`.
func NewRegistry(deps Deps) *modules.Registry {
	api := deps.API
	r := modules.NewRegistry()
	nodeglobals.Register(r)
	both := func(bmobName, requireName string, c modules.Constructor) {
		r.AddBmob(bmobName, c)
		r.AddRequire(requireName, c)
	}
	r.AddBmob("oData", bmob.NewData(api))
	r.AddBmob("oFunctions", bmob.NewFunctions)
	for name, c := range bmob.NewWrappers(api).Constructors() {
		r.AddBmob(name, c)
	}
	r.AddBmob("oEvent", eventproxy.New)
	r.AddRequire("eventproxy", eventproxy.Constructor)
	r.AddBmob("oLog", consoleModule)
	both("oHttp", "request", noderequest.New)
	both("oCrypto", "crypto", nodecrypto.New)
	both("oCryptoRSA", "node-rsa", nodersa.New)
	both("oCryptoJS", "crypto-js", cryptojs.New)
	both("oMoment", "moment", moment.New)
	both("oXml2js", "xml2js", xml2js.New)
	both("oGzip", "node-gzip", zlib.NewGzip)
	r.AddRequire("zlib", zlib.New)
	r.AddRequire("alipay-sdk", alipaysdk.New(deps.Alipay))
	r.AddRequire("querystring", nodecore.Querystring)
	r.AddRequire("url", nodecore.URL)
	r.AddRequire("util", nodecore.Util)
	r.AddRequire("events", nodecore.Events)
	nodeextra.Register(r)
	// oAsync is the npm package async in Bmob's module set: like
	// require("async"), it is loaded from node_modules beside the functions.
	r.AddBmob("oAsync", requireAs("async"))
	// Alipay mini-program functions (module.exports = async (ctx) => …).
	r.AddCtx("cloud", alipaycloud.New(deps.AlipayApp))
	r.AddCtx("mpserverless", alipaycloud.NewMPServerless)
	return r
}

// requireAs makes a `modules` property that is what the script's own
// require(name) gives.
func requireAs(name string) modules.Constructor {
	return func(vu modules.VU) (goja.Value, error) {
		req, ok := goja.AssertFunction(vu.Runtime().Get("require"))
		if !ok {
			return nil, fmt.Errorf("modules: require is not defined")
		}
		return req(goja.Undefined(), vu.Runtime().ToValue(name))
	}
}

// consoleModule is modules.oLog, which Bmob's 2018 module set made the console.
func consoleModule(vu modules.VU) (goja.Value, error) {
	return vu.Runtime().Get("console"), nil
}

// consoleFormatter makes, per VM, what console.log prints: Node's util.format.
func consoleFormatter(vm *goja.Runtime) (func([]goja.Value) string, error) {
	f, err := nodecore.NewFormatter(vm)
	if err != nil {
		return nil, err
	}
	return f.Format, nil
}

// parseXMLBody is Express's text/xml parser in Bmob's runtime:
// xml2js.parseString(body, {explicitArray: false}).
func parseXMLBody(data []byte) ([]byte, error) { return xml2js.ParseBodyJSON(data) }
