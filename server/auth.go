package server

import (
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultSignWindow is how far X-Bmob-Safe-Timestamp may be from the server's
// clock (bmob-api.md §5.2: skew under 10 s).
const DefaultSignWindow = 10 * time.Second

// access is what a request's credentials allow.
type access int

const (
	denied  access = iota
	signed         // a public client: secret key and a valid safe-sign
	appKeys        // application id and REST API key
	master         // the master key
)

// authenticator checks the application credentials of REST requests
// (bmob-api.md §5.2). The user (session token) is restapi's business.
type authenticator struct {
	keys   Keys
	now    func() time.Time
	window time.Duration
	nonces nonceCache
	shared NonceRecorder // nil: nonces only
}

// NonceRecorder records used safe-sign nonces where several processes see
// them (store.NonceKeeper of a PostgreSQL store).
type NonceRecorder interface {
	UseNonce(ctx context.Context, nonce string, expires, now time.Time) (fresh bool, err error)
}

// check returns the access a request has, or denied and why. path is the
// request path as sent (no query); body is ignored for GET and DELETE as the
// SDK signs them with an empty body.
func (a *authenticator) check(method, path string, h http.Header, body []byte) (access, string) {
	level := denied
	if mk := h.Get("X-Bmob-Master-Key"); mk != "" {
		if !equal(mk, a.keys.MasterKey) {
			return denied, "wrong master key"
		}
		level = master
	}
	if id := h.Get("X-Bmob-Application-Id"); id != "" && !equal(id, a.keys.AppID) {
		return denied, "wrong application id"
	}
	if h.Get("X-Bmob-Safe-Sign") != "" || h.Get("X-Bmob-Secret-Key") != "" {
		if why := a.checkSign(method, path, h, body); why != "" {
			return denied, why
		}
		return max(level, signed), ""
	}
	if level == master {
		return master, ""
	}
	if h.Get("X-Bmob-Application-Id") == "" {
		return denied, "no keys: send X-Bmob-Application-Id and X-Bmob-REST-API-Key, X-Bmob-Master-Key, or the JS SDK's safe-sign headers"
	}
	if rk := h.Get("X-Bmob-REST-API-Key"); !equal(rk, a.keys.RESTKey) {
		if rk == "" {
			return denied, "missing X-Bmob-REST-API-Key"
		}
		return denied, "wrong REST API key"
	}
	return appKeys, ""
}

// checkSign verifies the JS SDK's encrypted-request headers:
// X-Bmob-Safe-Sign = md5(path + timestamp + security code + nonce + body + SDK version).
func (a *authenticator) checkSign(method, path string, h http.Header, body []byte) string {
	if !equal(h.Get("X-Bmob-Secret-Key"), a.keys.SecretKey) {
		return "wrong X-Bmob-Secret-Key"
	}
	ts, nonce, sign := h.Get("X-Bmob-Safe-Timestamp"), h.Get("X-Bmob-Noncestr-Key"), strings.ToLower(h.Get("X-Bmob-Safe-Sign"))
	if ts == "" || nonce == "" || sign == "" {
		return "incomplete safe-sign headers: X-Bmob-Safe-Sign, X-Bmob-Safe-Timestamp and X-Bmob-Noncestr-Key are all needed"
	}
	sent, ok := parseTimestamp(ts)
	if !ok {
		return "X-Bmob-Safe-Timestamp is not a unix time in seconds or milliseconds"
	}
	now := a.now()
	if d := now.Sub(sent); d > a.window || d < -a.window {
		return "stale X-Bmob-Safe-Timestamp: " + d.Round(time.Second).String() + " from the server's clock (window " + a.window.String() + ")"
	}
	if method == http.MethodGet || method == http.MethodDelete {
		body = nil
	}
	ok = false
	for _, signedBody := range signedBodies(method, path, body) {
		suffix := ts + a.keys.SecurityCode + nonce + signedBody() + h.Get("X-Bmob-SDK-Version")
		ok = equal(hexMD5(path+suffix), sign)
		if !ok { // the SDK signs the route before the HTTP client escapes it
			if p, err := url.PathUnescape(path); err == nil && p != path {
				ok = equal(hexMD5(p+suffix), sign)
			}
		}
		if ok {
			break
		}
	}
	if !ok {
		return "bad X-Bmob-Safe-Sign"
	}
	if a.shared != nil {
		fresh, err := a.shared.UseNonce(context.Background(), nonce, sent.Add(a.window), now)
		if err != nil {
			return "nonce check failed: " + err.Error()
		}
		if !fresh {
			return "replayed X-Bmob-Noncestr-Key"
		}
	} else if !a.nonces.add(nonce, sent.Add(a.window), now) {
		return "replayed X-Bmob-Noncestr-Key"
	}
	return ""
}

// parseTimestamp reads unix seconds (what hydrogen-js-sdk sends) or
// milliseconds (13 digits, what Bmob's docs describe).
func parseTimestamp(s string) (time.Time, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	if n >= 1e12 {
		return time.UnixMilli(n), true
	}
	return time.Unix(n, 0), true
}

func hexMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// equal compares a credential with the configured one in constant time; an
// unset key never matches.
func equal(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// nonceCache remembers the nonces of signed requests until their timestamp
// leaves the window, so a replay inside the window is refused. Two generations
// swapped every ttl keep memory bounded by the request rate: an entry lives at
// least ttl after it is added, and ttl (two windows) is the longest any nonce
// needs remembering, as its timestamp is at most one window ahead.
type nonceCache struct {
	ttl      time.Duration
	mu       sync.Mutex
	cur, old map[string]time.Time
	rotated  time.Time
}

// add records nonce (valid until expires) and reports whether it was new.
func (c *nonceCache) add(nonce string, expires, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil {
		c.cur, c.old, c.rotated = map[string]time.Time{}, map[string]time.Time{}, now
	}
	for _, m := range []map[string]time.Time{c.cur, c.old} {
		if exp, ok := m[nonce]; ok && now.Before(exp) {
			return false
		}
	}
	if now.Sub(c.rotated) >= c.ttl {
		c.old, c.cur, c.rotated = c.cur, map[string]time.Time{}, now
	}
	c.cur[nonce] = expires
	return true
}
