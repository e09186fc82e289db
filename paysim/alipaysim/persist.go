package alipaysim

import (
	"crypto"
	"time"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

var _ provider.Persistent = (*Simulator)(nil)

type savedTrade struct {
	OutTradeNo  string        `json:"outTradeNo"`
	TradeNo     string        `json:"tradeNo"`
	Kind        string        `json:"kind"`
	Status      string        `json:"status"`
	TotalFen    int64         `json:"totalFen"`
	Subject     string        `json:"subject,omitempty"`
	Body        string        `json:"body,omitempty"`
	Passback    string        `json:"passback,omitempty"`
	NotifyURL   string        `json:"notifyUrl,omitempty"`
	ReturnURL   string        `json:"returnUrl,omitempty"`
	QuitURL     string        `json:"quitUrl,omitempty"`
	Hash        crypto.Hash   `json:"hash"`
	SignType    string        `json:"signType"`
	CreatedAt   time.Time     `json:"createdAt"`
	PaidAt      time.Time     `json:"paidAt,omitzero"`
	ClosedAt    time.Time     `json:"closedAt,omitzero"`
	ExpiresAt   time.Time     `json:"expiresAt,omitzero"`
	RefundedFen int64         `json:"refundedFen,omitempty"`
	Refunds     []savedRefund `json:"refunds,omitempty"`
}

type savedRefund struct {
	OutRequestNo string    `json:"outRequestNo"`
	Fen          int64     `json:"fen"`
	At           time.Time `json:"at"`
}

// Snapshot implements provider.Persistent.
func (s *Simulator) Snapshot() ([]byte, error) {
	return provider.SaveState("alipaysim", &s.mu, func() provider.State[savedTrade, struct{}] {
		st := provider.State[savedTrade, struct{}]{Seq: s.seq, Trades: make([]savedTrade, len(s.order))}
		for i, t := range s.order {
			st.Trades[i] = savedTrade{
				OutTradeNo: t.outTradeNo, TradeNo: t.tradeNo, Kind: t.kind, Status: t.status, TotalFen: t.totalFen,
				Subject: t.subject, Body: t.body, Passback: t.passback, NotifyURL: t.notifyURL, ReturnURL: t.returnURL,
				QuitURL: t.quitURL, Hash: t.hash, SignType: t.signType, CreatedAt: t.createdAt, PaidAt: t.paidAt,
				ClosedAt: t.closedAt, ExpiresAt: t.expiresAt, RefundedFen: t.refundedFen,
			}
			for _, r := range t.refunds {
				st.Trades[i].Refunds = append(st.Trades[i].Refunds, savedRefund{OutRequestNo: r.outRequestNo, Fen: r.fen, At: r.at})
			}
		}
		return st
	})
}

// Restore implements provider.Persistent: the trades come back with their
// expiry and refund-period timers armed from the saved times. The trades
// held before are dropped, their timers stopped.
func (s *Simulator) Restore(snapshot []byte) error {
	return provider.LoadState("alipaysim", snapshot, &s.mu, func(st provider.State[savedTrade, struct{}]) error {
		for _, t := range s.order {
			stop(&t.stopExpire)
			stop(&t.stopFinish)
		}
		s.byOutNo, s.byTradeNo, s.order = map[string]*trade{}, map[string]*trade{}, nil
		s.seq = st.Seq
		for _, v := range st.Trades {
			t := &trade{
				outTradeNo: v.OutTradeNo, tradeNo: v.TradeNo, kind: v.Kind, status: v.Status, totalFen: v.TotalFen,
				subject: v.Subject, body: v.Body, passback: v.Passback, notifyURL: v.NotifyURL, returnURL: v.ReturnURL,
				quitURL: v.QuitURL, hash: v.Hash, signType: v.SignType, createdAt: v.CreatedAt, paidAt: v.PaidAt,
				closedAt: v.ClosedAt, refundedFen: v.RefundedFen,
			}
			for _, r := range v.Refunds {
				t.refunds = append(t.refunds, refund{outRequestNo: r.OutRequestNo, fen: r.Fen, at: r.At})
			}
			s.byOutNo[t.outTradeNo] = t
			s.byTradeNo[t.tradeNo] = t
			s.order = append(s.order, t)
			switch {
			case t.status == provider.StatusWaitBuyerPay && !v.ExpiresAt.IsZero():
				s.expireAt(t, v.ExpiresAt)
			case t.status == provider.StatusSuccess:
				s.finishAt(t, t.paidAt.Add(s.cfg.FinishAfter))
			}
		}
		return nil
	})
}
