// Package modules is the contract between the runtime and the code that backs what a
// script can reach: Bmob's `modules.oXxx` objects and the packages `require` returns.
//
// A module is a Constructor: given the VU (the virtual user: one pooled VM and the
// invocation it is running now), it returns the JavaScript value the script sees.
// Modules never reach into the runtime. A module gets its dependencies in one of two
// places, both decided when the registry is built (emulator.NewRegistry): what only
// it needs (oData's REST API, alipay-sdk's sandbox hooks, ctx.cloud's Alipay app) is
// an argument of the function that makes its Constructor; the services every module
// may use (profile, clock, randomness, outbound HTTP, other functions) are on Env,
// reached through VU.Env.
package modules

import (
	"context"
	"crypto/rsa"
	"io"
	"net/http"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
)

// Profile selects how closely the emulator follows Bmob (see docs/compat.md).
type Profile string

const (
	// Compat is Bmob plus the short written list of extensions that make the
	// published tutorials run. It is the default.
	Compat Profile = "compat"
	// Bmob reproduces Bmob itself, limits included.
	Bmob Profile = "bmob"
)

// ParseProfile checks a profile name given on the command line.
func ParseProfile(s string) (Profile, bool) {
	switch Profile(s) {
	case Compat, Bmob:
		return Profile(s), true
	case "":
		return Compat, true
	}
	return "", false
}

// VU is what a module sees of the VM it is loaded into. A VU lives as long as its VM;
// Context and RegisterCallback refer to the invocation the VM is running now.
type VU interface {
	// Runtime is the VM. Use it only on the JS thread: in the constructor, in
	// functions the script calls, and in callbacks handed to RegisterCallback.
	Runtime() *goja.Runtime
	// Context is cancelled when the current invocation ends or times out.
	Context() context.Context
	// RegisterCallback must be called on the JS thread before starting asynchronous
	// Go work. It keeps the invocation alive until the returned function is called,
	// exactly once and from any goroutine, with the function to run on the JS thread
	// (nil to run nothing). A returned error ends the invocation like an uncaught throw.
	RegisterCallback() func(func() error)
	// Env holds the emulator's services.
	Env() *Env
	// Note logs a fidelity note, once per JavaScript call site (file:line), when the
	// compat profile does something Bmob would not: what happened and what Bmob
	// would do instead.
	Note(what, bmobWould string)
	// Log writes one line to the function's log at level (log, info, warn, error).
	Log(level, line string)
}

// Env holds the services shared by every module of one emulator. What a single
// module needs is not here: it is given to that module's constructor maker in the
// registry.
type Env struct {
	// Profile is compat or bmob.
	Profile Profile
	// Functions runs other cloud functions (oFunctions.run).
	Functions FunctionCaller
	// HTTP is the outbound client for oHttp, alipay-sdk's exec and the like. It goes
	// through the outbound router, which applies --upstream and logs every call.
	HTTP *http.Client
	// Now is the clock: Date, timestamps and signatures follow it.
	Now func() time.Time
	// Zone is the local time zone of scripts: Date's local methods, Intl and
	// moment. Bmob runs functions in Beijing time; runtime.New sets a nil Zone
	// to bjtime.Location. It is never the process's time.Local.
	Zone *time.Location
	// Random is the source of randomness for crypto.randomBytes, ids and nonces.
	Random io.Reader
	// DecompressLimit caps the output of one decompression a script asks for
	// (zlib, oGzip, oHttp with gzip: true), in bytes: --decompress-limit. 0 means
	// DefaultDecompressLimit.
	DecompressLimit int64
}

// AlipayApp is an Alipay app's credentials for calls made on a script's behalf.
type AlipayApp struct {
	AppID string
	// PrivateKey signs requests (RSA2); AlipayPublicKey verifies the answers.
	PrivateKey      *rsa.PrivateKey
	AlipayPublicKey *rsa.PublicKey
	// Gateway is the openapi URL ("" = https://openapi.alipay.com/gateway.do).
	Gateway string
}

// AlipayUserHeader carries the caller's Alipay user id (2088…) to a context-style
// function, standing in for the mini-program client's signed-in identity:
// ctx.mpserverless.user.getInfo() answers it as oAuthUserId.
const AlipayUserHeader = "X-Bmobemu-Alipay-User-Id"

// Caller is who made the current call, as far as its request says.
type Caller struct {
	Header http.Header // canonical names
	IP     string
}

// CallerVU is a VU that knows the request of the call it runs (the runtime's
// VMs do; a VU of handler-test code does not).
type CallerVU interface {
	// Caller is the current call's caller; ok is false between calls.
	Caller() (c Caller, ok bool)
}

// DefaultDecompressLimit is the default of Env.DecompressLimit: 64 MiB.
const DefaultDecompressLimit = 64 << 20

// DecompressCap is the cap on one decompression's output (see DecompressLimit).
func (e *Env) DecompressCap() int64 {
	if e == nil || e.DecompressLimit <= 0 {
		return DefaultDecompressLimit
	}
	return e.DecompressLimit
}

// FunctionCaller invokes a cloud function by name with a form-encoded body, as
// Bmob's internal `_e` route does (oFunctions.run, REST /1/functions).
type FunctionCaller interface {
	CallFunction(ctx context.Context, name string, form []fncall.Pair) (fncall.Response, error)
}

// Constructor builds the value a script sees for one module.
type Constructor func(vu VU) (goja.Value, error)
