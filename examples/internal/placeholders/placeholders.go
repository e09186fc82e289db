// Package placeholders fills the key placeholders of the payment examples
// (__APP_PRIVATE_KEY__, __MERCHANT_PRIVATE_KEY__, …) from the payment sandbox's
// keys, as a reader pastes the output of `bmobemu sandbox keys`. The examples'
// tests and `make run` (through examples/internal/fillkeys) both use it, so the
// functions served and the functions tested are filled the same way.
package placeholders

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmobemu/bmobemu/paysim/builtin"
)

// FromSandbox maps every placeholder the examples use to its value in k. Alipay
// keys are bare base64 (as Alipay's console shows them); WeChat PEMs are
// escaped for a '…' or "…" JavaScript string.
func FromSandbox(k *builtin.Keys) map[string]string {
	a, w := &k.Alipay, &k.Wechat
	return map[string]string{
		"__ALIPAY_APP_ID__":        a.AppID,
		"__APP_PRIVATE_KEY__":      a.AppPrivateOneLine(),
		"__ALIPAY_PUBLIC_KEY__":    a.AlipayPublicOneLine(),
		"__MCHID__":                w.MchID,
		"__WECHAT_APPID__":         w.AppID,
		"__MERCHANT_PRIVATE_KEY__": jsString(w.MerchantPrivateKeyPEM),
		"__MERCHANT_SERIAL__":      w.MerchantSerial,
		"__PLATFORM_PUBLIC_KEY__":  jsString(w.PlatformPublicPEM()),
		"__PLATFORM_SERIAL__":      w.PlatformSerial,
		"__APIV3_KEY__":            w.APIv3Key,
	}
}

// Fill copies every .js file of src into dst (made if missing) with the
// placeholders replaced; other files are left behind. A copy that already
// holds the same text is not rewritten (a server watching dst reloads nothing).
func Fill(src, dst string, values map[string]string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return fmt.Errorf("making %s: %w", dst, err)
	}
	pairs := make([]string, 0, 2*len(values))
	for k, v := range values {
		pairs = append(pairs, k, v)
	}
	r := strings.NewReplacer(pairs...)
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".js") {
			continue
		}
		text, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return fmt.Errorf("reading %s: %w", e.Name(), err)
		}
		filled := []byte(r.Replace(string(text)))
		if old, err := os.ReadFile(filepath.Join(dst, e.Name())); err == nil && bytes.Equal(old, filled) {
			continue
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), filled, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", e.Name(), err)
		}
	}
	return nil
}

// jsString escapes s for the inside of a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return strings.ReplaceAll(strings.Trim(string(b), `"`), "'", `\u0027`)
}
