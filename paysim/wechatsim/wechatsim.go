// Package wechatsim simulates WeChat Pay API v3 for bmobemu's payment sandbox:
// orders for app, jsapi, native and h5, queries, close, refunds, the platform
// certificate download, the Authorization check against the merchant key,
// platform-signed responses, and AES-256-GCM encrypted, signed notifies handed to
// a provider.Notifier. It never does network I/O itself.
package wechatsim

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// Config is what the simulator knows: the merchant's identity and public half,
// the platform's private half, and the sandbox's clock and notifier.
type Config struct {
	MchID             string         // merchant id (mchid)
	AppID             string         // the app bound to the merchant (appid)
	MerchantPublicKey *rsa.PublicKey // verifies the merchant's Authorization signatures
	MerchantSerial    string         // merchant certificate serial (hex) expected in serial_no
	PlatformKey       *rsa.PrivateKey
	PlatformSerial    string // platform certificate serial, sent as Wechatpay-Serial
	PlatformCertPEM   []byte // the platform certificate (see NewPlatformCertificate)
	APIv3Key          string // 32 bytes: AES-256-GCM key of notifies and the certificate download
	Clock             provider.Clock
	Notifier          provider.Notifier
	Random            io.Reader    // nonces; nil means crypto/rand
	Warn              func(string) // fidelity warnings: accepted here, refused by real WeChat
	// PublicBase is the absolute URL where bmobemu mounts this handler (e.g.
	// http://127.0.0.1:8080/_sandbox/wechat); h5_url and code_url point under it.
	// Empty: real-looking URLs that no browser can open.
	PublicBase string
}

// Simulator is one simulated WeChat Pay merchant account. It implements
// provider.Provider and is safe for concurrent use.
type Simulator struct {
	cfg    Config
	cert   *x509.Certificate
	random io.Reader
	randMu sync.Mutex

	mu           sync.Mutex
	seq          int64
	trades       map[string]*trade // by out_trade_no
	order        []*trade          // oldest first
	byTxn        map[string]*trade // by transaction_id
	byPrepay     map[string]*trade // by prepay_id
	refunds      map[string]*refund
	refundsByTxn map[string][]*refund
}

var _ provider.Provider = (*Simulator)(nil)

// New checks cfg and makes a simulator with no trades. A nil Clock is the real
// clock; a nil Warn drops warnings; Notifier is required.
func New(cfg Config) (*Simulator, error) {
	switch {
	case cfg.MchID == "" || cfg.AppID == "":
		return nil, errors.New("wechatsim: MchID and AppID are required")
	case cfg.MerchantPublicKey == nil || cfg.MerchantSerial == "":
		return nil, errors.New("wechatsim: MerchantPublicKey and MerchantSerial are required")
	case cfg.PlatformKey == nil || cfg.PlatformSerial == "":
		return nil, errors.New("wechatsim: PlatformKey and PlatformSerial are required")
	case len(cfg.APIv3Key) != 32:
		return nil, fmt.Errorf("wechatsim: APIv3Key must be 32 bytes, got %d", len(cfg.APIv3Key))
	case cfg.Notifier == nil:
		return nil, errors.New("wechatsim: Notifier is required")
	}
	cert, err := parsePlatformCert(cfg.PlatformCertPEM, cfg.PlatformKey, cfg.PlatformSerial)
	if err != nil {
		return nil, fmt.Errorf("wechatsim: %w", err)
	}
	cfg.PlatformSerial = strings.ToUpper(cfg.PlatformSerial)
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	if cfg.Warn == nil {
		cfg.Warn = func(string) {}
	}
	cfg.PublicBase = strings.TrimRight(cfg.PublicBase, "/")
	s := &Simulator{
		cfg:          cfg,
		cert:         cert,
		random:       cfg.Random,
		trades:       map[string]*trade{},
		byTxn:        map[string]*trade{},
		byPrepay:     map[string]*trade{},
		refunds:      map[string]*refund{},
		refundsByTxn: map[string][]*refund{},
	}
	if s.random == nil {
		s.random = rand.Reader
	}
	return s, nil
}

// Name is provider.Wechat.
func (s *Simulator) Name() string { return provider.Wechat }

// Hosts are WeChat Pay's API hosts (main and backup).
func (s *Simulator) Hosts() []string {
	return []string{"api.mch.weixin.qq.com", "api2.mch.weixin.qq.com"}
}

// Trades lists every trade, oldest first.
func (s *Simulator) Trades() []provider.Trade {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]provider.Trade, 0, len(s.order))
	for _, t := range s.order {
		s.expireLocked(t)
		out = append(out, t.view())
	}
	return out
}

// Pay completes a payment as the buyer would and sends TRANSACTION.SUCCESS. An
// unknown out_trade_no is created first (as an APP order) from req.
func (s *Simulator) Pay(ctx context.Context, req provider.PayRequest) (provider.Trade, error) {
	if err := ctx.Err(); err != nil {
		return provider.Trade{}, err
	}
	s.mu.Lock()
	t := s.trades[req.OutTradeNo]
	if t == nil {
		if req.TotalFen <= 0 || req.NotifyURL == "" {
			s.mu.Unlock()
			return provider.Trade{}, fmt.Errorf("wechatsim: pay %q: %w (give an amount and a notify URL to create it)",
				req.OutTradeNo, provider.ErrNoTrade)
		}
		desc := req.Subject
		if desc == "" {
			desc = req.OutTradeNo
		}
		t = s.addTradeLocked(&trade{
			kind: "app", appID: s.cfg.AppID, mchID: s.cfg.MchID, description: desc,
			outTradeNo: req.OutTradeNo, notifyURL: req.NotifyURL, total: req.TotalFen, currency: "CNY",
		})
	} else if req.TotalFen != 0 && req.TotalFen != t.total {
		s.mu.Unlock()
		return provider.Trade{}, fmt.Errorf("wechatsim: pay %q: amount %d fen, the order is %d: %w",
			req.OutTradeNo, req.TotalFen, t.total, provider.ErrBadState)
	}
	s.mu.Unlock()
	return s.pay(t)
}

// Close closes an unpaid trade. WeChat sends no notify for a close.
func (s *Simulator) Close(ctx context.Context, outTradeNo string) (provider.Trade, error) {
	if err := ctx.Err(); err != nil {
		return provider.Trade{}, err
	}
	view, aerr := s.close(outTradeNo)
	if aerr != nil {
		return provider.Trade{}, fmt.Errorf("wechatsim: close %q: %w", outTradeNo, aerr)
	}
	return view, nil
}

// Refund refunds fen (0: what remains) of a paid trade and sends REFUND.SUCCESS
// to the trade's notify_url.
func (s *Simulator) Refund(ctx context.Context, outTradeNo string, fen int64) (provider.Trade, error) {
	if err := ctx.Err(); err != nil {
		return provider.Trade{}, err
	}
	_, view, aerr := s.refund(refundInput{outTradeNo: outTradeNo, fen: fen})
	if aerr != nil {
		return provider.Trade{}, fmt.Errorf("wechatsim: refund %q: %w", outTradeNo, aerr)
	}
	return view, nil
}

// beijing is the zone of every time WeChat writes.
var beijing = bjtime.Location

// wechatTime writes t as WeChat does: RFC 3339 in +08:00.
func wechatTime(t time.Time) string { return t.In(beijing).Format(time.RFC3339) }
