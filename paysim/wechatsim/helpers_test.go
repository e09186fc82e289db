package wechatsim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/core/notify"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

const (
	testMchID          = "1900009191"
	testAppID          = "wxd678efh567hg6787"
	testMerchantSerial = "3775B6A45ACD588826D15E583A95F5DD6D2F7A28"
	testPlatformSerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
	testAPIv3Key       = "abcdefghijklmnopqrstuvwxyz012345"
	testNotifyURL      = "https://cloud.example.com/1a2b/pay_notify"
)

// testKeys are RSA keys made once per test binary (2048 bits, as WeChat uses).
type testKeys struct {
	merchant, platform, stranger *rsa.PrivateKey
}

var (
	keysOnce sync.Once
	keys     testKeys
)

func getKeys(t testing.TB) testKeys {
	t.Helper()
	keysOnce.Do(func() {
		gen := func() *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			return k
		}
		keys = testKeys{merchant: gen(), platform: gen(), stranger: gen()}
	})
	return keys
}

// recorder is a provider.Notifier that keeps what it is given.
type recorder struct {
	mu sync.Mutex
	ns []provider.Notification
}

func (r *recorder) Notify(n provider.Notification) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ns = append(r.ns, n)
}

func (r *recorder) all() []provider.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]provider.Notification(nil), r.ns...)
}

// env is a simulator behind a real HTTP server, with the parts tests need.
type env struct {
	sim      *Simulator
	srv      *httptest.Server
	clock    *clock.Fake
	notes    *recorder
	cert     *x509.Certificate
	keys     testKeys
	warnMu   sync.Mutex
	warnings []string
}

func (e *env) warns() []string {
	e.warnMu.Lock()
	defer e.warnMu.Unlock()
	return append([]string(nil), e.warnings...)
}

// newEnv starts a simulator whose fake clock reads the real time now (the
// wechatpay-go validators compare signatures' timestamps with time.Now).
func newEnv(t testing.TB) *env {
	t.Helper()
	k := getKeys(t)
	e := &env{clock: clock.NewFake(time.Now()), notes: &recorder{}, keys: k}
	certPEM, err := NewPlatformCertificate(k.platform, testPlatformSerial, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if e.cert, err = utils.LoadCertificate(string(certPEM)); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.sim, err = New(Config{
		MchID: testMchID, AppID: testAppID,
		MerchantPublicKey: &k.merchant.PublicKey, MerchantSerial: testMerchantSerial,
		PlatformKey: k.platform, PlatformSerial: testPlatformSerial, PlatformCertPEM: certPEM,
		APIv3Key: testAPIv3Key, Clock: e.clock, Notifier: e.notes,
		Warn: func(s string) {
			e.warnMu.Lock()
			defer e.warnMu.Unlock()
			e.warnings = append(e.warnings, s)
		},
		PublicBase: e.srv.URL + "/_sandbox/wechat",
	})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/_sandbox/wechat/", http.StripPrefix("/_sandbox/wechat", e.sim))
	mux.Handle("/", e.sim)
	return e
}

// rewrite sends every request to the test server, as the outbound router does
// for api.mch.weixin.qq.com.
type rewrite struct{ base *url.URL }

func (rw rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = rw.base.Scheme, rw.base.Host
	return http.DefaultTransport.RoundTrip(r)
}

func (e *env) httpClient() *http.Client {
	u, _ := url.Parse(e.srv.URL)
	return &http.Client{Transport: rewrite{u}}
}

// sdkClient is wechatpay-go's client signing with key and verifying answers
// with the platform certificate.
func (e *env) sdkClient(t testing.TB, key *rsa.PrivateKey) *core.Client {
	t.Helper()
	c, err := core.NewClient(context.Background(),
		option.WithMerchantCredential(testMchID, testMerchantSerial, key),
		option.WithWechatPayCertificate([]*x509.Certificate{e.cert}),
		option.WithHTTPClient(e.httpClient()),
	)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// notifyHandler is wechatpay-go's notify handler trusting the platform certificate.
func (e *env) notifyHandler(t testing.TB, apiV3Key string) *notify.Handler {
	t.Helper()
	h, err := notify.NewRSANotifyHandler(apiV3Key,
		verifiers.NewSHA256WithRSAVerifier(core.NewCertificateMapWithList([]*x509.Certificate{e.cert})))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// asRequest is n as the POST the merchant's server would receive.
func asRequest(t testing.TB, n provider.Notification) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, n.URL, bytes.NewReader(n.Body))
	for k, v := range n.Header {
		r.Header[k] = v
	}
	return r
}

// rawResponse is an answer to a hand-made request.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

func (r rawResponse) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer %d is not JSON: %v: %s", r.status, err, r.body)
	}
	return m
}

// authorization is the Authorization header key makes for the request line
// method signedURI at when.
func authorization(t testing.TB, key *rsa.PrivateKey, when time.Time, method, signedURI, body string) string {
	t.Helper()
	ts := strconv.FormatInt(when.Unix(), 10)
	nonce := "593BEC0C930BF1AFEB40B4A08C8FB242"
	sum := sha256.Sum256([]byte(method + "\n" + signedURI + "\n" + ts + "\n" + nonce + "\n" + body + "\n"))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`WECHATPAY2-SHA256-RSA2048 mchid="%s",nonce_str="%s",timestamp="%s",serial_no="%s",signature="%s"`,
		testMchID, nonce, ts, testMerchantSerial, base64.StdEncoding.EncodeToString(sig))
}

// raw sends a request signed by key at the fake clock's time; headers
// override the defaults (an empty value removes the header).
func (e *env) raw(t testing.TB, key *rsa.PrivateKey, method, uri, body string, headers map[string]string) rawResponse {
	t.Helper()
	h := map[string]string{"Authorization": authorization(t, key, e.clock.Now(), method, uri, body)}
	for k, v := range headers {
		h[k] = v
	}
	return e.send(t, method, uri, body, h)
}

// send makes a request with the usual headers plus headers.
func (e *env) send(t testing.TB, method, uri, body string, headers map[string]string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+uri, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "wechatsim-test")
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
			if k == "User-Agent" {
				req.Header.Set(k, "") // Go sends its own User-Agent unless told to send none
			}
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{status: res.StatusCode, header: res.Header, body: b}
}

// verifyAnswer checks an answer's Wechatpay-* signature with the platform key.
func (e *env) verifyAnswer(t testing.TB, r rawResponse) {
	t.Helper()
	v := verifiers.NewSHA256WithRSAPubkeyVerifier(testPlatformSerial, e.keys.platform.PublicKey)
	msg := r.header.Get("Wechatpay-Timestamp") + "\n" + r.header.Get("Wechatpay-Nonce") + "\n" + string(r.body) + "\n"
	if err := v.Verify(context.Background(), r.header.Get("Wechatpay-Serial"), msg,
		r.header.Get("Wechatpay-Signature")); err != nil {
		t.Fatalf("answer signature: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
