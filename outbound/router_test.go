package outbound

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// seen is what a loopback server received.
type seen struct {
	method, uri, host, body string
	header                  http.Header
}

func recorder(t *testing.T) (*httptest.Server, func() []seen) {
	t.Helper()
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{method: r.Method, uri: r.RequestURI, host: r.Host, body: string(b), header: r.Header.Clone()})
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seen { mu.Lock(); defer mu.Unlock(); return append([]seen(nil), got...) }
}

type lines struct {
	mu  sync.Mutex
	all []string
}

func (l *lines) add(s string) { l.mu.Lock(); l.all = append(l.all, s); l.mu.Unlock() }
func (l *lines) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.all...)
}

func TestRouterReroutes(t *testing.T) {
	srv, got := recorder(t)
	tests := []struct {
		name     string
		upstream map[string]string
		url      string
		wantURI  string
		rerouted bool
	}{
		{name: "host", upstream: map[string]string{"api.mch.weixin.qq.com": srv.URL},
			url: "https://api.mch.weixin.qq.com/v3/pay/transactions/app?x=1%202", wantURI: "/v3/pay/transactions/app?x=1%202", rerouted: true},
		{name: "case-insensitive host and base path", upstream: map[string]string{"API.example.com": srv.URL + "/sandbox/"},
			url: "http://api.EXAMPLE.com/a/b", wantURI: "/sandbox/a/b", rerouted: true},
		{name: "host:port only matches that port", upstream: map[string]string{"example.com:8443": srv.URL},
			url: "https://example.com:8443/p", wantURI: "/p", rerouted: true},
		{name: "unmatched goes direct", upstream: map[string]string{"other.example": "http://127.0.0.1:1"},
			url: srv.URL + "/direct?q", wantURI: "/direct?q"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var log lines
			r := New(Options{Upstreams: tc.upstream, Log: func(_ context.Context, s string) { log.add(s) }})
			before := len(got())
			req, err := http.NewRequest("POST", tc.url, strings.NewReader(`{"a":1}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header["Authorization"] = []string{"WECHATPAY2-SHA256-RSA2048 sig"}
			req.Header["content-type"] = []string{"application/json"}
			resp, err := r.Client().Do(req)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 201 || string(body) != "ok" {
				t.Fatalf("response %d %q", resp.StatusCode, body)
			}
			all := got()
			if len(all) != before+1 {
				t.Fatalf("server saw %d requests, want 1", len(all)-before)
			}
			s := all[len(all)-1]
			if s.method != "POST" || s.uri != tc.wantURI || s.body != `{"a":1}` {
				t.Errorf("upstream saw %s %s %q", s.method, s.uri, s.body)
			}
			if s.header.Get("Authorization") != "WECHATPAY2-SHA256-RSA2048 sig" || s.header.Get("Content-Type") != "application/json" {
				t.Errorf("headers lost: %v", s.header)
			}
			srvHost := strings.TrimPrefix(srv.URL, "http://")
			if s.host != srvHost {
				t.Errorf("Host = %q, want the upstream's %q", s.host, srvHost)
			}
			u, _ := url.Parse(tc.url)
			if tc.rerouted && (s.header.Get("X-Forwarded-Host") != u.Host || s.header.Get("X-Forwarded-Proto") != u.Scheme) {
				t.Errorf("forwarded headers: %v", s.header)
			}
			if !tc.rerouted && s.header.Get("X-Forwarded-Host") != "" {
				t.Errorf("direct request got X-Forwarded-Host")
			}
			want := "^POST " + regexp.QuoteMeta(tc.url) + " -> 201 \\(\\d+ms\\)$"
			if tc.rerouted {
				want = "^POST " + regexp.QuoteMeta(tc.url) + " via " + regexp.QuoteMeta(srv.URL+tc.wantURI) + " -> 201 \\(\\d+ms\\)$"
			}
			if l := log.get(); len(l) != 1 || !regexp.MustCompile(want).MatchString(l[0]) {
				t.Errorf("log = %q, want one line matching %s", l, want)
			}
		})
	}
}

func TestRouterLogsErrorsAndContextLogger(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	addr := closed.URL
	closed.Close()
	var global, local lines
	r := New(Options{Log: func(_ context.Context, s string) { global.add(s) }})
	ctx := WithLogger(context.Background(), local.add)
	req, _ := http.NewRequestWithContext(ctx, "GET", addr+"/x", nil)
	if _, err := r.Client().Do(req); err == nil {
		t.Fatal("request to a closed port succeeded")
	}
	want := regexp.MustCompile("^GET " + regexp.QuoteMeta(addr+"/x") + " -> error: .*connection refused \\(\\d+ms\\)$")
	for name, l := range map[string][]string{"Options.Log": global.get(), "WithLogger": local.get()} {
		if len(l) != 1 || !want.MatchString(l[0]) {
			t.Errorf("%s got %q, want one line matching %s", name, l, want)
		}
	}
}

func TestRouterBlock(t *testing.T) {
	srv, got := recorder(t)
	refuse := errors.New("real payment gateways are off in the sandbox")
	var asked []string
	r := New(Options{
		Upstreams: map[string]string{"api.mch.weixin.qq.com": srv.URL},
		Block: func(host string) error {
			asked = append(asked, host)
			if host == "openapi.alipay.com" {
				return refuse
			}
			return nil
		},
	})
	_, err := r.Client().Get("https://openapi.alipay.com/gateway.do")
	var be *BlockedError
	if !errors.As(err, &be) || be.Host != "openapi.alipay.com" || !errors.Is(err, refuse) {
		t.Fatalf("blocked request error = %v, want a *BlockedError wrapping the hook's", err)
	}
	resp, err := r.Client().Get("https://api.mch.weixin.qq.com/v3/x")
	if err != nil {
		t.Fatalf("rerouted request: %v", err)
	}
	resp.Body.Close()
	resp, err = r.Client().Get(srv.URL + "/direct")
	if err != nil {
		t.Fatalf("allowed request: %v", err)
	}
	resp.Body.Close()
	if len(got()) != 2 {
		t.Errorf("server saw %d requests, want 2", len(got()))
	}
	if strings.Join(asked, ",") != "openapi.alipay.com,127.0.0.1" {
		t.Errorf("Block asked about %v; rerouted hosts must not be asked", asked)
	}
}

func TestRouterInvalidUpstream(t *testing.T) {
	r := New(Options{Upstreams: map[string]string{"example.com": "not a url"}})
	_, err := r.Client().Get("http://example.com/")
	if err == nil || !strings.Contains(err.Error(), `upstream "not a url"`) {
		t.Fatalf("error = %v, want one naming the bad upstream", err)
	}
}
