// Package builtin puts together the payment sandbox's built-in simulated
// providers, Alipay (paysim/alipaysim) and WeChat Pay (paysim/wechatsim):
// their keys file, the config a script pastes, and their factories. The
// sandbox core knows none of them; this is the one place that names both.
package builtin

import (
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/alipaysim"
	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/bmobemu/bmobemu/paysim/wechatsim"
)

// Keys are the sandbox credentials as the keys file keeps them, one part per
// provider: the merchant's halves go into scripts' configs (WriteConfig), the
// provider's halves stay with the simulators.
type Keys struct {
	Alipay alipaysim.Keys `json:"alipay"`
	Wechat wechatsim.Keys `json:"wechat"`

	random io.Reader // for Generate (nil: crypto/rand)
	now    time.Time // for Generate (zero: time.Now)
}

var _ paysim.KeySet = (*Keys)(nil)

// NewKeys makes a fresh set of sandbox keys; ids and serials come from random
// (the RSA keys always from crypto/rand), the platform certificate is valid
// from now.
func NewKeys(random io.Reader, now time.Time) (*Keys, error) {
	k := &Keys{random: random, now: now}
	if err := k.Generate(); err != nil {
		return nil, err
	}
	return k, nil
}

// LoadOrCreateKeys reads the sandbox keys at path, or makes them and writes
// them there (mode 0600) when the file does not exist.
func LoadOrCreateKeys(path string) (*Keys, error) {
	k := &Keys{}
	if err := paysim.LoadOrCreateKeyFile(path, k); err != nil {
		return nil, err
	}
	return k, nil
}

// Generate implements paysim.KeySet.
func (k *Keys) Generate() error {
	random, now := k.random, k.now
	if random == nil {
		random = rand.Reader
	}
	if now.IsZero() {
		now = time.Now()
	}
	ali, err := alipaysim.NewKeys(random)
	if err != nil {
		return fmt.Errorf("making the Alipay sandbox keys: %w", err)
	}
	wx, err := wechatsim.NewKeys(random, now)
	if err != nil {
		return fmt.Errorf("making the WeChat Pay sandbox keys: %w", err)
	}
	k.Alipay, k.Wechat = *ali, *wx
	return nil
}

// Check implements paysim.KeySet.
func (k *Keys) Check() error {
	if err := k.Alipay.Parse(); err != nil {
		return fmt.Errorf("alipay.%w", err)
	}
	if err := k.Wechat.Parse(); err != nil {
		return fmt.Errorf("wechat.%w", err)
	}
	return nil
}

// WriteConfig prints, with labels, everything a script's config needs to pay in
// the sandbox: each provider's part, ready to paste. One-line keys fit both '…'
// and "…" strings, and alipay-sdk and node-rsa (oCryptoRSA) accept them; the
// PEM forms follow for other tools.
func (k *Keys) WriteConfig(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# bmobemu payment sandbox: keys for your scripts' configs (made once, kept beside the db)\n")
	b.WriteString("# The simulators hold the matching halves; gateway URLs stay as they are (the sandbox answers them).\n\n")
	if err := k.Alipay.WriteConfig(&b); err != nil {
		return err
	}
	if err := k.Wechat.WriteConfig(&b); err != nil {
		return err
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing the sandbox config: %w", err)
	}
	return nil
}

// Factories build the built-in simulators with these keys.
func (k *Keys) Factories() []paysim.Factory {
	return []paysim.Factory{
		func(env provider.Env) (provider.Provider, error) { return k.Alipay.NewWith(env) },
		func(env provider.Env) (provider.Provider, error) { return k.Wechat.NewWith(env) },
	}
}
