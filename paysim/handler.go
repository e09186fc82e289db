package paysim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	pathpkg "path"
	"strings"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// MountPath is where Handler expects to be mounted on bmobemu's server.
const MountPath = provider.MountPath

// maxTriggerBody bounds a trigger request's body; maxProviderBody any request's
// to a mounted provider.
const (
	maxTriggerBody  = 1 << 20
	maxProviderBody = 8 << 20
)

// TriggerResult is what the pay, close, refund and app-order triggers answer: the
// trade after the action and the notifies it queued.
type TriggerResult struct {
	Trade    provider.Trade `json:"trade"`
	Notifies []Delivery     `json:"notifies"`
}

// errBadInput marks errors that are the caller's (400).
var errBadInput = errors.New("bad request")

// Handler serves the sandbox's own endpoints under MountPath (paths arrive
// unstripped): the triggers, the listings, replay, an HTML index, and each
// provider's handler under /_sandbox/<provider>/ with that prefix stripped.
func (s *Sandbox) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_sandbox/{$}", s.serveIndex)
	mux.HandleFunc("POST /_sandbox/pay", s.trigger(s.pay))
	mux.HandleFunc("POST /_sandbox/close", s.trigger(s.close))
	mux.HandleFunc("POST /_sandbox/refund", s.trigger(s.refund))
	mux.HandleFunc("POST /_sandbox/app-order", s.trigger(s.appOrder))
	mux.HandleFunc("GET /_sandbox/trades", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Trades())
	})
	mux.HandleFunc("GET /_sandbox/notifies", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Deliveries())
	})
	mux.HandleFunc("GET /_sandbox/notifies/{id}", func(w http.ResponseWriter, r *http.Request) {
		d, ok := s.Delivery(r.PathValue("id"))
		if !ok {
			writeError(w, fmt.Errorf("%s: %w", r.PathValue("id"), ErrNoDelivery))
			return
		}
		writeJSON(w, http.StatusOK, d)
	})
	mux.HandleFunc("POST /_sandbox/notifies/{id}/replay", func(w http.ResponseWriter, r *http.Request) {
		d, err := s.Replay(r.PathValue("id"))
		if err != nil {
			writeError(w, err)
			return
		}
		if back := backTo(r); back != "" {
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		writeJSON(w, http.StatusOK, d)
	})
	mux.HandleFunc("/_sandbox/", s.serveProvider)
	guarded := s.guard(mux)
	return detached(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isListing(r) {
			// bmobemu's server sends the answer once this returns, so the
			// state is kept before the caller hears of it.
			defer s.persist()
		}
		if s.isSignedAPI(r.URL.Path) {
			mux.ServeHTTP(w, r) // authenticated by the merchant's signature, as on the real gateway
			return
		}
		guarded.ServeHTTP(w, r)
	}))
}

// isListing is a read of the sandbox's own pages, which changes nothing.
func isListing(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	return p == MountPath || strings.HasPrefix(p, MountPath+"trades") || strings.HasPrefix(p, MountPath+"notifies")
}

// guard puts h behind Options.Guard, when there is one.
func (s *Sandbox) guard(h http.Handler) http.Handler {
	if s.opts.Guard == nil {
		return h
	}
	return s.opts.Guard.Handler(h)
}

// isSignedAPI reports whether path is a provider's signature-checked API path
// (provider.SignedAPI), which needs no guard.
func (s *Sandbox) isSignedAPI(path string) bool {
	rest, ok := strings.CutPrefix(path, MountPath)
	if !ok || pathpkg.Clean(path) != path { // no /v3/../../pay past the guard
		return false
	}
	name, sub, _ := strings.Cut(rest, "/")
	p, ok := s.Provider(name)
	if !ok {
		return false
	}
	api, ok := p.(provider.SignedAPI)
	return ok && api.SignedAPIPath("/"+sub)
}

// serveProvider hands /_sandbox/<name>/… to the provider with the prefix stripped.
func (s *Sandbox) serveProvider(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, MountPath)
	name, _, _ := strings.Cut(rest, "/")
	p, ok := s.Provider(name)
	if !ok {
		switch name {
		case "pay", "close", "refund", "app-order", "trades", "notifies", "":
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": r.Method + " " + r.URL.Path + " is not a sandbox endpoint"})
		default:
			writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no sandbox provider %q (have: %s)", name, strings.Join(s.providerNames(), ", "))})
		}
		return
	}
	http.StripPrefix(strings.TrimSuffix(MountPath, "/")+"/"+name, p).ServeHTTP(w, r)
}

func (s *Sandbox) providerNames() []string {
	var names []string
	for _, p := range s.Providers() {
		names = append(names, p.Name())
	}
	return names
}

// triggerInput is a trigger's fields, from JSON or a form.
type triggerInput struct {
	Provider    string `json:"provider"`
	OutTradeNo  string `json:"outTradeNo"`
	Amount      string `json:"amount"` // yuan
	NotifyURL   string `json:"notifyUrl"`
	Subject     string `json:"subject"`
	OrderString string `json:"orderString"`
}

// trigger wraps an action with input parsing, the notifies it queued and errors.
func (s *Sandbox) trigger(action func(context.Context, provider.Provider, triggerInput) (provider.Trade, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		in, err := readTrigger(w, r)
		if err != nil {
			writeError(w, err)
			return
		}
		p, err := s.pickProvider(in.Provider)
		if err != nil {
			writeError(w, err)
			return
		}
		before := s.lastSeq()
		trade, err := action(r.Context(), p, in)
		if err != nil {
			writeError(w, err)
			return
		}
		if back := backTo(r); back != "" {
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		writeJSON(w, http.StatusOK, TriggerResult{Trade: trade, Notifies: s.since(before, p.Name(), trade.OutTradeNo)})
	}
}

func (s *Sandbox) pay(ctx context.Context, p provider.Provider, in triggerInput) (provider.Trade, error) {
	if in.OutTradeNo == "" {
		return provider.Trade{}, fmt.Errorf("%w: outTradeNo is required", errBadInput)
	}
	fen, err := ParseYuan(in.Amount)
	if err != nil {
		return provider.Trade{}, fmt.Errorf("%w: %v", errBadInput, err)
	}
	return p.Pay(ctx, provider.PayRequest{OutTradeNo: in.OutTradeNo, TotalFen: fen, NotifyURL: in.NotifyURL, Subject: in.Subject})
}

func (s *Sandbox) close(ctx context.Context, p provider.Provider, in triggerInput) (provider.Trade, error) {
	if in.OutTradeNo == "" {
		return provider.Trade{}, fmt.Errorf("%w: outTradeNo is required", errBadInput)
	}
	return p.Close(ctx, in.OutTradeNo)
}

func (s *Sandbox) refund(ctx context.Context, p provider.Provider, in triggerInput) (provider.Trade, error) {
	if in.OutTradeNo == "" {
		return provider.Trade{}, fmt.Errorf("%w: outTradeNo is required", errBadInput)
	}
	fen, err := ParseYuan(in.Amount)
	if err != nil {
		return provider.Trade{}, fmt.Errorf("%w: %v", errBadInput, err)
	}
	return p.Refund(ctx, in.OutTradeNo, fen)
}

func (s *Sandbox) appOrder(_ context.Context, p provider.Provider, in triggerInput) (provider.Trade, error) {
	sub, ok := p.(AppOrderSubmitter)
	if !ok {
		return provider.Trade{}, fmt.Errorf("%w: sandbox provider %s takes no app orders", errBadInput, p.Name())
	}
	if in.OrderString == "" {
		return provider.Trade{}, fmt.Errorf("%w: orderString is required (the string sdkExec returned)", errBadInput)
	}
	trade, err := sub.SubmitAppOrder(in.OrderString)
	if err != nil && !errors.Is(err, provider.ErrBadState) && !errors.Is(err, provider.ErrNoTrade) {
		// A refused order (bad signature, wrong app id…) is the caller's to fix.
		return trade, fmt.Errorf("%w: %v", errBadInput, err)
	}
	return trade, err
}

// pickProvider resolves a trigger's provider; "" is fine when there is only one.
func (s *Sandbox) pickProvider(name string) (provider.Provider, error) {
	if name == "" {
		if ps := s.Providers(); len(ps) == 1 {
			return ps[0], nil
		}
		return nil, fmt.Errorf("%w: provider is required (one of: %s)", errBadInput, strings.Join(s.providerNames(), ", "))
	}
	p, ok := s.Provider(name)
	if !ok {
		return nil, fmt.Errorf("%w: no sandbox provider %q (have: %s)", errBadInput, name, strings.Join(s.providerNames(), ", "))
	}
	return p, nil
}

func (s *Sandbox) lastSeq() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq
}

// since lists the deliveries queued after seq for one trade.
func (s *Sandbox) since(seq int64, providerName, outTradeNo string) []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Delivery{}
	for _, r := range s.records {
		if r.seq > seq && r.d.Provider == providerName && r.d.OutTradeNo == outTradeNo {
			out = append(out, r.snapshot())
		}
	}
	return out
}

// readTrigger reads a trigger's fields from a JSON body or a form (body or query).
// Field names may also be spelled as the providers do (out_trade_no, notify_url).
func readTrigger(w http.ResponseWriter, r *http.Request) (triggerInput, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTriggerBody)
	var in triggerInput
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var raw map[string]any
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
			return in, fmt.Errorf("%w: body is not a JSON object: %w", errBadInput, err)
		}
		vals := url.Values{}
		for k, v := range raw {
			switch v := v.(type) {
			case string:
				vals.Set(k, v)
			case float64, bool, json.Number:
				vals.Set(k, fmt.Sprint(v))
			case nil:
			default:
				return in, fmt.Errorf("%w: field %s must be a string", errBadInput, k)
			}
		}
		return fromValues(vals), nil
	}
	if err := r.ParseForm(); err != nil {
		return in, fmt.Errorf("%w: %w", errBadInput, err)
	}
	return fromValues(r.Form), nil
}

func fromValues(v url.Values) triggerInput {
	first := func(keys ...string) string {
		for _, k := range keys {
			if s := v.Get(k); s != "" {
				return strings.TrimSpace(s)
			}
		}
		return ""
	}
	return triggerInput{
		Provider:    first("provider"),
		OutTradeNo:  first("outTradeNo", "out_trade_no"),
		Amount:      first("amount"),
		NotifyURL:   first("notifyUrl", "notify_url"),
		Subject:     first("subject"),
		OrderString: v.Get("orderString"),
	}
}

// backTo is where a browser form asked to go afterwards (a sandbox page only).
func backTo(r *http.Request) string {
	back := r.FormValue("back")
	if strings.HasPrefix(back, MountPath) && !strings.ContainsAny(back, "\\\r\n") {
		return back
	}
	return ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// writeError answers {"error": …} with the status the error calls for; the
// trigger's input is at fault unless the error says otherwise.
func writeError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, provider.ErrNoTrade), errors.Is(err, ErrNoDelivery):
		status = http.StatusNotFound
	case errors.Is(err, provider.ErrBadState):
		status = http.StatusConflict
	case errors.As(err, &tooBig):
		status = http.StatusRequestEntityTooLarge
	}
	msg := strings.TrimPrefix(err.Error(), errBadInput.Error()+": ")
	writeJSON(w, status, map[string]string{"error": msg})
}
