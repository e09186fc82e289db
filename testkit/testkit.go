package testkit

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/store"
)

// T is a Session tied to a Go test: failures call t.Fatal, the session closes at
// the end of the test, and an outbound call no route declared fails the test.
type T struct {
	*Session
	t testing.TB
}

// New starts a session for t. Functions are required; everything else has the
// defaults of Options.
func New(t testing.TB, opts Options) *T {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	kt := &T{Session: s, t: t}
	t.Cleanup(func() {
		for _, r := range s.HTTP.Unexpected() {
			t.Errorf("undeclared outbound request %s %s (declare it with HTTP.Add or T.OnHTTP)", r.Method, r.URL)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return kt
}

// Call calls a function by its direct URL.
func (k *T) Call(name string, req Request) *Reply {
	k.t.Helper()
	r, err := k.Session.Call(context.Background(), name, req)
	if err != nil {
		k.t.Fatal(err)
	}
	return r
}

// Post calls a function with a JSON body.
func (k *T) Post(name string, body any) *Reply {
	k.t.Helper()
	req, err := JSONBody(body)
	if err != nil {
		k.t.Fatal(err)
	}
	return k.Call(name, req)
}

// PostForm calls a function with a form-encoded body.
func (k *T) PostForm(name string, form url.Values) *Reply {
	k.t.Helper()
	return k.Call(name, FormBody(form))
}

// Get calls a function with GET and a query string (e.g. "limit=5&x=1").
func (k *T) Get(name, query string) *Reply {
	k.t.Helper()
	var pairs []fncall.Pair
	if query != "" {
		for _, kv := range strings.Split(query, "&") {
			key, val, _ := strings.Cut(kv, "=")
			key, _ = url.QueryUnescape(key)
			val, _ = url.QueryUnescape(val)
			pairs = append(pairs, fncall.Pair{Key: key, Value: val})
		}
	}
	return k.Call(name, Request{Method: http.MethodGet, Query: pairs})
}

// REST calls a function as POST /1/functions/<name> does.
func (k *T) REST(name string, body map[string]any) *Reply {
	k.t.Helper()
	r, err := k.Session.REST(context.Background(), name, body)
	if err != nil {
		k.t.Fatal(err)
	}
	return r
}

// JSON decodes a reply's body as a JSON object, failing the test if it is not one.
func (k *T) JSON(r *Reply) map[string]any {
	k.t.Helper()
	var m map[string]any
	if err := r.JSON(&m); err != nil {
		k.t.Fatal(err)
	}
	return m
}

// Rows returns every row of a class, oldest first.
func (k *T) Rows(class string) []map[string]any {
	k.t.Helper()
	rows, err := k.Session.Rows(context.Background(), class)
	if err != nil {
		k.t.Fatal(err)
	}
	return rows
}

// Find returns the rows of a class matching where (Bmob's where JSON as a map).
func (k *T) Find(class string, where map[string]any) []map[string]any {
	k.t.Helper()
	rows, err := k.Session.Find(context.Background(), class, store.Query{Where: where, Limit: store.MaxLimit})
	if err != nil {
		k.t.Fatal(err)
	}
	return rows
}

// Insert adds a row and returns its objectId.
func (k *T) Insert(class string, row map[string]any) string {
	k.t.Helper()
	c, err := k.Session.Insert(context.Background(), class, row)
	if err != nil {
		k.t.Fatal(err)
	}
	return c.ObjectID
}

// OnHTTP declares the answer to outbound calls of method (""=any) to rawURL's
// host and path: body is sent as is when it is a string or []byte, else as JSON.
func (k *T) OnHTTP(method, rawURL string, status int, body any) {
	k.t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		k.t.Fatal(err)
	}
	var b []byte
	h := http.Header{}
	switch x := body.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		if b, err = json.Marshal(x); err != nil {
			k.t.Fatal(err)
		}
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	k.HTTP.Add(Route{Method: method, Host: u.Host, Path: u.Path, Status: status, Header: h, Body: b})
}

// Pay completes a payment in the sandbox and waits for its notify's first
// attempt (Payments.Pay), failing the test on error or with the sandbox off.
func (k *T) Pay(req paysim.TriggerRequest) paysim.TriggerResult {
	k.t.Helper()
	res, err := k.payments().Pay(context.Background(), req)
	if err != nil {
		k.t.Fatal(err)
	}
	return res
}

// CloseTrade closes an unpaid trade in the sandbox (Payments.Close).
func (k *T) CloseTrade(req paysim.TriggerRequest) paysim.TriggerResult {
	k.t.Helper()
	res, err := k.payments().Close(context.Background(), req)
	if err != nil {
		k.t.Fatal(err)
	}
	return res
}

// Refund refunds a paid trade in the sandbox (Payments.Refund).
func (k *T) Refund(req paysim.TriggerRequest) paysim.TriggerResult {
	k.t.Helper()
	res, err := k.payments().Refund(context.Background(), req)
	if err != nil {
		k.t.Fatal(err)
	}
	return res
}

// Replay delivers notify id again and waits for its first attempt.
func (k *T) Replay(id string) paysim.Delivery {
	k.t.Helper()
	d, err := k.payments().Replay(context.Background(), id)
	if err != nil {
		k.t.Fatal(err)
	}
	return d
}

func (k *T) payments() *Payments {
	k.t.Helper()
	if k.Payments == nil {
		k.t.Fatal("testkit: the payment sandbox is off (Options.NoSandbox)")
	}
	return k.Payments
}
