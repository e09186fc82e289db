package alipaysim

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// fundBillList is the one funding channel of a sandbox payment, as the JSON
// string Alipay puts in notifies.
func fundBillList(fen int64) string {
	return `[{"amount":"` + yuan(fen) + `","fundChannel":"ALIPAYACCOUNT"}]`
}

// notify queues a trade_status_sync for t's current state when it has a
// notify_url. r is the refund that caused it, if any.
func (s *Simulator) notify(t *trade, event string, r *refund, out *outbox) {
	if t.notifyURL == "" {
		return
	}
	now := s.cfg.Clock.Now()
	s.seq++
	v := url.Values{}
	set := func(k, val string) {
		if val != "" { // Alipay sends only non-empty parameters
			v.Set(k, val)
		}
	}
	set("notify_time", bjtime.Format(now))
	set("notify_type", "trade_status_sync")
	set("notify_id", fmt.Sprintf("%s2209%012d", now.In(bjtime.Location).Format("200601021504"), s.seq))
	set("app_id", s.cfg.AppID)
	set("auth_app_id", s.cfg.AppID)
	set("charset", "utf-8")
	set("version", "1.0")
	set("sign_type", t.signType)
	set("trade_no", t.tradeNo)
	set("out_trade_no", t.outTradeNo)
	set("seller_id", s.cfg.SellerID)
	set("seller_email", s.cfg.SellerEmail)
	set("trade_status", t.status)
	set("total_amount", yuan(t.totalFen))
	set("subject", t.subject)
	set("body", t.body)
	set("passback_params", t.passback)
	set("gmt_create", bjtime.Format(t.createdAt))
	if !t.paidAt.IsZero() {
		set("buyer_id", buyerID)
		set("buyer_logon_id", buyerLogonID)
		set("receipt_amount", yuan(t.totalFen))
		set("invoice_amount", yuan(t.totalFen))
		set("buyer_pay_amount", yuan(t.totalFen))
		set("point_amount", "0.00")
		set("gmt_payment", bjtime.Format(t.paidAt))
		set("fund_bill_list", fundBillList(t.totalFen))
	}
	if r != nil {
		set("out_biz_no", r.outRequestNo)
		set("refund_fee", yuan(t.refundedFen))
		set("gmt_refund", r.at.In(bjtime.Location).Format("2006-01-02 15:04:05.000"))
	}
	if t.status == provider.StatusClosed || t.status == provider.StatusFinished {
		set("gmt_close", bjtime.Format(t.closedAt))
	}
	if err := signValues(s.cfg.AlipayPrivateKey, t.hash, v); err != nil {
		s.cfg.Warn(fmt.Sprintf("alipay notify for %s not sent: %v", t.outTradeNo, err))
		return
	}
	*out = append(*out, provider.Notification{
		Provider:   provider.Alipay,
		Event:      event,
		OutTradeNo: t.outTradeNo,
		URL:        t.notifyURL,
		Header:     http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}},
		Body:       []byte(v.Encode()),
	})
}
