package noderequest

import (
	"github.com/dop251/goja"
)

// NodeError turns an error of the outbound HTTP client into the Error Node's http
// module would give (ECONNREFUSED with errno, syscall, address and port,
// ENOTFOUND, ECONNRESET "socket hang up", TLS errors…), for other modules that
// send HTTP (require('http')). It must run on the JS thread.
func NodeError(vm *goja.Runtime, err error) *goja.Object { return transportError(err).toJS(vm) }
