package wechatsim

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// The buyer's pages: what h5_url and code_url open, and a cashier for any order,
// so a browser can pay. GET shows the order with a Pay button (#pay); the button
// POSTs the form back to the same path.
const (
	pathH5      = "/checkmweb" // h5_url: ?prepay_id=…[&redirect_url=…]
	pathNative  = "/bizpayurl" // code_url: ?pr=<prepay_id>
	pathCashier = "/cashier"   // any order: ?prepay_id=…
)

// codeURL is the native order's code_url.
func (s *Simulator) codeURL(prepayID string) string {
	if s.cfg.PublicBase == "" {
		return "weixin://wxpay/bizpayurl?pr=" + url.QueryEscape(prepayID)
	}
	return s.cfg.PublicBase + pathNative + "?pr=" + url.QueryEscape(prepayID)
}

// h5URL is the h5 order's h5_url.
func (s *Simulator) h5URL(prepayID string) string {
	if s.cfg.PublicBase == "" {
		return "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=" + url.QueryEscape(prepayID)
	}
	return s.cfg.PublicBase + pathH5 + "?prepay_id=" + url.QueryEscape(prepayID)
}

// CashierURL is the page where a browser can pay the order with this prepay_id
// (for app and jsapi orders, which have no URL of their own).
func (s *Simulator) CashierURL(prepayID string) string {
	return s.cfg.PublicBase + pathCashier + "?prepay_id=" + url.QueryEscape(prepayID)
}

// pageData fills pageTemplate.
type pageData struct {
	Description, OutTradeNo, MchID, Amount, State, TransactionID, Error string
	Unpaid                                                              bool
	PrepayID, RedirectURL                                               string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>微信支付（bmobemu 沙箱）</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}
.amount{font-size:2rem;margin:.5rem 0}#pay{background:#07c160;color:#fff;border:0;padding:.8rem;width:100%;font-size:1.1rem;border-radius:4px}
.err{color:#c00}dt{color:#666}</style></head><body>
<h1>微信支付 <small>bmobemu sandbox</small></h1>
{{if .Error}}<p class="err" id="error">{{.Error}}</p>{{end}}
{{if .OutTradeNo}}<p>{{.Description}}</p><p class="amount" id="amount">¥{{.Amount}}</p>
<dl><dt>商户号</dt><dd>{{.MchID}}</dd><dt>商户订单号</dt><dd id="out-trade-no">{{.OutTradeNo}}</dd>
<dt>状态</dt><dd id="state">{{.State}}</dd>{{if .TransactionID}}<dt>微信支付订单号</dt><dd id="transaction-id">{{.TransactionID}}</dd>{{end}}</dl>
{{if .Unpaid}}<form method="post"><input type="hidden" name="prepay_id" value="{{.PrepayID}}">
<input type="hidden" name="redirect_url" value="{{.RedirectURL}}"><button id="pay" type="submit">立即支付</button></form>{{end}}
{{if and .TransactionID .RedirectURL}}<p><a id="back" href="{{.RedirectURL}}">返回商户</a></p>{{end}}{{end}}
</body></html>
`))

// servePage answers the buyer's pages.
func (s *Simulator) servePage(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case pathH5, pathNative, pathCashier:
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.renderPage(w, http.StatusBadRequest, pageData{Error: "无法读取表单：" + err.Error()})
		return
	}
	prepayID := r.Form.Get("prepay_id")
	if prepayID == "" {
		prepayID = r.Form.Get("pr")
	}
	redirect := r.Form.Get("redirect_url")
	if u, err := url.Parse(redirect); redirect != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https")) {
		redirect = ""
	}
	s.mu.Lock()
	t := s.byPrepay[prepayID]
	s.mu.Unlock()
	if t == nil {
		s.renderPage(w, http.StatusNotFound, pageData{Error: fmt.Sprintf("没有 prepay_id 为 %q 的订单", prepayID)})
		return
	}
	status, errText := http.StatusOK, ""
	if r.Method == http.MethodPost {
		if _, err := s.pay(t); err != nil {
			status, errText = http.StatusConflict, "支付失败："+err.Error()
			if aerr, ok := errorsAs(err); ok {
				errText = "支付失败：" + aerr.Message
			}
		} else if redirect != "" {
			http.Redirect(w, r, redirect, http.StatusSeeOther)
			return
		}
	}
	s.mu.Lock()
	s.expireLocked(t)
	d := pageData{
		Description: t.description, OutTradeNo: t.outTradeNo, MchID: t.mchID,
		Amount: fmt.Sprintf("%d.%02d", t.total/100, t.total%100), State: stateDesc(t.state),
		TransactionID: t.transactionID, Unpaid: t.state == stateNotPay, PrepayID: t.prepayID,
		RedirectURL: redirect, Error: errText,
	}
	s.mu.Unlock()
	s.renderPage(w, status, d)
}

func (s *Simulator) renderPage(w http.ResponseWriter, status int, d pageData) {
	var b strings.Builder
	if err := pageTemplate.Execute(&b, d); err != nil {
		http.Error(w, "wechatsim: page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}
