package sandbox

import (
	"errors"
	"io"
	"strings"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/sandbox/provider"
)

// ErrNoAppOrders is returned (wrapped) by SubmitAppOrder when no provider takes
// app orders.
var ErrNoAppOrders = errors.New("no sandbox provider takes app orders")

// ProviderEnv is what a Factory gets to build a simulated provider.
type ProviderEnv struct {
	Keys     *Keys
	Notifier provider.Notifier // the Sandbox
	Clock    clock.Clock
	// BaseURL is bmobemu's server as a browser reaches it (http://127.0.0.1:8080).
	BaseURL string
	// Random is for nonces (nil: crypto/rand).
	Random io.Reader
	// Warn logs a fidelity warning.
	Warn func(line string)
}

// MountURL is the absolute URL of the provider name's handler on bmobemu's
// server, e.g. http://127.0.0.1:8080/_sandbox/alipay.
func (e ProviderEnv) MountURL(name string) string {
	base := e.BaseURL
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	return strings.TrimRight(base, "/") + MountPath + name
}

// Factory builds one simulated provider.
type Factory func(ProviderEnv) (provider.Provider, error)
