package paysim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// Client talks to a running bmobemu's sandbox endpoints (what `bmobemu sandbox
// pay|close|refund|notifies` use).
type Client struct {
	// Base is the server's URL, e.g. http://127.0.0.1:8080.
	Base string
	// HTTP sends the requests; nil uses a client with a 30 s timeout.
	HTTP *http.Client
	// MasterKey, when set, is sent as X-Bmob-Master-Key: a server listening
	// off loopback wants it.
	MasterKey string
}

// TriggerRequest is the input of Pay, Close and Refund.
type TriggerRequest struct {
	Provider   string `json:"provider"`
	OutTradeNo string `json:"outTradeNo"`
	Amount     string `json:"amount,omitempty"` // yuan, "0.01"
	NotifyURL  string `json:"notifyUrl,omitempty"`
	Subject    string `json:"subject,omitempty"`
}

// APIError is a sandbox endpoint's {"error": …} answer.
type APIError struct {
	Status  int
	Message string
}

// Error implements error.
func (e *APIError) Error() string { return fmt.Sprintf("%s (HTTP %d)", e.Message, e.Status) }

// Pay completes a payment as the buyer would.
func (c *Client) Pay(ctx context.Context, req TriggerRequest) (TriggerResult, error) {
	var out TriggerResult
	return out, c.do(ctx, http.MethodPost, "pay", req, &out)
}

// Close closes an unpaid trade.
func (c *Client) Close(ctx context.Context, req TriggerRequest) (TriggerResult, error) {
	var out TriggerResult
	return out, c.do(ctx, http.MethodPost, "close", req, &out)
}

// Refund refunds Amount (empty: what remains) of a paid trade.
func (c *Client) Refund(ctx context.Context, req TriggerRequest) (TriggerResult, error) {
	var out TriggerResult
	return out, c.do(ctx, http.MethodPost, "refund", req, &out)
}

// Trades lists every trade.
func (c *Client) Trades(ctx context.Context) ([]provider.Trade, error) {
	var out []provider.Trade
	return out, c.do(ctx, http.MethodGet, "trades", nil, &out)
}

// Notifies lists the kept notify deliveries, oldest first.
func (c *Client) Notifies(ctx context.Context) ([]Delivery, error) {
	var out []Delivery
	return out, c.do(ctx, http.MethodGet, "notifies", nil, &out)
}

// Notify returns one delivery.
func (c *Client) Notify(ctx context.Context, id string) (Delivery, error) {
	var out Delivery
	return out, c.do(ctx, http.MethodGet, "notifies/"+url.PathEscape(id), nil, &out)
}

// Replay delivers a notify again; the answer is the new delivery.
func (c *Client) Replay(ctx context.Context, id string) (Delivery, error) {
	var out Delivery
	return out, c.do(ctx, http.MethodPost, "notifies/"+url.PathEscape(id)+"/replay", nil, &out)
}

// WaitAttempted polls delivery id until it has an attempt (or is no longer
// being delivered), or ctx ends; it returns the last state seen.
func (c *Client) WaitAttempted(ctx context.Context, id string) (Delivery, error) {
	for {
		d, err := c.Notify(ctx, id)
		if err != nil || len(d.Attempts) > 0 || d.State == StateStopped {
			return d, err
		}
		select {
		case <-ctx.Done():
			return d, nil
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	client := c.HTTP
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encoding the request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	target := strings.TrimRight(c.Base, "/") + MountPath + path
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return fmt.Errorf("sandbox request: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.MasterKey != "" {
		req.Header.Set("X-Bmob-Master-Key", c.MasterKey)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("reaching the sandbox of a running bmobemu serve at %s: %w", c.Base, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("reading %s %s: %w", method, target, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = fmt.Sprintf("%s %s: %s", method, target, strings.TrimSpace(excerpt(data)))
			if resp.StatusCode == http.StatusNotFound {
				e.Error += " (is the server running with --sandbox=on?)"
			}
		}
		return &APIError{Status: resp.StatusCode, Message: e.Error}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("reading %s %s: %w", method, target, err)
	}
	return nil
}

// IsNotFound reports whether err is a sandbox 404 (unknown trade or notify).
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}
