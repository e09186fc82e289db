package noderequest

import (
	"regexp"
	"strings"
	"testing"
)

// TestUpstreamReroutesWeChatPay is the wechatPayment.js call: http.post(options, cb)
// to the real API host, rerouted by --upstream to a loopback server.
func TestUpstreamReroutesWeChatPay(t *testing.T) {
	srv := newUnstartedServer(t)
	vu, logs := newVU(t, map[string]string{"api.mch.weixin.qq.com": "http://" + srv.Listener.Addr().String()})
	srv.Start()
	vu.Set("http", vu.Global("request"))
	vu.MustRun(t, `
		var request_body = JSON.stringify({appid: "wxd8cdsfhjkhjf", mchid: "16324234", amount: {total: 100, currency: "CNY"}});
		http.post({
			url: "https://api.mch.weixin.qq.com/v3/pay/transactions/app",
			headers: {"Content-Type": "application/json", "Accept": "application/json", "Authorization": "WECHATPAY2-SHA256-RSA2048 mchid=\"16324234\""},
			body: request_body
		}, record);
		sent = request_body;
	`)
	got := srv.last(t)
	if got.Method != "POST" || got.URI != "/v3/pay/transactions/app" || got.Body != vu.Global("sent").String() {
		t.Fatalf("upstream saw %s %s %q", got.Method, got.URI, got.Body)
	}
	want := map[string]string{
		"Content-Type":      "application/json",
		"Accept":            "application/json",
		"Authorization":     `WECHATPAY2-SHA256-RSA2048 mchid="16324234"`,
		"X-Forwarded-Host":  "api.mch.weixin.qq.com",
		"X-Forwarded-Proto": "https",
	}
	for k, v := range want {
		if got.Header.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, got.Header.Get(k), v)
		}
	}
	if got.Host != strings.TrimPrefix(srv.URL, "http://") {
		t.Errorf("Host = %q, want the upstream's", got.Host)
	}
	r := only(t, vu)
	if r.Err != nil || r.Status != 200 || r.Href != "https://api.mch.weixin.qq.com/v3/pay/transactions/app" {
		t.Errorf("callback got %+v; the script must still see its own URL", r)
	}
	line := regexp.MustCompile(`^POST https://api\.mch\.weixin\.qq\.com/v3/pay/transactions/app via ` +
		regexp.QuoteMeta(srv.URL) + `/v3/pay/transactions/app -> 200 \(\d+ms\)$`)
	if l := logs.all(); len(l) != 1 || !line.MatchString(l[0]) {
		t.Errorf("log = %q, want one line matching %s", l, line)
	}
}

func TestLogLinesPerHopAndError(t *testing.T) {
	vu, logs := newVU(t, nil)
	srv := newServer(t)
	dead := closedPort(t)
	vu.MustRun(t, `request("`+srv.URL+`/redirect/1", function () { request("http://`+dead+`/", record); })`)
	l := logs.all()
	want := []*regexp.Regexp{
		regexp.MustCompile(`^GET ` + regexp.QuoteMeta(srv.URL) + `/redirect/1 -> 302 \(\d+ms\)$`),
		regexp.MustCompile(`^GET ` + regexp.QuoteMeta(srv.URL) + `/redirect/0 -> 200 \(\d+ms\)$`),
		regexp.MustCompile(`^GET http://` + regexp.QuoteMeta(dead) + `/ -> error: .*connection refused \(\d+ms\)$`),
	}
	if len(l) != len(want) {
		t.Fatalf("log = %q, want %d lines", l, len(want))
	}
	for i, re := range want {
		if !re.MatchString(l[i]) {
			t.Errorf("line %d = %q, want %s", i, l[i], re)
		}
	}
}
