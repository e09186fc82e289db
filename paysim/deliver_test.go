package paysim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/paysim/alipaysim"
	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/bmobemu/bmobemu/paysim/wechatsim"
)

var start = time.Date(2024, 3, 5, 9, 0, 0, 0, time.UTC)

// answer is one scripted reply of a test merchant.
type answer struct {
	status int
	body   string
	err    error
}

// merchant answers notifies from a script of answers (the last one repeats) and
// keeps what it received.
type merchant struct {
	mu       sync.Mutex
	answers  []answer
	received []*http.Request
	bodies   []string
}

func (m *merchant) deliver(_ context.Context, req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.received = append(m.received, req)
	m.bodies = append(m.bodies, string(body))
	a := m.answers[min(len(m.received), len(m.answers))-1]
	if a.err != nil {
		return nil, a.err
	}
	return &http.Response{StatusCode: a.status, Body: io.NopCloser(strings.NewReader(a.body)), Header: http.Header{}}, nil
}

func (m *merchant) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.received)
}

// waitFor polls the sandbox until cond holds for delivery id.
func waitFor(t *testing.T, s *Sandbox, id string, what string, cond func(Delivery) bool) Delivery {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		d, ok := s.Delivery(id)
		if ok && cond(d) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s never got %s: %+v", id, what, d)
		}
		time.Sleep(time.Millisecond)
	}
}

func attempts(n int, state string) func(Delivery) bool {
	return func(d Delivery) bool { return len(d.Attempts) == n && d.State == state }
}

func notification(providerName string) provider.Notification {
	return provider.Notification{
		Provider: providerName, Event: provider.EventPay, OutTradeNo: "ORDER_1",
		URL:    "https://cloud.siton.xin/xxxx/payNotify",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}},
		Body:   []byte("trade_status=TRADE_SUCCESS&out_trade_no=ORDER_1"),
	}
}

func TestAlipayFailThenSuccessIsRetriedOnTheScaledSchedule(t *testing.T) {
	fake := clock.NewFake(start)
	m := &merchant{answers: []answer{{200, "fail", nil}, {200, "success", nil}}}
	s := newDelivering(t, Options{Clock: fake, Deliver: m.deliver}) // default scale 0.01
	defer s.Close()
	s.Notify(notification(provider.Alipay))
	d := waitFor(t, s, "n1", "a first failed attempt", attempts(1, StateRetrying))
	if d.Attempts[0].Acknowledged || d.Attempts[0].Body != "fail" || d.Attempts[0].Status != 200 || !d.Attempts[0].At.Equal(start) {
		t.Fatalf("first attempt: %+v", d.Attempts[0])
	}
	wantNext := start.Add(2400 * time.Millisecond) // 4m × 0.01
	if !d.NextAttemptAt.Equal(wantNext) {
		t.Fatalf("next attempt at %v, want %v", d.NextAttemptAt, wantNext)
	}
	fake.Advance(2399 * time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	if m.count() != 1 {
		t.Fatalf("retried before its time: %d attempts", m.count())
	}
	fake.Advance(time.Millisecond)
	d = waitFor(t, s, "n1", "an acknowledged retry", attempts(2, StateAcknowledged))
	if !d.Attempts[1].Acknowledged || !d.Attempts[1].At.Equal(wantNext) || d.Attempts[1].N != 2 {
		t.Fatalf("second attempt: %+v", d.Attempts[1])
	}
	if _, pending := fake.Next(); pending {
		t.Fatal("a retry is still scheduled after the acknowledgement")
	}
	// Both attempts carried the notification's exact bytes and headers.
	for i, b := range m.bodies {
		if b != "trade_status=TRADE_SUCCESS&out_trade_no=ORDER_1" || m.received[i].Method != http.MethodPost ||
			m.received[i].Header.Get("Content-Type") != "application/x-www-form-urlencoded; charset=utf-8" ||
			m.received[i].URL.String() != "https://cloud.siton.xin/xxxx/payNotify" {
			t.Fatalf("attempt %d sent %s %s %q", i+1, m.received[i].Method, m.received[i].URL, b)
		}
	}
}

func TestJudgingTheAnswer(t *testing.T) {
	for _, tc := range []struct {
		provider string
		answer   answer
		acked    bool
	}{
		{provider.Alipay, answer{200, "success", nil}, true},
		{provider.Alipay, answer{200, "success\n", nil}, false},
		{provider.Alipay, answer{200, "SUCCESS", nil}, false},
		{provider.Alipay, answer{200, `{"code":"SUCCESS"}`, nil}, false},
		{provider.Alipay, answer{500, "success", nil}, false},
		{provider.Wechat, answer{200, "", nil}, true},
		{provider.Wechat, answer{204, "", nil}, true},
		{provider.Wechat, answer{200, `{"code":"FAIL"}`, nil}, true}, // WeChat looks at the status only
		{provider.Wechat, answer{201, "", nil}, false},
		{provider.Wechat, answer{500, `{"code":"SUCCESS"}`, nil}, false},
		{provider.Wechat, answer{0, "", errors.New("connection refused")}, false},
	} {
		t.Run(tc.provider+" "+tc.answer.body, func(t *testing.T) {
			m := &merchant{answers: []answer{tc.answer}}
			s := newDelivering(t, Options{Clock: clock.NewFake(start), Deliver: m.deliver})
			defer s.Close()
			s.Notify(notification(tc.provider))
			d := waitFor(t, s, "n1", "an attempt", func(d Delivery) bool { return len(d.Attempts) == 1 })
			if d.Attempts[0].Acknowledged != tc.acked {
				t.Fatalf("acknowledged = %v, want %v (%+v)", d.Attempts[0].Acknowledged, tc.acked, d.Attempts[0])
			}
			if tc.answer.err != nil && !strings.Contains(d.Attempts[0].Error, "connection refused") {
				t.Fatalf("error not recorded: %+v", d.Attempts[0])
			}
		})
	}
}

func TestWechat500Then204(t *testing.T) {
	fake := clock.NewFake(start)
	m := &merchant{answers: []answer{{500, `{"code":"FAIL","message":"db down"}`, nil}, {204, "", nil}}}
	s := newDelivering(t, Options{Clock: fake, Deliver: m.deliver, RetryScale: 1})
	defer s.Close()
	s.Notify(notification(provider.Wechat))
	d := waitFor(t, s, "n1", "a failed attempt", attempts(1, StateRetrying))
	if d.Attempts[0].Status != 500 || !strings.Contains(d.Attempts[0].Body, "db down") || d.Rule != "HTTP 200 or 204" {
		t.Fatalf("first attempt: %+v", d)
	}
	if want := start.Add(15 * time.Second); !d.NextAttemptAt.Equal(want) {
		t.Fatalf("next at %v, want %v (WeChat retries after 15 s)", d.NextAttemptAt, want)
	}
	fake.Advance(15 * time.Second)
	d = waitFor(t, s, "n1", "acknowledged", attempts(2, StateAcknowledged))
	if d.Attempts[1].Status != 204 {
		t.Fatalf("second attempt: %+v", d.Attempts[1])
	}
}

func TestDeliveryStopsWhenTheScheduleIsExhausted(t *testing.T) {
	for _, name := range []string{provider.Alipay, provider.Wechat} {
		t.Run(name, func(t *testing.T) {
			fake := clock.NewFake(start)
			m := &merchant{answers: []answer{{404, "not found", nil}}}
			const scale = 0.5
			s := newDelivering(t, Options{Clock: fake, Deliver: m.deliver, RetryScale: scale})
			defer s.Close()
			s.Notify(notification(name))
			schedule := map[string][]time.Duration{provider.Alipay: alipaysim.NotifyPolicy().Retries, provider.Wechat: wechatsim.NotifyPolicy().Retries}[name]
			at := start
			for i, delay := range schedule {
				d := waitFor(t, s, "n1", "a retry scheduled", attempts(i+1, StateRetrying))
				if !d.Attempts[i].At.Equal(at) {
					t.Fatalf("attempt %d at %v, want %v", i+1, d.Attempts[i].At, at)
				}
				at = at.Add(time.Duration(float64(delay) * scale))
				if !d.NextAttemptAt.Equal(at) {
					t.Fatalf("after attempt %d next at %v, want %v", i+1, d.NextAttemptAt, at)
				}
				fake.Set(at)
			}
			d := waitFor(t, s, "n1", "failed", attempts(len(schedule)+1, StateFailed))
			if !d.NextAttemptAt.IsZero() {
				t.Fatalf("a failed delivery still has a next attempt: %v", d.NextAttemptAt)
			}
			fake.Advance(100 * time.Hour)
			time.Sleep(20 * time.Millisecond)
			if got := m.count(); got != len(schedule)+1 {
				t.Fatalf("%d attempts, want %d", got, len(schedule)+1)
			}
			if _, pending := fake.Next(); pending {
				t.Fatal("something is still scheduled")
			}
		})
	}
	if got := len(alipaysim.NotifyPolicy().Retries); got != 7 {
		t.Fatalf("Alipay retries %d times, want 7", got)
	}
	if got := len(wechatsim.NotifyPolicy().Retries); got != 15 {
		t.Fatalf("WeChat retries %d times, want 15", got)
	}
}

func TestReplayIsANewDeliveryOfTheSameBytes(t *testing.T) {
	m := &merchant{answers: []answer{{200, "success", nil}}}
	s := newDelivering(t, Options{Clock: clock.NewFake(start), Deliver: m.deliver})
	defer s.Close()
	s.Notify(notification(provider.Alipay))
	waitFor(t, s, "n1", "acknowledged", attempts(1, StateAcknowledged))
	r, err := s.Replay("n1")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "n2" || r.ReplayOf != "n1" || r.OutTradeNo != "ORDER_1" {
		t.Fatalf("replay record: %+v", r)
	}
	waitFor(t, s, "n2", "acknowledged", attempts(1, StateAcknowledged))
	if m.count() != 2 || m.bodies[0] != m.bodies[1] || m.received[1].Header.Get("Content-Type") != m.received[0].Header.Get("Content-Type") {
		t.Fatalf("replay sent other bytes: %q", m.bodies)
	}
	if _, err := s.Replay("n99"); !errors.Is(err, ErrNoDelivery) {
		t.Fatalf("replaying an unknown id: %v", err)
	}
	if ds := s.Deliveries(); len(ds) != 2 || ds[0].ID != "n1" || ds[1].ID != "n2" {
		t.Fatalf("deliveries: %+v", ds)
	}
}

func TestNotifyDoesNotBlockOnASlowMerchant(t *testing.T) {
	release := make(chan struct{})
	s := newDelivering(t, Options{Clock: clock.NewFake(start), Deliver: func(ctx context.Context, _ *http.Request) (*http.Response, error) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil, ctx.Err()
	}})
	done := make(chan struct{})
	go func() {
		for range 10 {
			s.Notify(notification(provider.Alipay))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Notify blocked on the delivery")
	}
	if n := len(s.Deliveries()); n != 10 {
		t.Fatalf("%d deliveries recorded", n)
	}
	// Close cancels the stuck attempts and waits for them.
	closed := make(chan struct{})
	go func() { _ = s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the in-flight attempts")
	}
	close(release)
	for _, d := range s.Deliveries() {
		if d.State != StateStopped {
			t.Fatalf("after Close: %+v", d)
		}
	}
	s.Notify(notification(provider.Alipay))
	if d, _ := s.Delivery("n11"); d.State != StateStopped || len(d.Attempts) != 0 {
		t.Fatalf("a notify after Close was attempted: %+v", d)
	}
}

func TestCloseCancelsPendingRetries(t *testing.T) {
	fake := clock.NewFake(start)
	m := &merchant{answers: []answer{{200, "fail", nil}}}
	s := newDelivering(t, Options{Clock: fake, Deliver: m.deliver})
	s.Notify(notification(provider.Alipay))
	waitFor(t, s, "n1", "retrying", attempts(1, StateRetrying))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, pending := fake.Next(); pending {
		t.Fatal("the retry timer survived Close")
	}
	fake.Advance(time.Hour)
	time.Sleep(10 * time.Millisecond)
	if d, _ := s.Delivery("n1"); d.State != StateStopped || m.count() != 1 {
		t.Fatalf("after Close: %+v, %d attempts", d, m.count())
	}
}

func TestRecordIsBounded(t *testing.T) {
	m := &merchant{answers: []answer{{200, "success", nil}}}
	s := newDelivering(t, Options{Clock: clock.NewFake(start), Deliver: m.deliver, MaxDeliveries: 3})
	defer s.Close()
	for i := range 5 {
		s.Notify(notification(provider.Alipay))
		waitFor(t, s, "n"+string(rune('1'+i)), "acknowledged", attempts(1, StateAcknowledged))
	}
	ds := s.Deliveries()
	if len(ds) != 3 || ds[0].ID != "n3" || ds[2].ID != "n5" {
		t.Fatalf("kept %+v", ds)
	}
}

func TestLongAnswersAreCut(t *testing.T) {
	m := &merchant{answers: []answer{{200, strings.Repeat("支", 1000), nil}}}
	s := newDelivering(t, Options{Clock: clock.NewFake(start), Deliver: m.deliver})
	defer s.Close()
	s.Notify(notification(provider.Alipay))
	d := waitFor(t, s, "n1", "an attempt", func(d Delivery) bool { return len(d.Attempts) == 1 })
	body := d.Attempts[0].Body
	if len(body) > excerptBytes+len("…") || !strings.HasSuffix(body, "…") || strings.ContainsRune(body, '\uFFFD') {
		t.Fatalf("excerpt of %d bytes: %q", len(body), body[:20])
	}
}

// TestTheProviderOwnsItsPolicy: a provider the core has never heard of
// delivers by its own judgement and schedule; without the provider, the
// default policy (2xx, one attempt) applies.
func TestTheProviderOwnsItsPolicy(t *testing.T) {
	fake := clock.NewFake(start)
	m := &merchant{answers: []answer{{200, "no", nil}, {200, "yes", nil}}}
	s := New(Options{Clock: fake, Deliver: m.deliver, RetryScale: 1})
	defer s.Close()
	p := newFakeProvider("acme", s, s.Clock().Now)
	p.policy = provider.NotifyPolicy{Retries: []time.Duration{7 * time.Second}, Rule: `body "yes"`,
		Acked: func(_ int, body []byte) bool { return string(body) == "yes" }}
	if err := s.Add(p); err != nil {
		t.Fatal(err)
	}
	n := notification("acme")
	s.Notify(n)
	d := waitFor(t, s, "n1", "a retry", attempts(1, StateRetrying))
	if d.Rule != `body "yes"` || !d.NextAttemptAt.Equal(start.Add(7*time.Second)) {
		t.Fatalf("not the provider's policy: %+v", d)
	}
	fake.Advance(7 * time.Second)
	waitFor(t, s, "n1", "acknowledged", attempts(2, StateAcknowledged))

	n.Provider = "gone"
	s.Notify(n)
	d = waitFor(t, s, "n2", "acknowledged", attempts(1, StateAcknowledged))
	if d.Rule != provider.DefaultNotifyPolicy().Rule {
		t.Fatalf("rule %q, want the default", d.Rule)
	}
}
