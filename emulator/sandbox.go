package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/modules/alipaysdk"
	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/builtin"
	"github.com/bmobemu/bmobemu/paysim/provider"
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
	// paysim.DefaultRetryScale.
	RetryScale float64
	// BaseURL is this server's URL as a browser reaches it ("" = DefaultBaseURL).
	BaseURL string
	// Providers build the simulated providers; nil means the built-in ones.
	Providers []paysim.Factory
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
func openSandbox(cfg Config, clk clock.Clock, e *Emulator) (*paysim.Sandbox, *builtin.Keys, error) {
	keys := cfg.Sandbox.Keys
	if keys == nil {
		var err error
		if keys, err = builtin.LoadOrCreateKeys(paysim.KeysFile(cfg.StateBase)); err != nil {
			return nil, nil, err
		}
	}
	sb := paysim.New(paysim.Options{
		Clock:      clk,
		RetryScale: cfg.Sandbox.RetryScale,
		Deliver:    paysim.LocalDeliver(e.invokeNotify, nil),
		Log:        func(level, line string) { e.Logs.FunctionLog("sandbox", level, line) },
		Guard:      e.Guard,
		State:      sandboxState(e.Store),
	})
	factories := cfg.Sandbox.Providers
	if factories == nil {
		factories = keys.Factories()
	}
	penv := paysim.ProviderEnv{
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
func sandboxState(st store.Store) paysim.StateStore {
	if k, ok := st.(store.StateKeeper); ok {
		return k
	}
	return nil
}

// sandboxHooks let alipay-sdk's signed app orders reach the simulator and its
// page forms point at the local cashier.
func sandboxHooks(sb *paysim.Sandbox, baseURL string) alipaysdk.Hooks {
	var h alipaysdk.Hooks
	h.SignedOrder = func(method, orderString string) error {
		if method != "alipay.trade.app.pay" {
			return nil
		}
		_, err := sb.SubmitAppOrder(provider.Alipay, orderString)
		if errors.Is(err, paysim.ErrNoAppOrders) {
			return nil // no simulator takes app orders: nothing to tell
		}
		return err
	}
	h.PageGateway = func(gateway string) (string, bool) { return sb.LocalURL(gateway, baseURL) }
	return h
}

// invokeNotify runs the local function name with a notify request: the
// function gets exactly what an HTTP notify would give it (the body limit,
// Express body parsing, headers, query) with no port to know, so notifies work
// in tests and `invoke` that never listen.
func (e *Emulator) invokeNotify(ctx context.Context, name string, req *http.Request) (*http.Response, error) {
	resp, err := e.CallHTTP(ctx, name, req)
	if err != nil {
		return nil, err
	}
	return resp.HTTP(), nil
}
