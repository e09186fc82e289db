package alipaysim

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// cashierPage is everything the cashier template shows. ID is the id of the
// page's main element (cashier, paid, closed, cancelled, error), stable for
// browser tests, as are #pay and #cancel.
type cashierPage struct {
	Title      string
	ID         string
	Message    string
	Trade      *tradeInfo
	PayURL     string
	CancelURL  string
	BackURL    string
	BackTitle  string
	ErrorCode  string
	ErrorTitle string
}

type tradeInfo struct {
	Subject, Amount, OutTradeNo, TradeNo, Status string
}

var cashierTemplate = template.Must(template.New("cashier").Parse(`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} - bmobemu Alipay sandbox</title>
<style>
body{font-family:system-ui,sans-serif;background:#f5f5f5;margin:0;padding:2em 1em;color:#333}
main{max-width:26em;margin:auto;background:#fff;border-radius:8px;padding:1.5em;box-shadow:0 1px 4px #0002}
h1{font-size:1.2em;margin-top:0}.amount{font-size:2em;font-weight:bold;margin:.3em 0}
dl{display:grid;grid-template-columns:auto 1fr;gap:.3em 1em}dt{color:#888}dd{margin:0;word-break:break-all}
button{font-size:1em;padding:.6em 1.4em;border:0;border-radius:4px;cursor:pointer}
#pay{background:#1677ff;color:#fff}#cancel{background:#eee}form{display:inline}
.note{color:#888;font-size:.85em;margin-top:1.5em}
</style></head>
<body><main id="{{.ID}}">
<h1>{{.Title}}</h1>
{{with .Trade}}<div class="amount" id="amount">¥{{.Amount}}</div>
<dl><dt>商品</dt><dd id="subject">{{.Subject}}</dd>
<dt>商户订单号</dt><dd id="out_trade_no">{{.OutTradeNo}}</dd>
<dt>支付宝交易号</dt><dd id="trade_no">{{.TradeNo}}</dd>
<dt>状态</dt><dd id="status">{{.Status}}</dd></dl>{{end}}
{{with .Message}}<p id="message">{{.}}</p>{{end}}
{{with .ErrorCode}}<p>错误代码 <code id="sub_code">{{.}}</code></p><p id="sub_msg">{{$.ErrorTitle}}</p>{{end}}
{{if .PayURL}}<p>
<form method="post" action="{{.PayURL}}"><input type="hidden" name="trade_no" value="{{.Trade.TradeNo}}"><button id="pay" type="submit">确认付款</button></form>
<form method="post" action="{{.CancelURL}}"><input type="hidden" name="trade_no" value="{{.Trade.TradeNo}}"><button id="cancel" type="submit">取消</button></form>
</p>{{end}}
{{with .BackURL}}<p><a id="back" href="{{.}}">{{$.BackTitle}}</a></p>{{end}}
<p class="note">bmobemu 支付宝沙箱：没有真实的资金往来。</p>
</main></body></html>
`))

func (s *Simulator) render(w http.ResponseWriter, status int, p cashierPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = cashierTemplate.Execute(w, p)
}

// renderError is the gateway's answer to a page or wap pay it refuses: an
// HTML page naming Alipay's sub_code, as the real cashier shows one.
func (s *Simulator) renderError(w http.ResponseWriter, e *Error) {
	s.render(w, http.StatusOK, cashierPage{Title: "支付遇到问题", ID: "error", ErrorCode: e.SubCode, ErrorTitle: e.SubMsg})
}

// cashierLink is the cashier page of a trade, also precreate's qr_code.
func (s *Simulator) cashierLink(t *trade) string {
	return s.cfg.CashierBase + "/cashier?trade_no=" + url.QueryEscape(t.tradeNo)
}

// servePagePay opens the trade of a page or wap pay and sends the browser to
// its cashier page.
func (s *Simulator) servePagePay(w http.ResponseWriter, r *http.Request, req *request) {
	kind := "page"
	if req.method == methodWapPay {
		kind = "wap"
	}
	var t *trade
	var e *Error
	s.withLock(func(*outbox) { t, e = s.openTrade(req, kind) })
	if e != nil {
		s.renderError(w, e)
		return
	}
	http.Redirect(w, r, s.cashierLink(t), http.StatusFound)
}

// tradeNoParam is the trade_no a cashier request names (query or form), after checking its method.
func (s *Simulator) tradeNoParam(w http.ResponseWriter, r *http.Request, post bool) (string, bool) {
	if post && r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "alipaysim: use POST", http.StatusMethodNotAllowed)
		return "", false
	}
	if !post && r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		http.Error(w, "alipaysim: use GET", http.StatusMethodNotAllowed)
		return "", false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "alipaysim: bad form: "+err.Error(), http.StatusBadRequest)
		return "", false
	}
	return r.Form.Get("trade_no"), true
}

func (s *Simulator) serveCashier(w http.ResponseWriter, r *http.Request) {
	tradeNo, ok := s.tradeNoParam(w, r, false)
	if !ok {
		return
	}
	var p cashierPage
	status := http.StatusOK
	s.withLock(func(*outbox) {
		t := s.byTradeNo[tradeNo]
		if t == nil {
			p, status = cashierPage{Title: "交易不存在", ID: "error", ErrorCode: subTradeNotExist, ErrorTitle: "交易不存在"}, http.StatusNotFound
			return
		}
		p = s.statusPage(t)
	})
	s.render(w, status, p)
}

// statusPage is the cashier for a waiting trade, or what became of it.
func (s *Simulator) statusPage(t *trade) cashierPage {
	info := &tradeInfo{Subject: t.subject, Amount: yuan(t.totalFen), OutTradeNo: t.outTradeNo, TradeNo: t.tradeNo, Status: t.status}
	switch t.status {
	case provider.StatusWaitBuyerPay:
		return cashierPage{Title: "支付宝收银台", ID: "cashier", Trade: info,
			PayURL: s.cfg.CashierBase + "/cashier/pay", CancelURL: s.cfg.CashierBase + "/cashier/cancel"}
	case provider.StatusClosed:
		return cashierPage{Title: "交易已关闭", ID: "closed", Trade: info, Message: "该交易已关闭，不能再付款。"}
	default:
		return cashierPage{Title: "支付成功", ID: "paid", Trade: info,
			Message: "付款时间 " + bjtime.Format(t.paidAt), BackURL: t.returnURL, BackTitle: "返回商户"}
	}
}

// serveCashierPay is the Pay button: the trade is paid (and notified), then the
// buyer goes to return_url with Alipay's signed synchronous-return parameters.
// Paying again only repeats the redirect.
func (s *Simulator) serveCashierPay(w http.ResponseWriter, r *http.Request) {
	tradeNo, ok := s.tradeNoParam(w, r, true)
	if !ok {
		return
	}
	var p cashierPage
	var location string
	var err error
	status := http.StatusOK
	s.withLock(func(out *outbox) {
		t := s.byTradeNo[tradeNo]
		if t == nil {
			p, status = cashierPage{Title: "交易不存在", ID: "error", ErrorCode: subTradeNotExist, ErrorTitle: "交易不存在"}, http.StatusNotFound
			return
		}
		if t.status == provider.StatusWaitBuyerPay {
			_ = s.pay(t, out) // cannot fail on a waiting trade
		}
		if t.status == provider.StatusClosed {
			status = http.StatusConflict
		}
		p = s.statusPage(t)
		if t.status != provider.StatusClosed && t.returnURL != "" && (t.kind == "page" || t.kind == "wap") {
			location, err = s.returnLocation(t)
		}
	})
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	case location != "":
		http.Redirect(w, r, location, http.StatusFound)
	default:
		s.render(w, status, p)
	}
}

// serveCashierCancel is the Cancel button: the trade stays unpaid; the buyer
// goes to quit_url when the merchant gave one, else sees a cancelled page.
func (s *Simulator) serveCashierCancel(w http.ResponseWriter, r *http.Request) {
	tradeNo, ok := s.tradeNoParam(w, r, true)
	if !ok {
		return
	}
	var p cashierPage
	var quit string
	status := http.StatusOK
	s.withLock(func(*outbox) {
		t := s.byTradeNo[tradeNo]
		if t == nil {
			p, status = cashierPage{Title: "交易不存在", ID: "error", ErrorCode: subTradeNotExist, ErrorTitle: "交易不存在"}, http.StatusNotFound
			return
		}
		if t.status != provider.StatusWaitBuyerPay {
			p = s.statusPage(t)
			return
		}
		quit = t.quitURL
		p = cashierPage{Title: "已取消付款", ID: "cancelled", Message: "交易未付款，订单仍可在有效期内重新支付。",
			Trade:   &tradeInfo{Subject: t.subject, Amount: yuan(t.totalFen), OutTradeNo: t.outTradeNo, TradeNo: t.tradeNo, Status: t.status},
			BackURL: t.returnURL, BackTitle: "返回商户"}
	})
	if quit != "" {
		http.Redirect(w, r, quit, http.StatusFound)
		return
	}
	s.render(w, status, p)
}

// returnLocation is return_url with Alipay's synchronous-return parameters,
// signed like a notify (everything but sign and sign_type, sorted).
func (s *Simulator) returnLocation(t *trade) (string, error) {
	v := url.Values{}
	v.Set("charset", "utf-8")
	v.Set("out_trade_no", t.outTradeNo)
	v.Set("method", "alipay.trade."+t.kind+".pay.return")
	v.Set("total_amount", yuan(t.totalFen))
	v.Set("trade_no", t.tradeNo)
	v.Set("auth_app_id", s.cfg.AppID)
	v.Set("version", "1.0")
	v.Set("app_id", s.cfg.AppID)
	v.Set("sign_type", t.signType)
	v.Set("seller_id", s.cfg.SellerID)
	v.Set("timestamp", bjtime.Format(s.cfg.Clock.Now()))
	if err := signValues(s.cfg.AlipayPrivateKey, t.hash, v); err != nil {
		return "", fmt.Errorf("alipaysim: return for %s: %w", t.outTradeNo, err)
	}
	sep := "?"
	if strings.Contains(t.returnURL, "?") {
		sep = "&"
	}
	return t.returnURL + sep + v.Encode(), nil
}
