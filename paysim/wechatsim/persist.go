package wechatsim

import (
	"fmt"
	"time"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

var _ provider.Persistent = (*Simulator)(nil)

type savedTrade struct {
	Kind          string    `json:"kind"`
	AppID         string    `json:"appid"`
	MchID         string    `json:"mchid"`
	Description   string    `json:"description"`
	OutTradeNo    string    `json:"outTradeNo"`
	NotifyURL     string    `json:"notifyUrl"`
	Attach        string    `json:"attach,omitempty"`
	Total         int64     `json:"total"`
	Currency      string    `json:"currency"`
	OpenID        string    `json:"openid,omitempty"`
	TimeExpire    time.Time `json:"timeExpire,omitzero"`
	Fingerprint   string    `json:"fingerprint"`
	PrepayID      string    `json:"prepayId"`
	State         string    `json:"state"`
	TransactionID string    `json:"transactionId,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
	PaidAt        time.Time `json:"paidAt,omitzero"`
	Refunded      int64     `json:"refunded,omitempty"`
}

type savedRefund struct {
	RefundID    string    `json:"refundId"`
	OutRefundNo string    `json:"outRefundNo"`
	OutTradeNo  string    `json:"outTradeNo"` // the trade refunded
	Reason      string    `json:"reason,omitempty"`
	NotifyURL   string    `json:"notifyUrl,omitempty"`
	Fen         int64     `json:"fen"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"createdAt"`
	SuccessAt   time.Time `json:"successAt,omitzero"`
}

// Snapshot implements provider.Persistent.
func (s *Simulator) Snapshot() ([]byte, error) {
	return provider.SaveState("wechatsim", &s.mu, func() provider.State[savedTrade, savedRefund] {
		st := provider.State[savedTrade, savedRefund]{Seq: s.seq, Trades: make([]savedTrade, len(s.order))}
		for i, t := range s.order {
			st.Trades[i] = savedTrade{
				Kind: t.kind, AppID: t.appID, MchID: t.mchID, Description: t.description, OutTradeNo: t.outTradeNo,
				NotifyURL: t.notifyURL, Attach: t.attach, Total: t.total, Currency: t.currency, OpenID: t.openID,
				TimeExpire: t.timeExpire, Fingerprint: t.fingerprint, PrepayID: t.prepayID, State: t.state,
				TransactionID: t.transactionID, CreatedAt: t.createdAt, PaidAt: t.paidAt, Refunded: t.refunded,
			}
			if t.transactionID == "" {
				continue
			}
			for _, rf := range s.refundsByTxn[t.transactionID] {
				st.Refunds = append(st.Refunds, savedRefund{
					RefundID: rf.refundID, OutRefundNo: rf.outRefundNo, OutTradeNo: t.outTradeNo, Reason: rf.reason,
					NotifyURL: rf.notifyURL, Fen: rf.fen, Status: rf.status, CreatedAt: rf.createdAt, SuccessAt: rf.successAt,
				})
			}
		}
		return st
	})
}

// Restore implements provider.Persistent: the trades and refunds held before
// are replaced by the snapshot's.
func (s *Simulator) Restore(snapshot []byte) error {
	return provider.LoadState("wechatsim", snapshot, &s.mu, func(st provider.State[savedTrade, savedRefund]) error {
		s.trades, s.byTxn, s.byPrepay = map[string]*trade{}, map[string]*trade{}, map[string]*trade{}
		s.refunds, s.refundsByTxn, s.order = map[string]*refund{}, map[string][]*refund{}, nil
		s.seq = st.Seq
		for _, v := range st.Trades {
			t := &trade{
				kind: v.Kind, appID: v.AppID, mchID: v.MchID, description: v.Description, outTradeNo: v.OutTradeNo,
				notifyURL: v.NotifyURL, attach: v.Attach, total: v.Total, currency: v.Currency, openID: v.OpenID,
				timeExpire: v.TimeExpire, fingerprint: v.Fingerprint, prepayID: v.PrepayID, state: v.State,
				transactionID: v.TransactionID, createdAt: v.CreatedAt, paidAt: v.PaidAt, refunded: v.Refunded,
			}
			s.trades[t.outTradeNo] = t
			s.byPrepay[t.prepayID] = t
			if t.transactionID != "" {
				s.byTxn[t.transactionID] = t
			}
			s.order = append(s.order, t)
		}
		for _, v := range st.Refunds {
			t := s.trades[v.OutTradeNo]
			if t == nil {
				return fmt.Errorf("refund %s of unknown trade %s", v.OutRefundNo, v.OutTradeNo)
			}
			rf := &refund{refundID: v.RefundID, outRefundNo: v.OutRefundNo, trade: t, reason: v.Reason, notifyURL: v.NotifyURL,
				fen: v.Fen, status: v.Status, createdAt: v.CreatedAt, successAt: v.SuccessAt}
			s.refunds[rf.outRefundNo] = rf
			s.refundsByTxn[t.transactionID] = append(s.refundsByTxn[t.transactionID], rf)
		}
		return nil
	})
}
