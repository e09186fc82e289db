package wechatsim

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/downloader"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/app"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/h5"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/jsapi"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/native"
	"github.com/wechatpay-apiv3/wechatpay-go/services/refunddomestic"
)

// prepayAll creates one order of each kind with wechatpay-go and returns what
// each answered (prepay_id, code_url or h5_url) by out_trade_no.
func prepayAll(t *testing.T, c *core.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	got := map[string]string{}
	amount := func() int64 { return 100 }
	appResp, _, err := (&app.AppApiService{Client: c}).Prepay(ctx, app.PrepayRequest{
		Appid: ptr(testAppID), Mchid: ptr(testMchID), Description: ptr("1个月会员"),
		OutTradeNo: ptr("order_app_1"), NotifyUrl: ptr(testNotifyURL), Attach: ptr("u1"),
		Amount: &app.Amount{Total: ptr(amount()), Currency: ptr("CNY")},
	})
	if err != nil {
		t.Fatalf("app prepay: %v", err)
	}
	got["order_app_1"] = *appResp.PrepayId
	jsResp, _, err := (&jsapi.JsapiApiService{Client: c}).Prepay(ctx, jsapi.PrepayRequest{
		Appid: ptr(testAppID), Mchid: ptr(testMchID), Description: ptr("jsapi"),
		OutTradeNo: ptr("order_jsapi_1"), NotifyUrl: ptr(testNotifyURL),
		Amount: &jsapi.Amount{Total: ptr(amount())}, Payer: &jsapi.Payer{Openid: ptr("oUser1")},
	})
	if err != nil {
		t.Fatalf("jsapi prepay: %v", err)
	}
	got["order_jsapi_1"] = *jsResp.PrepayId
	nResp, _, err := (&native.NativeApiService{Client: c}).Prepay(ctx, native.PrepayRequest{
		Appid: ptr(testAppID), Mchid: ptr(testMchID), Description: ptr("native"),
		OutTradeNo: ptr("order_native_1"), NotifyUrl: ptr(testNotifyURL),
		Amount: &native.Amount{Total: ptr(amount())},
	})
	if err != nil {
		t.Fatalf("native prepay: %v", err)
	}
	got["order_native_1"] = *nResp.CodeUrl
	hResp, _, err := (&h5.H5ApiService{Client: c}).Prepay(ctx, h5.PrepayRequest{
		Appid: ptr(testAppID), Mchid: ptr(testMchID), Description: ptr("h5"),
		OutTradeNo: ptr("order_h5_1"), NotifyUrl: ptr(testNotifyURL),
		Amount:    &h5.Amount{Total: ptr(amount())},
		SceneInfo: &h5.SceneInfo{PayerClientIp: ptr("127.0.0.1"), H5Info: &h5.H5Info{Type: ptr("Wap")}},
	})
	if err != nil {
		t.Fatalf("h5 prepay: %v", err)
	}
	got["order_h5_1"] = *hResp.H5Url
	return got
}

func TestSDKPrepayEveryKind(t *testing.T) {
	e := newEnv(t)
	got := prepayAll(t, e.sdkClient(t, e.keys.merchant))
	base := e.srv.URL + "/_sandbox/wechat"
	checks := []struct{ no, prefix string }{
		{"order_app_1", "wx"},
		{"order_jsapi_1", "wx"},
		{"order_native_1", base + "/bizpayurl?pr=wx"},
		{"order_h5_1", base + "/checkmweb?prepay_id=wx"},
	}
	for _, c := range checks {
		if !strings.HasPrefix(got[c.no], c.prefix) {
			t.Errorf("%s answered %q, want prefix %q", c.no, got[c.no], c.prefix)
		}
	}
	kinds := map[string]string{}
	for _, tr := range e.sim.Trades() {
		kinds[tr.OutTradeNo] = tr.Kind
		if tr.Status != provider.StatusWaitBuyerPay || tr.TotalFen != 100 || tr.TradeNo != "" {
			t.Errorf("new trade %+v", tr)
		}
	}
	want := map[string]string{"order_app_1": "app", "order_jsapi_1": "jsapi", "order_native_1": "native", "order_h5_1": "h5"}
	for no, k := range want {
		if kinds[no] != k {
			t.Errorf("trade %s kind %q, want %q", no, kinds[no], k)
		}
	}
	if w := e.warns(); len(w) != 0 {
		t.Errorf("wechatpay-go's requests drew fidelity warnings: %q", w)
	}
}

func TestSDKQueryPayCloseRefund(t *testing.T) {
	e := newEnv(t)
	c := e.sdkClient(t, e.keys.merchant)
	ctx := context.Background()
	prepayAll(t, c)
	svc := &app.AppApiService{Client: c}

	txn, _, err := svc.QueryOrderByOutTradeNo(ctx, app.QueryOrderByOutTradeNoRequest{
		OutTradeNo: ptr("order_app_1"), Mchid: ptr(testMchID)})
	if err != nil {
		t.Fatalf("query unpaid: %v", err)
	}
	if *txn.TradeState != "NOTPAY" || txn.TransactionId != nil || *txn.Amount.Total != 100 {
		t.Errorf("unpaid order: %v", txn)
	}

	paid, err := e.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "order_app_1"})
	if err != nil {
		t.Fatal(err)
	}
	if paid.Status != provider.StatusSuccess || len(paid.TradeNo) != 28 {
		t.Errorf("paid trade %+v", paid)
	}
	byID, _, err := svc.QueryOrderById(ctx, app.QueryOrderByIdRequest{
		TransactionId: ptr(paid.TradeNo), Mchid: ptr(testMchID)})
	if err != nil {
		t.Fatalf("query by id: %v", err)
	}
	if *byID.TradeState != "SUCCESS" || *byID.OutTradeNo != "order_app_1" || *byID.TradeType != "APP" ||
		*byID.Amount.PayerTotal != 100 || *byID.Attach != "u1" || byID.SuccessTime == nil || *byID.Payer.Openid == "" {
		t.Errorf("paid order by id: %v", byID)
	}

	// Close: the unpaid native order closes (204); the paid app order cannot.
	nsvc := &native.NativeApiService{Client: c}
	res, err := nsvc.CloseOrder(ctx, native.CloseOrderRequest{OutTradeNo: ptr("order_native_1"), Mchid: ptr(testMchID)})
	if err != nil || res.Response.StatusCode != http.StatusNoContent {
		t.Fatalf("close: %v %v", res, err)
	}
	closed, _, err := nsvc.QueryOrderByOutTradeNo(ctx, native.QueryOrderByOutTradeNoRequest{
		OutTradeNo: ptr("order_native_1"), Mchid: ptr(testMchID)})
	if err != nil || *closed.TradeState != "CLOSED" {
		t.Fatalf("closed order: %v %v", closed, err)
	}
	_, err = svc.CloseOrder(ctx, app.CloseOrderRequest{OutTradeNo: ptr("order_app_1"), Mchid: ptr(testMchID)})
	if !core.IsAPIError(err, "ORDERPAID") {
		t.Errorf("closing a paid order: %v, want ORDERPAID", err)
	}
	if _, err := e.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "order_native_1"}); !errors.Is(err, provider.ErrBadState) {
		t.Errorf("paying a closed order: %v, want ErrBadState", err)
	}

	// Refund 30 of 100, query it, then the order says REFUND.
	rsvc := &refunddomestic.RefundsApiService{Client: c}
	rf, _, err := rsvc.Create(ctx, refunddomestic.CreateRequest{
		OutTradeNo: ptr("order_app_1"), OutRefundNo: ptr("refund_1"), Reason: ptr("test"),
		Amount: &refunddomestic.AmountReq{Refund: ptr(int64(30)), Total: ptr(int64(100)), Currency: ptr("CNY")},
	})
	if err != nil {
		t.Fatalf("refund: %v", err)
	}
	if *rf.Status != refunddomestic.STATUS_PROCESSING || *rf.Amount.Refund != 30 || *rf.TransactionId != paid.TradeNo {
		t.Errorf("refund answer: %v", rf)
	}
	q, _, err := rsvc.QueryByOutRefundNo(ctx, refunddomestic.QueryByOutRefundNoRequest{OutRefundNo: ptr("refund_1")})
	if err != nil {
		t.Fatalf("refund query: %v", err)
	}
	if *q.Status != refunddomestic.STATUS_SUCCESS || *q.RefundId != *rf.RefundId || q.SuccessTime == nil {
		t.Errorf("refund query: %v", q)
	}
	after, _, err := svc.QueryOrderByOutTradeNo(ctx, app.QueryOrderByOutTradeNoRequest{
		OutTradeNo: ptr("order_app_1"), Mchid: ptr(testMchID)})
	if err != nil || *after.TradeState != "REFUND" {
		t.Fatalf("refunded order: %v %v", after, err)
	}
	_, _, err = rsvc.Create(ctx, refunddomestic.CreateRequest{
		TransactionId: ptr(paid.TradeNo), OutRefundNo: ptr("refund_2"),
		Amount: &refunddomestic.AmountReq{Refund: ptr(int64(71)), Total: ptr(int64(100)), Currency: ptr("CNY")},
	})
	if !core.IsAPIError(err, "INVALID_REQUEST") {
		t.Errorf("refunding more than remains: %v, want INVALID_REQUEST", err)
	}
	_, _, err = rsvc.QueryByOutRefundNo(ctx, refunddomestic.QueryByOutRefundNoRequest{OutRefundNo: ptr("nope")})
	if !core.IsAPIError(err, "RESOURCE_NOT_EXISTS") {
		t.Errorf("unknown refund: %v, want RESOURCE_NOT_EXISTS", err)
	}
	_, _, err = svc.QueryOrderByOutTradeNo(ctx, app.QueryOrderByOutTradeNoRequest{OutTradeNo: ptr("nope_123"), Mchid: ptr(testMchID)})
	if !core.IsAPIError(err, "ORDER_NOT_EXIST") {
		t.Errorf("unknown order: %v, want ORDER_NOT_EXIST", err)
	}
	var tr provider.Trade
	for _, x := range e.sim.Trades() {
		if x.OutTradeNo == "order_app_1" {
			tr = x
		}
	}
	if tr.Status != provider.StatusSuccess || tr.RefundedFen != 30 {
		t.Errorf("refunded trade view %+v", tr)
	}
}

func TestSDKDownloadsCertificates(t *testing.T) {
	e := newEnv(t)
	c := e.sdkClient(t, e.keys.merchant)
	ctx := context.Background()
	d, err := downloader.NewCertificateDownloaderWithClient(ctx, c, testAPIv3Key)
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	cert, ok := d.Get(ctx, testPlatformSerial)
	if !ok || !cert.Equal(e.cert) {
		t.Fatalf("downloaded certificate %v, want the platform certificate", cert)
	}
	// The second download is verified with the downloaded certificate itself.
	if err := d.DownloadCertificates(ctx); err != nil {
		t.Fatalf("second download: %v", err)
	}
	if _, err := downloader.NewCertificateDownloaderWithClient(ctx, c, strings.Repeat("x", 32)); err == nil {
		t.Error("a wrong APIv3 key decrypted the certificate")
	}
}

func TestSDKWrongMerchantKey(t *testing.T) {
	e := newEnv(t)
	c := e.sdkClient(t, e.keys.stranger)
	_, _, err := (&app.AppApiService{Client: c}).Prepay(context.Background(), app.PrepayRequest{
		Appid: ptr(testAppID), Mchid: ptr(testMchID), Description: ptr("x"),
		OutTradeNo: ptr("order_bad_key"), NotifyUrl: ptr(testNotifyURL),
		Amount: &app.Amount{Total: ptr(int64(1))},
	})
	var apiErr *core.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized || apiErr.Code != "SIGN_ERROR" {
		t.Fatalf("wrong key: %v, want 401 SIGN_ERROR", err)
	}
	if len(e.sim.Trades()) != 0 {
		t.Error("a request with a wrong signature created a trade")
	}
}
