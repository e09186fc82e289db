// Package webguard protects bmobemu's own browser-facing admin routes (the
// payment sandbox's triggers and pages, the web console) from the two dangers a
// developer's server faces: a web page in the developer's browser posting to it
// (cross-site request forgery, DNS rebinding), and strangers reaching it when it
// listens on a public address.
//
// The rules, for a Guard made with New(listenAddr, masterKey):
//
//   - Loopback listen address (127.0.0.1, ::1, localhost): no key is needed,
//     but the request's Host must be a loopback name (a DNS-rebound name is
//     refused), and a state-changing request (any method but GET, HEAD,
//     OPTIONS) must come from the same origin: Sec-Fetch-Site, when sent, must
//     be "same-origin" or "none"; Origin, when sent, must name the Host the
//     request was sent to; and a request carrying neither (an old browser, or
//     curl) may not use a form content type (urlencoded, multipart, text/plain)
//     unless it carries the master key in the X-Bmob-Master-Key header (Basic
//     credentials do not count: a browser sends them on its own). A page
//     served by bmobemu itself posting forms or fetch()ing JSON to its own
//     origin passes; a page elsewhere fails.
//   - Any other listen address (0.0.0.0, a LAN address, ""): every request,
//     reads included, must carry the master key, as X-Bmob-Master-Key or as the
//     password of HTTP Basic authentication (any user name: the browser asks for
//     it after the 401), and state-changing requests must still pass the
//     same-origin checks above.
package webguard

import (
	"crypto/subtle"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// MasterKeyHeader is the header that carries the master key, as on the REST API.
const MasterKeyHeader = "X-Bmob-Master-Key"

// Guard decides whether a request may reach a protected route. The zero value
// is not usable: build one with New.
type Guard struct {
	masterKey string
	public    bool
}

// New builds the guard for a server listening on listenAddr ("host:port" as
// given to --addr) whose master key is masterKey.
func New(listenAddr, masterKey string) *Guard {
	return &Guard{masterKey: masterKey, public: !IsLoopbackAddr(listenAddr)}
}

// Public reports whether the listen address is reachable from other machines,
// so that the master key is required.
func (g *Guard) Public() bool { return g.public }

// Refusal is why Check turned a request away, with the HTTP status to answer.
type Refusal struct {
	// Status is 401 (no or wrong master key) or 403 (cross-site or foreign host).
	Status int
	// Reason says in plain words what was wrong and what to do instead.
	Reason string
}

// Error implements error.
func (r *Refusal) Error() string { return r.Reason }

// Check returns nil when r may reach a protected route, else a *Refusal.
func (g *Guard) Check(r *http.Request) *Refusal {
	hasKey, inHeader, wrongKey := g.masterKeyOf(r)
	if wrongKey {
		return &Refusal{http.StatusUnauthorized, "wrong master key"}
	}
	if g.public && !hasKey {
		return &Refusal{http.StatusUnauthorized, "this server listens on a non-loopback address: admin and sandbox routes need the master key " +
			"(header " + MasterKeyHeader + ", or as the password when the browser asks)"}
	}
	if !g.public && !hasKey && !IsLoopbackHost(hostOnly(r.Host)) {
		return &Refusal{http.StatusForbidden, fmt.Sprintf("host %q is not a loopback name: open this page as http://127.0.0.1:<port>/ or http://localhost:<port>/", r.Host)}
	}
	if safeMethod(r.Method) {
		return nil
	}
	site := strings.ToLower(r.Header.Get("Sec-Fetch-Site"))
	if site != "" && site != "same-origin" && site != "none" {
		return &Refusal{http.StatusForbidden, "cross-site request refused (Sec-Fetch-Site: " + site + "): state-changing admin and sandbox routes accept requests from their own pages only"}
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		if !sameHost(origin, r.Host) {
			return &Refusal{http.StatusForbidden, fmt.Sprintf("cross-origin request refused (Origin %s, host %s): state-changing admin and sandbox routes accept requests from their own pages only", origin, r.Host)}
		}
		return nil
	}
	// A browser sends Basic credentials on its own, even with a cross-site
	// form: only the header, which no form can set, vouches for the request.
	if site == "" && !inHeader && isFormType(r.Header.Get("Content-Type")) {
		return &Refusal{http.StatusForbidden, "a form post without an Origin header is refused (a browser on another site could send it): " +
			"send Content-Type: application/json, or the master key in " + MasterKeyHeader}
	}
	return nil
}

// Handler serves next only to requests Check accepts; others get the refusal
// as text/plain, with a Basic-auth challenge on 401 so a browser asks for the
// master key.
func (g *Guard) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ref := g.Check(r); ref != nil {
			Refuse(w, ref)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Refuse writes ref as the answer.
func Refuse(w http.ResponseWriter, ref *Refusal) {
	if ref.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="bmobemu (password: the master key)", charset="UTF-8"`)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(ref.Status)
	_, _ = fmt.Fprintln(w, ref.Reason)
}

// masterKeyOf reports whether r carries the master key (and whether in the
// header rather than as Basic credentials), and whether it carries a key that
// is wrong. With no master key configured nothing matches.
func (g *Guard) masterKeyOf(r *http.Request) (has, inHeader, wrong bool) {
	got := r.Header.Get(MasterKeyHeader)
	inHeader = got != ""
	if got == "" {
		if _, pw, ok := r.BasicAuth(); ok {
			got = pw
		}
	}
	if got == "" {
		return false, false, false
	}
	if g.masterKey != "" && subtle.ConstantTimeCompare([]byte(got), []byte(g.masterKey)) == 1 {
		return true, inHeader, false
	}
	return false, false, true
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// isFormType reports whether ct is one of the content types a cross-site HTML
// form (or a no-preflight fetch) can send.
func isFormType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	switch mt {
	case "application/x-www-form-urlencoded", "multipart/form-data", "text/plain":
		return true
	}
	return false
}

// sameHost reports whether an Origin header names host (host[:port]). The
// scheme is not compared: behind a TLS proxy the server sees plain HTTP.
func sameHost(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false // includes "null", sent by sandboxed frames and file: pages
	}
	return strings.EqualFold(u.Host, host) || strings.EqualFold(withDefaultPort(u), host)
}

// withDefaultPort spells an origin's host with its scheme's port, for a Host
// header that names it.
func withDefaultPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// IsLoopbackAddr reports whether a listen address ("host:port") only accepts
// connections from this machine. An empty or wildcard host is not loopback.
func IsLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	return IsLoopbackHost(host)
}

// IsLoopbackHost reports whether host (no port) names the loopback interface:
// localhost, *.localhost, 127.0.0.0/8 or ::1.
func IsLoopbackHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// hostOnly strips the port from a Host header.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}
