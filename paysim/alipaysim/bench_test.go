package alipaysim

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// BenchmarkGatewayQuery is one signed alipay.trade.query through ServeHTTP:
// parse, verify the app's RSA2 signature, look up, sign the response.
func BenchmarkGatewayQuery(b *testing.B) {
	f := newFixture(b)
	if _, err := f.sim.Pay(bg, provider.PayRequest{OutTradeNo: "B1", TotalFen: 100}); err != nil {
		b.Fatal(err)
	}
	body := signed(b, f.app.key, "alipay.trade.query", `{"out_trade_no":"B1"}`, start).Encode()
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/gateway.do", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		f.sim.ServeHTTP(w, r)
		if !strings.Contains(w.Body.String(), `"code":"10000"`) {
			b.Fatal(w.Body.String())
		}
	}
}

// BenchmarkPayNotify is a payment trigger: new trade, TRADE_SUCCESS, signed notify.
func BenchmarkPayNotify(b *testing.B) {
	f := newFixture(b)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		i++
		if _, err := f.sim.Pay(bg, provider.PayRequest{OutTradeNo: fmt.Sprint("B", i), TotalFen: 100, NotifyURL: "http://m.test/n"}); err != nil {
			b.Fatal(err)
		}
	}
}
