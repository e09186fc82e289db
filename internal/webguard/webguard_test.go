package webguard

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const key = "mk-0123456789"

func TestCheck(t *testing.T) {
	type req struct {
		method, host, ct string
		header           map[string]string
		basicPassword    string
	}
	cases := []struct {
		name   string
		addr   string
		req    req
		status int // 0: accepted
	}{
		{"loopback GET", "127.0.0.1:8080", req{method: "GET", host: "127.0.0.1:8080"}, 0},
		{"loopback same-origin form post", "127.0.0.1:8080", req{method: "POST", host: "127.0.0.1:8080", ct: "application/x-www-form-urlencoded",
			header: map[string]string{"Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"}}, 0},
		{"localhost same-origin fetch JSON", "localhost:8080", req{method: "POST", host: "localhost:8080", ct: "application/json",
			header: map[string]string{"Origin": "http://localhost:8080"}}, 0},
		{"cross-origin form post", "127.0.0.1:8080", req{method: "POST", host: "127.0.0.1:8080", ct: "application/x-www-form-urlencoded",
			header: map[string]string{"Origin": "http://evil.example"}}, 403},
		{"cross-site by Sec-Fetch-Site alone", "127.0.0.1:8080", req{method: "POST", host: "127.0.0.1:8080", ct: "application/json",
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, 403},
		{"same-site is not same-origin", "127.0.0.1:8080", req{method: "POST", host: "127.0.0.1:8080", ct: "application/json",
			header: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:3000"}}, 403},
		{"null origin", "127.0.0.1:8080", req{method: "POST", host: "127.0.0.1:8080", ct: "text/plain",
			header: map[string]string{"Origin": "null"}}, 403},
		{"other port is another origin", "127.0.0.1:8080", req{method: "POST", host: "127.0.0.1:8080", ct: "application/json",
			header: map[string]string{"Origin": "http://127.0.0.1:3000"}}, 403},
		{"form without Origin (old browser)", "127.0.0.1:8080", req{method: "POST", host: "127.0.0.1:8080", ct: "application/x-www-form-urlencoded"}, 403},
		{"text/plain without Origin", "127.0.0.1:8080", req{method: "POST", host: "127.0.0.1:8080", ct: "text/plain;charset=UTF-8"}, 403},
		{"multipart without Origin", "127.0.0.1:8080", req{method: "POST", host: "127.0.0.1:8080", ct: "multipart/form-data; boundary=x"}, 403},
		{"form without Origin but master key", "127.0.0.1:8080", req{method: "POST", host: "127.0.0.1:8080", ct: "application/x-www-form-urlencoded",
			header: map[string]string{MasterKeyHeader: key}}, 0},
		{"curl JSON without Origin", "127.0.0.1:8080", req{method: "POST", host: "127.0.0.1:8080", ct: "application/json"}, 0},
		{"curl POST without body", "127.0.0.1:8080", req{method: "POST", host: "127.0.0.1:8080"}, 0},
		{"DNS rebinding: foreign Host on loopback", "127.0.0.1:8080", req{method: "POST", host: "evil.example:8080", ct: "application/json",
			header: map[string]string{"Origin": "http://evil.example:8080", "Sec-Fetch-Site": "same-origin"}}, 403},
		{"DNS rebinding read", "127.0.0.1:8080", req{method: "GET", host: "evil.example:8080"}, 403},
		{"wrong master key", "127.0.0.1:8080", req{method: "GET", host: "127.0.0.1:8080", header: map[string]string{MasterKeyHeader: "nope"}}, 401},
		{"public: read without key", "0.0.0.0:8080", req{method: "GET", host: "192.168.1.5:8080"}, 401},
		{"public: read with key", "0.0.0.0:8080", req{method: "GET", host: "192.168.1.5:8080", header: map[string]string{MasterKeyHeader: key}}, 0},
		{"public: read with Basic password", ":8080", req{method: "GET", host: "192.168.1.5:8080", basicPassword: key}, 0},
		{"public: Basic wrong password", ":8080", req{method: "GET", host: "192.168.1.5:8080", basicPassword: "guess"}, 401},
		{"public: same-origin JSON without key", "0.0.0.0:8080", req{method: "POST", host: "192.168.1.5:8080", ct: "application/json",
			header: map[string]string{"Origin": "http://192.168.1.5:8080"}}, 401},
		{"public: cross-origin with key (browser cached Basic)", "0.0.0.0:8080", req{method: "POST", host: "192.168.1.5:8080", ct: "application/x-www-form-urlencoded",
			header: map[string]string{"Origin": "http://evil.example"}, basicPassword: key}, 403},
		{"public: same-origin form with Basic", "0.0.0.0:8080", req{method: "POST", host: "192.168.1.5:8080", ct: "application/x-www-form-urlencoded",
			header: map[string]string{"Origin": "http://192.168.1.5:8080"}, basicPassword: key}, 0},
		{"public: form without Origin, Basic only (old browser, cached credentials)", "0.0.0.0:8080", req{method: "POST", host: "192.168.1.5:8080",
			ct: "application/x-www-form-urlencoded", basicPassword: key}, 403},
		{"public: form without Origin, key in the header (curl)", "0.0.0.0:8080", req{method: "POST", host: "192.168.1.5:8080",
			ct: "application/x-www-form-urlencoded", header: map[string]string{MasterKeyHeader: key}}, 0},
		{"https origin behind a proxy", "0.0.0.0:8080", req{method: "POST", host: "dev.example.com", ct: "application/json",
			header: map[string]string{"Origin": "https://dev.example.com", MasterKeyHeader: key}}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := New(tc.addr, key)
			r := httptest.NewRequest(tc.req.method, "http://"+tc.req.host+"/_sandbox/pay", strings.NewReader(""))
			r.Host = tc.req.host
			if tc.req.ct != "" {
				r.Header.Set("Content-Type", tc.req.ct)
			}
			for k, v := range tc.req.header {
				r.Header.Set(k, v)
			}
			if tc.req.basicPassword != "" {
				r.SetBasicAuth("admin", tc.req.basicPassword)
			}
			got := g.Check(r)
			switch {
			case tc.status == 0 && got != nil:
				t.Fatalf("refused (%d %s), want accepted", got.Status, got.Reason)
			case tc.status != 0 && got == nil:
				t.Fatalf("accepted, want %d", tc.status)
			case tc.status != 0 && got.Status != tc.status:
				t.Fatalf("status %d (%s), want %d", got.Status, got.Reason, tc.status)
			}
		})
	}
}

func TestIsLoopbackAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:80": true, "[::1]:8080": true, "127.1.2.3:1": true,
		"0.0.0.0:8080": false, ":8080": false, "[::]:8080": false, "192.168.1.5:8080": false, "example.com:80": false, "": false,
	} {
		if got := IsLoopbackAddr(addr); got != want {
			t.Errorf("IsLoopbackAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestHandlerOverHTTP runs the guard in front of a real server on loopback, as
// a browser page on another origin and the server's own page would reach it.
func TestHandlerOverHTTP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	srv := httptest.NewUnstartedServer(New(ln.Addr().String(), key).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		_, _ = io.WriteString(w, "done")
	})))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

	post := func(origin string) *http.Response {
		req, _ := http.NewRequest("POST", srv.URL+"/_sandbox/pay", strings.NewReader("outTradeNo=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		_, _ = io.ReadAll(resp.Body)
		return resp
	}
	if resp := post("http://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin post: %d, want 403", resp.StatusCode)
	}
	if hits != 0 {
		t.Fatal("the refused request reached the handler")
	}
	if resp := post(srv.URL); resp.StatusCode != http.StatusOK {
		t.Fatalf("same-origin post: %d, want 200", resp.StatusCode)
	}
	if hits != 1 {
		t.Fatalf("hits = %d, want 1", hits)
	}
}

func TestPublicChallengesBrowser(t *testing.T) {
	g := New("0.0.0.0:8080", key)
	w := httptest.NewRecorder()
	g.Handler(http.NotFoundHandler()).ServeHTTP(w, httptest.NewRequest("GET", "http://10.0.0.2:8080/_console/", nil))
	if w.Code != http.StatusUnauthorized || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic ") {
		t.Fatalf("got %d %q, want 401 with a Basic challenge", w.Code, w.Header().Get("WWW-Authenticate"))
	}
}
