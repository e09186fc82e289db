package paysim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// countingTransport stands for the network: it counts what reaches it.
type countingTransport struct{ hosts []string }

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.hosts = append(c.hosts, req.URL.Host)
	return &http.Response{StatusCode: 299, Body: io.NopCloser(strings.NewReader("network")), Request: req}, nil
}

func TestTransportAnswersProviderHostsAndPassesOthers(t *testing.T) {
	s := New(Options{Clock: clock.NewFake(start)})
	defer s.Close()
	p := newFakeProvider(provider.Alipay, s, s.Clock().Now, "openapi.alipay.com", "openapi-sandbox.dl.alipaydev.com")
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	network := &countingTransport{}
	client := &http.Client{Transport: s.Transport(network)}

	form := url.Values{"method": {"alipay.trade.query"}, "biz_content": {`{"out_trade_no":"1"}`}}
	for _, target := range []string{"https://openapi.alipay.com/gateway.do?charset=utf-8", "https://OPENAPI-SANDBOX.dl.alipaydev.com:443/gateway.do?charset=utf-8"} {
		resp, err := client.PostForm(target, form)
		if err != nil {
			t.Fatal(err)
		}
		var seen map[string]string
		if err := json.NewDecoder(resp.Body).Decode(&seen); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		u, _ := url.Parse(target)
		if resp.StatusCode != http.StatusTeapot || resp.Header.Get("X-Provider") != "alipay" || seen["path"] != "/gateway.do" ||
			seen["host"] != u.Host || seen["method"] != "POST" || !strings.Contains(seen["form"], "charset=utf-8") ||
			!strings.Contains(seen["form"], "biz_content=") || seen["ua"] == "" {
			t.Fatalf("%s answered %d %v", target, resp.StatusCode, seen)
		}
	}
	resp, err := client.Get("https://api.example.com/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 299 || len(network.hosts) != 1 || network.hosts[0] != "api.example.com" {
		t.Fatalf("other hosts: %d %v", resp.StatusCode, network.hosts)
	}
	// A panicking provider is a 500, not a crash of the caller.
	resp, err = client.Get("https://openapi.alipay.com/panic")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || !strings.Contains(string(body), "fake provider blew up") {
		t.Fatalf("panic: %d %s", resp.StatusCode, body)
	}
}

func TestAddRefusesDuplicates(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	if err := s.Add(newFakeProvider("alipay", s, s.Clock().Now, "a.example")); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(newFakeProvider("alipay", s, s.Clock().Now, "b.example")); err == nil {
		t.Fatal("a second alipay was added")
	}
	if err := s.Add(newFakeProvider("wechat", s, s.Clock().Now, "A.example")); err == nil {
		t.Fatal("a host was given to two providers")
	}
	if err := s.Add(newFakeProvider("we/chat", s, s.Clock().Now)); err == nil {
		t.Fatal("a name with a slash was accepted")
	}
}

func TestLocalURL(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	_ = s.Add(newFakeProvider("alipay", s, s.Clock().Now, "openapi.alipay.com"))
	got, ok := s.LocalURL("https://openapi.alipay.com/gateway.do?charset=utf-8&method=alipay.trade.page.pay", "http://127.0.0.1:8080/")
	if !ok || got != "http://127.0.0.1:8080/_sandbox/alipay/gateway.do?charset=utf-8&method=alipay.trade.page.pay" {
		t.Fatalf("LocalURL = %q %v", got, ok)
	}
	if got, ok := s.LocalURL("https://example.com/gateway.do", "http://127.0.0.1:8080"); ok || got != "https://example.com/gateway.do" {
		t.Fatalf("other host: %q %v", got, ok)
	}
}

func TestRecorderDefaults(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	_ = s.Add(providerFunc{name: "x", hosts: []string{"x.example"}, h: func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "<html>hi</html>")
	}})
	resp, err := (&http.Client{Transport: s.Transport(nil)}).Get("http://x.example/")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.ContentLength != 15 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("%d %d %v", resp.StatusCode, resp.ContentLength, resp.Header)
	}
}

// providerFunc is a provider that only serves HTTP.
type providerFunc struct {
	*fakeProvider
	name  string
	hosts []string
	h     http.HandlerFunc
}

func (p providerFunc) Name() string                                     { return p.name }
func (p providerFunc) Hosts() []string                                  { return p.hosts }
func (p providerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.h(w, r) }
