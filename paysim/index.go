package paysim

import (
	"bytes"
	"html/template"
	"net/http"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// indexPage is the sandbox's HTML index: trades with their actions, the notifies
// with replay, and a form to pay an order made elsewhere. Plain forms, no script.
var indexPage = template.Must(template.New("index").Funcs(template.FuncMap{
	"yuan": FormatYuan,
	// bj renders a time as Beijing wall time (the emulator's zone, not the host's).
	"bj": func(t time.Time, layout string) string { return t.In(bjtime.Location).Format(layout) },
	"last": func(as []Attempt) *Attempt {
		if len(as) == 0 {
			return nil
		}
		return &as[len(as)-1]
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bmobemu payment sandbox</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}
form{display:inline;margin:0}code{font-size:12px}.ok{color:#070}.bad{color:#a00}
</style></head><body>
<h1>bmobemu payment sandbox</h1>
<p>Providers:{{range .Providers}} <a href="/_sandbox/{{.}}/">{{.}}</a>{{else}} none{{end}}.
JSON: <a href="/_sandbox/trades">trades</a>, <a href="/_sandbox/notifies">notifies</a>.</p>

<h2>Trades</h2>
<table id="trades"><tr><th>provider</th><th>out_trade_no</th><th>trade no</th><th>kind</th><th>status</th><th>amount</th><th>refunded</th><th>subject</th><th>notify_url</th><th>actions</th></tr>
{{range .Trades}}<tr><td>{{.Provider}}</td><td><code>{{.OutTradeNo}}</code></td><td><code>{{.TradeNo}}</code></td><td>{{.Kind}}</td><td>{{.Status}}</td>
<td>{{yuan .TotalFen}}</td><td>{{yuan .RefundedFen}}</td><td>{{.Subject}}</td><td><code>{{.NotifyURL}}</code></td><td>
<form method="post" action="/_sandbox/pay"><input type="hidden" name="provider" value="{{.Provider}}"><input type="hidden" name="outTradeNo" value="{{.OutTradeNo}}"><input type="hidden" name="back" value="/_sandbox/"><button>pay</button></form>
<form method="post" action="/_sandbox/close"><input type="hidden" name="provider" value="{{.Provider}}"><input type="hidden" name="outTradeNo" value="{{.OutTradeNo}}"><input type="hidden" name="back" value="/_sandbox/"><button>close</button></form>
<form method="post" action="/_sandbox/refund"><input type="hidden" name="provider" value="{{.Provider}}"><input type="hidden" name="outTradeNo" value="{{.OutTradeNo}}"><input type="hidden" name="back" value="/_sandbox/"><input name="amount" size="5" placeholder="all"><button>refund</button></form>
</td></tr>
{{else}}<tr><td colspan="10">No trades yet: run your pay function, or pay an order below.</td></tr>{{end}}
</table>

<h2>Pay an order</h2>
<form method="post" action="/_sandbox/pay"><input type="hidden" name="back" value="/_sandbox/">
<select name="provider">{{range .Providers}}<option>{{.}}</option>{{end}}</select>
<input name="outTradeNo" placeholder="out_trade_no" required> <input name="amount" placeholder="amount (yuan)" size="10">
<input name="notifyUrl" placeholder="notify_url" size="40"> <input name="subject" placeholder="subject"> <button>pay</button></form>

<h2>Notifies</h2>
<table id="notifies"><tr><th>id</th><th>created</th><th>provider</th><th>event</th><th>out_trade_no</th><th>notify_url</th><th>state</th><th>attempts</th><th>last answer</th><th></th></tr>
{{range .Notifies}}<tr><td>{{.ID}}{{if .ReplayOf}} (replay of {{.ReplayOf}}){{end}}</td><td>{{bj .CreatedAt "2006-01-02 15:04:05"}}</td><td>{{.Provider}}</td><td>{{.Event}}</td><td><code>{{.OutTradeNo}}</code></td><td><code>{{.URL}}</code></td>
<td class="{{if eq .State "acknowledged"}}ok{{else if eq .State "failed"}}bad{{end}}">{{.State}}{{if not .NextAttemptAt.IsZero}} (next {{bj .NextAttemptAt "15:04:05"}}){{end}}</td><td>{{len .Attempts}}</td>
<td>{{with last .Attempts}}{{if .Error}}{{.Error}}{{else}}{{.Status}} <code>{{.Body}}</code>{{end}}{{end}}</td>
<td><form method="post" action="/_sandbox/notifies/{{.ID}}/replay"><input type="hidden" name="back" value="/_sandbox/"><button>replay</button></form></td></tr>
{{else}}<tr><td colspan="10">No notifies yet.</td></tr>{{end}}
</table>
</body></html>
`))

func (s *Sandbox) serveIndex(w http.ResponseWriter, r *http.Request) {
	data := struct {
		Providers []string
		Trades    []provider.Trade
		Notifies  []Delivery
	}{s.providerNames(), s.Trades(), s.Deliveries()}
	// Newest notifies first: the one just triggered is what one looks for.
	for i, j := 0, len(data.Notifies)-1; i < j; i, j = i+1, j-1 {
		data.Notifies[i], data.Notifies[j] = data.Notifies[j], data.Notifies[i]
	}
	var page bytes.Buffer
	if err := indexPage.Execute(&page, data); err != nil {
		http.Error(w, "rendering the sandbox index: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(page.Bytes())
}
