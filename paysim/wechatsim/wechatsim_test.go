package wechatsim

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

func TestNewPlatformCertificate(t *testing.T) {
	k := getKeys(t)
	now := time.Date(2024, 3, 5, 9, 0, 0, 0, beijing)
	pemBytes, err := NewPlatformCertificate(k.platform, strings.ToLower(testPlatformSerial), now)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := utils.LoadCertificate(string(pemBytes))
	if err != nil {
		t.Fatal(err)
	}
	if got := utils.GetCertificateSerialNumber(*cert); got != testPlatformSerial {
		t.Errorf("serial %s, want %s", got, testPlatformSerial)
	}
	if !utils.IsCertificateValid(*cert, now) || utils.IsCertificateValid(*cert, now.AddDate(6, 0, 0)) {
		t.Errorf("validity %s – %s", cert.NotBefore, cert.NotAfter)
	}
	for _, bad := range []string{"", "XYZ", "00AB", "ABC", "-1"} {
		if _, err := NewPlatformCertificate(k.platform, bad, now); err == nil {
			t.Errorf("serial %q accepted", bad)
		}
	}
	if _, err := NewPlatformCertificate(nil, testPlatformSerial, now); err == nil {
		t.Error("nil key accepted")
	}
}

func TestNewChecksConfig(t *testing.T) {
	k := getKeys(t)
	now := time.Now()
	certPEM, err := NewPlatformCertificate(k.platform, testPlatformSerial, now)
	if err != nil {
		t.Fatal(err)
	}
	otherCert, err := NewPlatformCertificate(k.stranger, testPlatformSerial, now)
	if err != nil {
		t.Fatal(err)
	}
	good := func() Config {
		return Config{
			MchID: testMchID, AppID: testAppID, MerchantPublicKey: &k.merchant.PublicKey,
			MerchantSerial: testMerchantSerial, PlatformKey: k.platform, PlatformSerial: testPlatformSerial,
			PlatformCertPEM: certPEM, APIv3Key: testAPIv3Key, Notifier: &recorder{},
		}
	}
	cases := []struct {
		name   string
		mutate func(c *Config)
		want   string
	}{
		{"ok", func(*Config) {}, ""},
		{"no mchid", func(c *Config) { c.MchID = "" }, "MchID"},
		{"no merchant key", func(c *Config) { c.MerchantPublicKey = nil }, "MerchantPublicKey"},
		{"no platform key", func(c *Config) { c.PlatformKey = nil }, "PlatformKey"},
		{"short APIv3 key", func(c *Config) { c.APIv3Key = "short" }, "32 bytes"},
		{"no notifier", func(c *Config) { c.Notifier = nil }, "Notifier"},
		{"no certificate", func(c *Config) { c.PlatformCertPEM = nil }, "PEM"},
		{"certificate of another key", func(c *Config) { c.PlatformCertPEM = otherCert }, "not the platform key"},
		{"certificate of another serial", func(c *Config) { c.PlatformSerial = "1234" }, "serial"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := good()
			c.mutate(&cfg)
			s, err := New(cfg)
			if c.want == "" {
				if err != nil || s.Name() != provider.Wechat || len(s.Hosts()) != 2 {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one about %q", err, c.want)
			}
		})
	}
}

func TestPayTriggerCreatesUnknownOrder(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "elsewhere_1"}); !errors.Is(err, provider.ErrNoTrade) {
		t.Fatalf("paying an unknown order without an amount: %v", err)
	}
	tr, err := e.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "elsewhere_1", TotalFen: 990, NotifyURL: testNotifyURL, Subject: "VIP"})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != provider.StatusSuccess || tr.TotalFen != 990 || tr.Subject != "VIP" || tr.Kind != "app" || tr.PaidAt.IsZero() {
		t.Errorf("trade %+v", tr)
	}
	if _, err := e.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "elsewhere_1", TotalFen: 1}); !errors.Is(err, provider.ErrBadState) {
		t.Errorf("paying with another amount: %v", err)
	}
	if _, err := e.sim.Refund(ctx, "missing", 0); !errors.Is(err, provider.ErrNoTrade) {
		t.Errorf("refunding an unknown order: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.sim.Pay(cctx, provider.PayRequest{OutTradeNo: "elsewhere_1"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// TestConcurrentPayOnce pays one order from many goroutines: exactly one wins
// and exactly one notify goes out.
func TestConcurrentPayOnce(t *testing.T) {
	e := newEnv(t)
	prepayAll(t, e.sdkClient(t, e.keys.merchant))
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.sim.Pay(context.Background(), provider.PayRequest{OutTradeNo: "order_app_1"}); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 || len(e.notes.all()) != 1 {
		t.Errorf("%d payments succeeded and %d notifies went out, want 1 and 1", wins, len(e.notes.all()))
	}
}

// zeros is a deterministic Random.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestDeterministic runs the same story on two simulators with the same clock
// and Random: ids, notify bodies and signatures come out byte-identical.
func TestDeterministic(t *testing.T) {
	run := func() []provider.Notification {
		e := newEnv(t)
		e.sim.random = zeros{}
		e.clock.Set(time.Date(2024, 3, 5, 9, 2, 10, 0, beijing))
		ctx := context.Background()
		if _, err := e.sim.Pay(ctx, provider.PayRequest{OutTradeNo: "det_1", TotalFen: 100, NotifyURL: testNotifyURL}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.sim.Refund(ctx, "det_1", 10); err != nil {
			t.Fatal(err)
		}
		return e.notes.all()
	}
	a, b := run(), run()
	if len(a) != 2 || len(b) != 2 {
		t.Fatalf("notifies %d and %d", len(a), len(b))
	}
	for i := range a {
		if string(a[i].Body) != string(b[i].Body) || a[i].Header.Get("Wechatpay-Signature") != b[i].Header.Get("Wechatpay-Signature") {
			t.Errorf("notify %d differs:\n%s\n%s", i, a[i].Body, b[i].Body)
		}
	}
	if !strings.Contains(string(a[0].Body), `"id":"EV-20240305090210`) || !strings.Contains(string(a[0].Body), `"create_time":"2024-03-05T09:02:10+08:00"`) {
		t.Errorf("pay notify %s", a[0].Body)
	}
}
