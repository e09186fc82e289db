package wechatsim

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// BenchmarkPrepayHTTP is one signed app order over HTTP: verify the merchant's
// signature, validate, create, sign the answer.
func BenchmarkPrepayHTTP(b *testing.B) {
	e := newEnv(b)
	i := 0
	for b.Loop() {
		i++
		body := strings.Replace(appOrder, "order_raw_1", fmt.Sprintf("bench_%d", i), 1)
		if r := e.raw(b, e.keys.merchant, "POST", "/v3/pay/transactions/app", body, nil); r.status != 200 {
			b.Fatalf("%d %s", r.status, r.body)
		}
	}
}

// BenchmarkPayNotify is a pay trigger: state change, AES-GCM encryption of the
// transaction and the platform signature of the notify.
func BenchmarkPayNotify(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, err := e.sim.Pay(ctx, provider.PayRequest{OutTradeNo: fmt.Sprintf("bench_%d", i), TotalFen: 100,
			NotifyURL: testNotifyURL}); err != nil {
			b.Fatal(err)
		}
	}
}
