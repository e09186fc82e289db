package alipaysim

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/smartwalle/alipay/v3"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/alipaysdk"
	"github.com/bmobemu/bmobemu/modules/modulestest"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

const testAppID = "2021000000000042"

// start is the fake clock's start: 2024-03-05 09:02:03 in Beijing.
var start = time.Date(2024, 3, 5, 1, 2, 3, 0, time.UTC)

type keyPair struct {
	key       *rsa.PrivateKey
	pkcs8PEM  string
	publicPEM string
}

func genKey() keyPair {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		panic(err)
	}
	return keyPair{
		key:       key,
		pkcs8PEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8})),
		publicPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
	}
}

// testKeys are made once per test binary: RSA key generation is the slow part.
var testKeys = sync.OnceValue(func() [3]keyPair { return [3]keyPair{genKey(), genKey(), genKey()} })

// recorder is a Notifier that keeps what it is given.
type recorder struct {
	mu  sync.Mutex
	got []provider.Notification
	ch  chan struct{}
}

func newRecorder() *recorder { return &recorder{ch: make(chan struct{}, 1)} }

func (r *recorder) Notify(n provider.Notification) {
	r.mu.Lock()
	r.got = append(r.got, n)
	r.mu.Unlock()
	select { // Notify must not block
	case r.ch <- struct{}{}:
	default:
	}
}

func (r *recorder) all() []provider.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]provider.Notification(nil), r.got...)
}

// waitFor waits until n notifications arrived (timers fire on their own goroutines).
func (r *recorder) waitFor(t *testing.T, n int) []provider.Notification {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		if got := r.all(); len(got) >= n {
			return got
		}
		select {
		case <-r.ch:
		case <-deadline:
			t.Fatalf("waited for %d notifies, got %d", n, len(r.all()))
		}
	}
}

// fixture is a simulator on a fake clock behind a real HTTP server, and a
// smartwalle client for it.
type fixture struct {
	sim    *Simulator
	clk    *clock.Fake
	notes  *recorder
	srv    *httptest.Server
	app    keyPair // the merchant's app key
	alipay keyPair // the simulated Alipay's key
	client *alipay.Client

	mu    sync.Mutex
	warns []string
}

func newFixture(t testing.TB, edit ...func(*Config)) *fixture {
	t.Helper()
	keys := testKeys()
	f := &fixture{clk: clock.NewFake(start), notes: newRecorder(), app: keys[0], alipay: keys[1]}
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	cfg := Config{
		AppID:            testAppID,
		AppPublicKey:     &f.app.key.PublicKey,
		AlipayPrivateKey: f.alipay.key,
		Clock:            f.clk,
		Notifier:         f.notes,
		CashierBase:      f.srv.URL + "/_sandbox/alipay",
		Warn: func(s string) {
			f.mu.Lock()
			f.warns = append(f.warns, s)
			f.mu.Unlock()
		},
	}
	for _, e := range edit {
		e(&cfg)
	}
	sim, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.sim = sim
	mux.Handle("/gateway.do", sim)
	mux.Handle("/_sandbox/alipay/", sim)
	client, err := alipay.New(testAppID, f.app.pkcs8PEM, true, alipay.WithProductionGateway(f.srv.URL+"/gateway.do"))
	if err != nil {
		t.Fatal(err)
	}
	if err := client.LoadAliPayPublicKey(f.alipay.publicPEM); err != nil {
		t.Fatal(err)
	}
	f.client = client
	return f
}

func (f *fixture) warnings() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.warns...)
}

// vu is a script VU whose alipay-sdk reaches the fixture's server.
func (f *fixture) vu(t *testing.T) *modulestest.VU {
	t.Helper()
	vu := modulestest.New(t, &modules.Env{Now: f.clk.Now, HTTP: f.srv.Client()})
	vu.Load(t, "AlipaySdk", alipaysdk.New(alipaysdk.Hooks{}))
	return vu
}

// sdk is the script line constructing alipay-sdk for the fixture.
func (f *fixture) sdk(appKey, alipayPub string) string {
	return `var sdk = new AlipaySdk({ appId: '` + testAppID + `', privateKey: ` + strconv.Quote(appKey) +
		`, alipayPublicKey: ` + strconv.Quote(alipayPub) + `, keyType: 'PKCS8', gateway: '` + f.srv.URL + `/gateway.do' });`
}

// exec runs alipay-sdk's exec with validateSign and returns the resolved value
// as JSON, or "REJECT <json>".
func (f *fixture) exec(t *testing.T, method string, biz map[string]any) string {
	t.Helper()
	return f.execWith(t, f.app.pkcs8PEM, method, biz)
}

func (f *fixture) execWith(t *testing.T, appKey, method string, biz map[string]any) string {
	t.Helper()
	b, _ := json.Marshal(biz)
	vu := f.vu(t)
	vu.MustRun(t, f.sdk(appKey, f.alipay.publicPEM)+`
		var result;
		sdk.exec('`+method+`', { bizContent: `+string(b)+` }, { validateSign: true })
			.then(function (r) { result = JSON.stringify(r) }, function (e) { result = 'REJECT ' + (e instanceof Error ? e.message : JSON.stringify(e)) });`)
	return vu.Global("result").String()
}

// post sends a raw gateway request: params signed with key (nil: unsigned).
func (f *fixture) post(t *testing.T, params url.Values) map[string]json.RawMessage {
	t.Helper()
	resp, err := f.srv.Client().PostForm(f.srv.URL+"/gateway.do", params)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// signed builds the public parameters of a call and signs them as alipay-sdk does.
func signed(t testing.TB, key *rsa.PrivateKey, method string, biz string, now time.Time) url.Values {
	t.Helper()
	v := url.Values{}
	v.Set("app_id", testAppID)
	v.Set("method", method)
	v.Set("charset", "utf-8")
	v.Set("sign_type", "RSA2")
	v.Set("timestamp", now.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"))
	v.Set("version", "1.0")
	if biz != "" {
		v.Set("biz_content", biz)
	}
	resign(t, key, v)
	return v
}

func resign(t testing.TB, key *rsa.PrivateKey, v url.Values) {
	t.Helper()
	v.Del("sign")
	sig, err := signRSA(key, hashOr(v.Get("sign_type")), []byte(signContent(v, contentOptions{}, "sign")))
	if err != nil {
		t.Fatal(err)
	}
	v.Set("sign", sig)
}

var bg = context.Background()
