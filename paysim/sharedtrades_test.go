package paysim

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/paysim/alipaysim"
	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/bmobemu/bmobemu/paysim/wechatsim"
)

// twoAlipayProcesses starts two sandboxes on one PostgreSQL database, each
// with the real Alipay simulator on the same credentials, as two bmobemu
// processes would run.
func twoAlipayProcesses(t *testing.T, fake *clock.Fake, m *merchant) (a, b *Sandbox, keys *alipaysim.Keys) {
	t.Helper()
	stores := sharedStores(t, 2)
	keys, err := alipaysim.NewKeys(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var sbs []*Sandbox
	for _, st := range stores {
		s := New(Options{Clock: fake, Deliver: m.deliver, State: st, PollInterval: time.Second})
		p, err := keys.NewWith(provider.Env{Notifier: s, Clock: fake, BaseURL: "http://127.0.0.1:8080"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add(p); err != nil {
			t.Fatal(err)
		}
		if err := s.Restore(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		sbs = append(sbs, s)
	}
	return sbs[0], sbs[1], keys
}

// precreate makes an unpaid trade through s's Alipay gateway, signed with the
// app's key as alipay-sdk signs.
func precreate(t *testing.T, s *Sandbox, keys *alipaysim.Keys, now time.Time, biz string) {
	t.Helper()
	v := url.Values{}
	v.Set("app_id", keys.AppID)
	v.Set("method", "alipay.trade.precreate")
	v.Set("charset", "utf-8")
	v.Set("sign_type", "RSA2")
	v.Set("timestamp", now.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"))
	v.Set("version", "1.0")
	v.Set("notify_url", "https://merchant.example.com/alipay/notify")
	v.Set("biz_content", biz)
	names := make([]string, 0, len(v))
	for k := range v {
		names = append(names, k)
	}
	sort.Strings(names)
	var content []string
	for _, k := range names {
		content = append(content, k+"="+v.Get(k))
	}
	sum := sha256.Sum256([]byte(strings.Join(content, "&")))
	sig, err := rsa.SignPKCS1v15(nil, keys.AppKey, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	v.Set("sign", base64.StdEncoding.EncodeToString(sig))
	p, _ := s.Provider(provider.Alipay)
	req := httptest.NewRequest(http.MethodPost, "/gateway.do", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"code":"10000"`) {
		t.Fatalf("precreate: %d %s", rec.Code, rec.Body)
	}
}

// tradeIn is the trade outTradeNo as s lists it.
func tradeIn(t *testing.T, s *Sandbox, outTradeNo string) provider.Trade {
	t.Helper()
	for _, tr := range s.Trades() {
		if tr.OutTradeNo == outTradeNo {
			return tr
		}
	}
	t.Fatalf("trade %s is not listed (%+v)", outTradeNo, s.Trades())
	return provider.Trade{}
}

// eventsOf counts the deliveries of event for outTradeNo.
func eventsOf(s *Sandbox, outTradeNo, event string) int {
	n := 0
	for _, d := range s.Deliveries() {
		if d.OutTradeNo == outTradeNo && d.Event == event {
			n++
		}
	}
	return n
}

// TestTradesAreSharedAcrossProcesses: a trade made through one process is
// listed, paid and refunded through the other, each seeing the other's
// changes at once; refunds racing from both never refund more than was paid.
func TestTradesAreSharedAcrossProcesses(t *testing.T) {
	fake := clock.NewFake(start)
	m := &merchant{answers: []answer{{200, "success", nil}}}
	a, b, keys := twoAlipayProcesses(t, fake, m)
	ctx := context.Background()

	precreate(t, a, keys, start, `{"out_trade_no":"SHARED_1","total_amount":"1.00","subject":"shared"}`)
	if tr := tradeIn(t, b, "SHARED_1"); tr.Status != provider.StatusWaitBuyerPay || tr.TotalFen != 100 {
		t.Fatalf("b sees %+v", tr)
	}
	paid, err := b.providers[provider.Alipay].Pay(ctx, provider.PayRequest{OutTradeNo: "SHARED_1"})
	if err != nil || paid.Status != provider.StatusSuccess {
		t.Fatalf("paying through b: %+v %v", paid, err)
	}
	if tr := tradeIn(t, a, "SHARED_1"); tr.Status != provider.StatusSuccess || tr.TradeNo != paid.TradeNo {
		t.Fatalf("a sees %+v after b's payment", tr)
	}
	if _, err := a.providers[provider.Alipay].Pay(ctx, provider.PayRequest{OutTradeNo: "SHARED_1"}); !errors.Is(err, provider.ErrBadState) {
		t.Fatalf("paying again through a: %v, want the trade's state to refuse it", err)
	}

	// Eight refunds of 0.30 race from both processes on a 1.00 trade: three fit.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, refused int
	for i := range 8 {
		s := []*Sandbox{a, b}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.providers[provider.Alipay].Refund(ctx, "SHARED_1", 30)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, provider.ErrBadState):
				refused++
			default:
				t.Errorf("refund: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 3 || refused != 5 {
		t.Fatalf("%d refunds made and %d refused, want 3 and 5", ok, refused)
	}
	for _, s := range []*Sandbox{a, b} {
		if tr := tradeIn(t, s, "SHARED_1"); tr.RefundedFen != 90 || tr.Status != provider.StatusSuccess {
			t.Fatalf("after the race: %+v", tr)
		}
	}
	// One pay notify, made by the process whose payment was stored.
	if n := eventsOf(a, "SHARED_1", provider.EventPay); n != 1 {
		t.Fatalf("%d pay notifies, want 1", n)
	}
}

// TestATradeExpiresOnceAcrossProcesses: both processes arm the expiry of an
// unpaid trade; it is closed, and the close notified, once.
func TestATradeExpiresOnceAcrossProcesses(t *testing.T) {
	fake := clock.NewFake(start)
	m := &merchant{answers: []answer{{200, "success", nil}}}
	a, b, keys := twoAlipayProcesses(t, fake, m)
	precreate(t, a, keys, start, `{"out_trade_no":"SHARED_2","total_amount":"2.00","subject":"expiring","timeout_express":"5m"}`)
	tradeIn(t, b, "SHARED_2") // b loads it, arming its own expiry timer
	for range 8 {
		fake.Advance(time.Minute)
		time.Sleep(20 * time.Millisecond)
	}
	waitUntil(t, "the expiry", func() bool { return tradeIn(t, a, "SHARED_2").Status == provider.StatusClosed })
	waitUntil(t, "the close notify", func() bool { return eventsOf(b, "SHARED_2", provider.EventClose) >= 1 })
	time.Sleep(100 * time.Millisecond) // a second close, were there one, would be recorded by now
	if n := eventsOf(a, "SHARED_2", provider.EventClose); n != 1 {
		t.Fatalf("%d close notifies, want 1", n)
	}
	if tr := tradeIn(t, b, "SHARED_2"); tr.Status != provider.StatusClosed {
		t.Fatalf("b sees %+v", tr)
	}
}

// TestWechatTradesAreSharedAcrossProcesses: the same for the WeChat Pay
// simulator, through the triggers: paid through one, refunded through both.
func TestWechatTradesAreSharedAcrossProcesses(t *testing.T) {
	fake := clock.NewFake(start)
	m := &merchant{answers: []answer{{200, "", nil}}}
	keys, err := wechatsim.NewKeys(rand.Reader, start)
	if err != nil {
		t.Fatal(err)
	}
	var sbs []*Sandbox
	for _, st := range sharedStores(t, 2) {
		s := New(Options{Clock: fake, Deliver: m.deliver, State: st, PollInterval: time.Second})
		p, err := keys.NewWith(provider.Env{Notifier: s, Clock: fake, BaseURL: "http://127.0.0.1:8080"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add(p); err != nil {
			t.Fatal(err)
		}
		if err := s.Restore(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		sbs = append(sbs, s)
	}
	a, b := sbs[0], sbs[1]
	ctx := context.Background()
	pa, _ := a.Provider(provider.Wechat)
	pb, _ := b.Provider(provider.Wechat)
	paid, err := pa.Pay(ctx, provider.PayRequest{OutTradeNo: "WX_1", TotalFen: 100, NotifyURL: "https://merchant.example.com/wx/notify"})
	if err != nil || paid.Status != provider.StatusSuccess {
		t.Fatalf("paying through a: %+v %v", paid, err)
	}
	if tr := tradeIn(t, b, "WX_1"); tr.Status != provider.StatusSuccess || tr.TradeNo != paid.TradeNo {
		t.Fatalf("b sees %+v", tr)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok int
	for i := range 6 {
		p := []provider.Provider{pa, pb}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := p.Refund(ctx, "WX_1", 40)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				ok++
			} else if !errors.Is(err, provider.ErrBadState) {
				t.Errorf("refund: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 2 {
		t.Fatalf("%d refunds of 0.40 made on a 1.00 trade, want 2", ok)
	}
	for _, s := range sbs {
		if tr := tradeIn(t, s, "WX_1"); tr.RefundedFen != 80 {
			t.Fatalf("after the race: %+v", tr)
		}
	}
}
