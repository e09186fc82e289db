package wechatsim

import (
	"bytes"
	"encoding/json"
)

// The wire types list fields in WeChat's order: a notify handler that re-serialises
// the parsed body (JSON.stringify) must get the signed bytes back.

// transactionJSON is a Transaction as queries return it and TRANSACTION.SUCCESS
// carries it (encrypted). Fields WeChat leaves out of an unpaid order are omitted.
type transactionJSON struct {
	MchID          string        `json:"mchid"`
	AppID          string        `json:"appid"`
	OutTradeNo     string        `json:"out_trade_no"`
	TransactionID  string        `json:"transaction_id,omitempty"`
	TradeType      string        `json:"trade_type,omitempty"`
	TradeState     string        `json:"trade_state"`
	TradeStateDesc string        `json:"trade_state_desc"`
	BankType       string        `json:"bank_type,omitempty"`
	Attach         string        `json:"attach"`
	SuccessTime    string        `json:"success_time,omitempty"`
	Payer          payerJSON     `json:"payer"`
	Amount         txnAmountJSON `json:"amount"`
}

type payerJSON struct {
	OpenID string `json:"openid,omitempty"`
}

type txnAmountJSON struct {
	Total         int64  `json:"total"`
	PayerTotal    *int64 `json:"payer_total,omitempty"`
	Currency      string `json:"currency"`
	PayerCurrency string `json:"payer_currency"`
}

// transactionOf is t as WeChat describes it.
func transactionOf(t *trade) transactionJSON {
	j := transactionJSON{
		MchID:          t.mchID,
		AppID:          t.appID,
		OutTradeNo:     t.outTradeNo,
		TradeState:     t.state,
		TradeStateDesc: stateDesc(t.state),
		Attach:         t.attach,
		Amount:         txnAmountJSON{Total: t.total, Currency: t.currency, PayerCurrency: t.currency},
	}
	if t.transactionID != "" {
		paid := t.total
		j.TransactionID = t.transactionID
		j.TradeType = tradeTypes[t.kind]
		j.BankType = "OTHERS"
		j.SuccessTime = wechatTime(t.paidAt)
		j.Payer.OpenID = t.openID
		j.Amount.PayerTotal = &paid
	} else if t.kind == "jsapi" {
		j.Payer.OpenID = t.openID
	}
	return j
}

// refundJSON is a Refund as create and query return it.
type refundJSON struct {
	RefundID            string           `json:"refund_id"`
	OutRefundNo         string           `json:"out_refund_no"`
	TransactionID       string           `json:"transaction_id"`
	OutTradeNo          string           `json:"out_trade_no"`
	Channel             string           `json:"channel"`
	UserReceivedAccount string           `json:"user_received_account"`
	SuccessTime         string           `json:"success_time,omitempty"`
	CreateTime          string           `json:"create_time"`
	Status              string           `json:"status"`
	FundsAccount        string           `json:"funds_account"`
	Amount              refundAmountJSON `json:"amount"`
	PromotionDetail     []struct{}       `json:"promotion_detail"`
}

type refundAmountJSON struct {
	Total            int64      `json:"total"`
	Refund           int64      `json:"refund"`
	From             []struct{} `json:"from"`
	PayerTotal       int64      `json:"payer_total"`
	PayerRefund      int64      `json:"payer_refund"`
	SettlementRefund int64      `json:"settlement_refund"`
	SettlementTotal  int64      `json:"settlement_total"`
	DiscountRefund   int64      `json:"discount_refund"`
	Currency         string     `json:"currency"`
}

// userReceivedAccount is where a sandbox refund goes: the buyer's change.
const userReceivedAccount = "支付用户零钱"

// refundOf is rf as WeChat describes it. processing writes the status the create
// call reports (WeChat answers PROCESSING and settles later; the sandbox settles
// at once, so a query already says SUCCESS).
func refundOf(rf *refund, processing bool) refundJSON {
	t := rf.trade
	j := refundJSON{
		RefundID:            rf.refundID,
		OutRefundNo:         rf.outRefundNo,
		TransactionID:       t.transactionID,
		OutTradeNo:          t.outTradeNo,
		Channel:             "ORIGINAL",
		UserReceivedAccount: userReceivedAccount,
		SuccessTime:         wechatTime(rf.successAt),
		CreateTime:          wechatTime(rf.createdAt),
		Status:              rf.status,
		FundsAccount:        "AVAILABLE",
		Amount: refundAmountJSON{
			Total: t.total, Refund: rf.fen, From: []struct{}{},
			PayerTotal: t.total, PayerRefund: rf.fen,
			SettlementRefund: rf.fen, SettlementTotal: t.total,
			Currency: t.currency,
		},
		PromotionDetail: []struct{}{},
	}
	if processing {
		j.Status = "PROCESSING"
		j.SuccessTime = ""
	}
	return j
}

// refundNotifyJSON is the plaintext of REFUND.SUCCESS.
type refundNotifyJSON struct {
	MchID               string                 `json:"mchid"`
	TransactionID       string                 `json:"transaction_id"`
	OutTradeNo          string                 `json:"out_trade_no"`
	RefundID            string                 `json:"refund_id"`
	OutRefundNo         string                 `json:"out_refund_no"`
	RefundStatus        string                 `json:"refund_status"`
	SuccessTime         string                 `json:"success_time"`
	UserReceivedAccount string                 `json:"user_received_account"`
	Amount              refundNotifyAmountJSON `json:"amount"`
}

type refundNotifyAmountJSON struct {
	Total       int64 `json:"total"`
	Refund      int64 `json:"refund"`
	PayerTotal  int64 `json:"payer_total"`
	PayerRefund int64 `json:"payer_refund"`
}

func refundNotifyOf(rf *refund) refundNotifyJSON {
	t := rf.trade
	return refundNotifyJSON{
		MchID:               t.mchID,
		TransactionID:       t.transactionID,
		OutTradeNo:          t.outTradeNo,
		RefundID:            rf.refundID,
		OutRefundNo:         rf.outRefundNo,
		RefundStatus:        rf.status,
		SuccessTime:         wechatTime(rf.successAt),
		UserReceivedAccount: userReceivedAccount,
		Amount:              refundNotifyAmountJSON{Total: t.total, Refund: rf.fen, PayerTotal: t.total, PayerRefund: rf.fen},
	}
}

// marshal writes v as compact JSON without HTML escaping (JSON.stringify's
// form). The wire types cannot fail to marshal; a failure is a programming error.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("wechatsim: marshal " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
