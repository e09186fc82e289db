package alipaysdk

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"testing"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
)

// BenchmarkSdkExec measures whole sdkExec calls from JavaScript (the pay.js call).
func BenchmarkSdkExec(b *testing.B) {
	kp := newKeyPair(b)
	vu := newVU(b, modules.Compat)
	vu.MustRun(b, `var sdk = new AlipaySdk({ appId: '2021000000000001', privateKey: `+js(kp.pkcs8PEM)+`, keyType: 'PKCS8' });
		function once() { return sdk.sdkExec('alipay.trade.app.pay', { bizContent: { out_trade_no: 'ORDER_1', total_amount: 198.01,
			subject: '数据恢复产品 A', body: '订单ORDER_1', notify_url: 'https://cloud.example.com/payNotify',
			return_url: 'https://cloud.example.com/payNotify', product_code: 'QUICK_MSECURITY_PAY', timeout_express: '30m' } }); }`)
	once, ok := goja.AssertFunction(vu.Global("once"))
	if !ok {
		b.Fatal("once is not a function")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := once(goja.Undefined()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signatures/s")
}

// BenchmarkRSASignAlone is the floor: rsa.SignPKCS1v15 over a pay.js-sized content.
func BenchmarkRSASignAlone(b *testing.B) {
	kp := newKeyPair(b)
	content := []byte(`app_id=2021000000000001&biz_content={"out_trade_no":"ORDER_1","total_amount":198.01,"subject":"数据恢复产品 A","body":"订单ORDER_1","notify_url":"https://cloud.example.com/payNotify","return_url":"https://cloud.example.com/payNotify","product_code":"QUICK_MSECURITY_PAY","timeout_express":"30m"}&charset=utf-8&method=alipay.trade.app.pay&sign_type=RSA2&timestamp=2024-03-05 09:02:03&version=1.0`)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sum := sha256.Sum256(content)
		if _, err := rsa.SignPKCS1v15(nil, kp.key, crypto.SHA256, sum[:]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signatures/s")
}
