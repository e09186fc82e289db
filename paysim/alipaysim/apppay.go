package alipaysim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// SubmitAppOrder takes an alipay.trade.app.pay order string as the phone's
// Alipay app would (the output of alipay-sdk's sdkExec, or smartwalle's
// TradeAppPay): it checks the public parameters and the signature like the
// gateway does and opens the trade, WAIT_BUYER_PAY. Submitting the same order
// again returns the same trade. Errors are *Error with Alipay's codes.
func (s *Simulator) SubmitAppOrder(orderString string) (provider.Trade, error) {
	form, err := url.ParseQuery(strings.TrimSpace(orderString))
	if err != nil {
		return provider.Trade{}, fmt.Errorf("alipay app order: %w", invalid("isv.invalid-parameter", "参数无效：订单串不是 k=v&… 形式 ("+err.Error()+")"))
	}
	req, e := s.parseRequest(form, func(m string) bool { return m == methodAppPay })
	if e != nil {
		return provider.Trade{}, fmt.Errorf("alipay app order: %w", e)
	}
	var view provider.Trade
	s.withLock(func(*outbox) {
		var t *trade
		if t, e = s.openTrade(req, "app"); e == nil {
			view = t.view()
		}
	})
	if e != nil {
		return provider.Trade{}, fmt.Errorf("alipay app order: %w", e)
	}
	return view, nil
}

// appPayAnswer is /app-pay's JSON: Alipay's code fields, and on success the
// trade and the cashier page where it can be paid.
type appPayAnswer struct {
	Code        string `json:"code"`
	Msg         string `json:"msg"`
	SubCode     string `json:"sub_code,omitempty"`
	SubMsg      string `json:"sub_msg,omitempty"`
	OutTradeNo  string `json:"out_trade_no,omitempty"`
	TradeNo     string `json:"trade_no,omitempty"`
	TradeStatus string `json:"trade_status,omitempty"`
	TotalAmount string `json:"total_amount,omitempty"`
	CashierURL  string `json:"cashier_url,omitempty"`
}

// serveAppPay is POST /app-pay: the body is the order string.
func (s *Simulator) serveAppPay(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "alipaysim: POST the app-pay order string as the body", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	status, answer := http.StatusOK, appPayAnswer{}
	var t provider.Trade
	if err == nil {
		t, err = s.SubmitAppOrder(string(body))
	} else {
		err = invalid("isv.invalid-parameter", "参数无效："+err.Error())
	}
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = invalid("isv.invalid-parameter", "参数无效："+err.Error())
		}
		status = http.StatusBadRequest
		answer = appPayAnswer{Code: e.Code, Msg: e.Msg, SubCode: e.SubCode, SubMsg: e.SubMsg}
	} else {
		answer = appPayAnswer{Code: "10000", Msg: "Success", OutTradeNo: t.OutTradeNo, TradeNo: t.TradeNo,
			TradeStatus: t.Status, TotalAmount: yuan(t.TotalFen),
			CashierURL: s.cfg.CashierBase + "/cashier?trade_no=" + url.QueryEscape(t.TradeNo)}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(answer)
}
