package paysim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRouteNotify(t *testing.T) {
	for _, tc := range []struct {
		url, function, err string
	}{
		{"https://cloud.siton.xin/xxxx/payNotify", "payNotify", ""},
		{"http://cloud.bmob.cn/xxxx/pay_notify", "pay_notify", ""},
		{"https://cloud.siton.xin/xxxx/payNotify/", "payNotify", ""},
		{"https://example.com/a/b/wechatNotify?from=wx", "wechatNotify", ""},
		{"https://example.com/%E6%94%AF%E4%BB%98", "支付", ""},
		{"http://127.0.0.1:9000/notify", "", ""},
		{"http://localhost/notify", "", ""},
		{"http://api.localhost:8080/notify", "", ""},
		{"http://[::1]:8080/notify", "", ""},
		{"http://127.8.9.10/notify", "", ""},
		{"https://example.com/", "", "no path segment"},
		{"https://example.com", "", "no path segment"},
		{"ftp://example.com/payNotify", "", "not an http(s) URL"},
		{"/payNotify", "", "not an http(s) URL"},
		{"http:///payNotify", "", "no host"},
		{"http://exa mple.com/x", "", "invalid character"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			r, err := RouteNotify(tc.url)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Function != tc.function || r.URL == nil {
				t.Fatalf("route = %+v, want function %q", r, tc.function)
			}
		})
	}
}

func TestLocalDeliverSendsRemoteURLsToFunctionsAndLoopbackOverHTTP(t *testing.T) {
	var gotLocal *http.Request
	var localBody string
	invoke := func(_ context.Context, name string, req *http.Request) (*http.Response, error) {
		if name == "missing" {
			return nil, errors.New("function missing not found")
		}
		gotLocal = req
		b, _ := io.ReadAll(req.Body)
		localBody = string(b)
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("success from " + name))}, nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, "loopback got "+r.URL.Path+" "+string(b))
	}))
	defer srv.Close()
	deliver := LocalDeliver(invoke, nil)
	post := func(target string) (*http.Response, error) {
		req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader("a=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return deliver(context.Background(), req)
	}

	resp, err := post("https://cloud.siton.xin/xxxx/payNotify?x=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "success from payNotify" || localBody != "a=1" || gotLocal.URL.Query().Get("x") != "1" ||
		gotLocal.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Fatalf("local: %q, body %q, %v", body, localBody, gotLocal.URL)
	}

	resp, err = post(srv.URL + "/hook")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	if string(body) != "loopback got /hook a=1" {
		t.Fatalf("loopback: %q", body)
	}

	if _, err := post("https://cloud.siton.xin/xxxx/missing"); err == nil || !strings.Contains(err.Error(), "local function missing") {
		t.Fatalf("missing function: %v", err)
	}
	if _, err := post("https://cloud.siton.xin/"); err == nil {
		t.Fatal("a notify_url without a function name was delivered")
	}
}
