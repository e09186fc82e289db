package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/sandbox"
	"github.com/bmobemu/bmobemu/sandbox/builtin"
	"github.com/bmobemu/bmobemu/sandbox/provider"
	"github.com/bmobemu/bmobemu/store"
)

// DefaultBaseURL is where the server is assumed to be reached when
// SandboxConfig.BaseURL is empty (cashier pages link back to it).
const DefaultBaseURL = "http://127.0.0.1:8080"

// SandboxConfig are the payment sandbox's settings. The zero value is the
// sandbox on, with the built-in simulators.
type SandboxConfig struct {
	// Off lets payment calls through to the real gateways.
	Off bool
	// RetryScale multiplies the providers' notify retry delays; 0 means
	// sandbox.DefaultRetryScale.
	RetryScale float64
	// BaseURL is this server's URL as a browser reaches it ("" = DefaultBaseURL).
	BaseURL string
	// Providers build the simulated providers; nil means the built-in ones.
	Providers []sandbox.Factory
	// Keys are the credentials to use instead of those kept beside the db (nil:
	// load or make them there). Handler tests share one set across sessions,
	// since making RSA keys is slow.
	Keys *builtin.Keys
	// TransportFirst gives Config.Transport every outbound call before the
	// sandbox sees it; that transport hands provider hosts on itself, through
	// Emulator.Sandbox.Transport (testkit does, so a test's declared answers win).
	TransportFirst bool
}

// openSandbox loads (or makes) the sandbox keys beside the db and builds the
// sandbox and its providers. Notifies go to e's functions (e.App is set later).
func openSandbox(cfg Config, clk clock.Clock, e *Emulator) (*sandbox.Sandbox, *builtin.Keys, error) {
	keys := cfg.Sandbox.Keys
	if keys == nil {
		var err error
		if keys, err = builtin.LoadOrCreateKeys(sandbox.KeysFile(cfg.StateBase)); err != nil {
			return nil, nil, err
		}
	}
	sb := sandbox.New(sandbox.Options{
		Clock:      clk,
		RetryScale: cfg.Sandbox.RetryScale,
		Deliver:    sandbox.LocalDeliver(e.invokeNotify, nil),
		Log:        func(level, line string) { e.Logs.FunctionLog("sandbox", level, line) },
		Guard:      e.Guard,
		State:      sandboxState(e.Store),
	})
	factories := cfg.Sandbox.Providers
	if factories == nil {
		factories = keys.Factories()
	}
	penv := sandbox.ProviderEnv{
		Notifier: sb, Clock: clk, BaseURL: cfg.Sandbox.BaseURL, Random: cfg.Random,
		Warn: func(line string) { e.Logs.FunctionLog("sandbox", "warn", line) },
	}
	for _, f := range factories {
		p, err := f(penv)
		if err == nil {
			err = sb.Add(p)
		}
		if err != nil {
			_ = sb.Close()
			return nil, nil, fmt.Errorf("starting the payment sandbox: %w", err)
		}
	}
	if err := sb.Restore(); err != nil {
		_ = sb.Close()
		return nil, nil, fmt.Errorf("starting the payment sandbox: %w", err)
	}
	return sb, keys, nil
}

// sandboxState is where the sandbox keeps trades and notifies: the db, when
// its store can hold them.
func sandboxState(st store.Store) sandbox.StateStore {
	if k, ok := st.(store.StateKeeper); ok {
		return k
	}
	return nil
}

// sandboxHooks let alipay-sdk's signed app orders reach the simulator and its
// page forms point at the local cashier.
func sandboxHooks(env *modules.Env, sb *sandbox.Sandbox, baseURL string) {
	env.SignedOrder = func(method, orderString string) error {
		if method != "alipay.trade.app.pay" {
			return nil
		}
		_, err := sb.SubmitAppOrder(provider.Alipay, orderString)
		if errors.Is(err, sandbox.ErrNoAppOrders) {
			return nil // no simulator takes app orders: nothing to tell
		}
		return err
	}
	env.PageGateway = func(gateway string) (string, bool) { return sb.LocalURL(gateway, baseURL) }
}

// invokeNotify runs the local function name with a notify request, through the
// fiber app in-process (App.Test): the function gets exactly what an HTTP notify
// would give it (Express body parsing, headers, query) with no port to know,
// so notifies work in tests and `invoke` that never listen.
func (e *Emulator) invokeNotify(ctx context.Context, name string, req *http.Request) (*http.Response, error) {
	local := req.Clone(ctx)
	local.URL = &url.URL{Scheme: "http", Host: req.URL.Host, Path: "/" + e.Secret + "/" + name, RawQuery: req.URL.RawQuery}
	local.Host = req.URL.Host
	local.RequestURI = ""
	timeout := -1 // none: the function's own timeout bounds the call
	if deadline, ok := ctx.Deadline(); ok {
		timeout = max(int(time.Until(deadline)/time.Millisecond), 1)
	}
	type answer struct {
		resp *http.Response
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := e.App.Test(local, timeout)
		done <- answer{resp, err}
	}()
	select {
	case a := <-done:
		if a.err != nil {
			return nil, fmt.Errorf("invoking %s: %w", name, a.err)
		}
		return a.resp, nil
	case <-ctx.Done():
		// App.Test knows no context; the call ends on its own (the function's
		// timeout bounds it) while Close goes on.
		return nil, fmt.Errorf("invoking %s: %w", name, ctx.Err())
	}
}
