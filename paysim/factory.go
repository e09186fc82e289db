package paysim

import (
	"errors"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// ErrNoAppOrders is returned (wrapped) by SubmitAppOrder when no provider takes
// app orders.
var ErrNoAppOrders = errors.New("no sandbox provider takes app orders")

// ProviderEnv is what a Factory gets to build a simulated provider. A factory
// brings the provider's own keys (paysim/builtin's factories close over them).
type ProviderEnv = provider.Env

// Factory builds one simulated provider.
type Factory func(ProviderEnv) (provider.Provider, error)
