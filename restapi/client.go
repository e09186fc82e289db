package restapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Client requests: what arrives over HTTP under /1 and /2. ServeClient is the
// whole REST front: CORS, preflights, body limits, legacy tunnelling, the
// application's keys or the JS SDK's safe-sign, then the routes, with the
// request marked as a client's (the data hook sees it). The HTTP server only
// copies a request in and the Response out.

// DefaultBodyLimit is Bmob's request body limit, 0.2 MB (bmob-api.md §7).
const DefaultBodyLimit = 200 * 1024

// DefaultFileBodyLimit bounds file uploads (POST /2/files/…), 10 MB as Bmob's SDKs.
const DefaultFileBodyLimit = 10 << 20

// HeaderUnauthorized says why a client request got a 401.
const HeaderUnauthorized = "X-Bmobemu-Unauthorized"

// WithKeys sets the application's credentials client requests are checked
// against (ServeClient); its master key is also WithMasterKey's.
func WithKeys(k Keys) Option { return func(a *API) { a.keys = k } }

// WithSignWindow sets how far a safe-sign timestamp may be from the clock
// (default DefaultSignWindow).
func WithSignWindow(d time.Duration) Option { return func(a *API) { a.signWindow = d } }

// WithClock sets the clock safe-sign timestamps are checked against (default
// time.Now).
func WithClock(now func() time.Time) Option { return func(a *API) { a.now = now } }

// WithBodyLimits bounds client request bodies in bytes: body for every route,
// files for uploads (POST /2/files/…); 0 keeps DefaultBodyLimit or
// DefaultFileBodyLimit.
func WithBodyLimits(body, files int) Option {
	return func(a *API) { a.bodyLimit, a.fileBodyLimit = body, files }
}

// BodyLimit is the most bytes a client request's body may have on this route,
// for a server that refuses bigger bodies before reading them.
func (a *API) BodyLimit(method, path string) int {
	if method == http.MethodPost && strings.HasPrefix(path, "/2/files/") {
		return a.fileBodyLimit
	}
	return a.bodyLimit
}

// MaxBodyLimit is the largest of the body limits, for a server that must
// accept bodies that big at all.
func (a *API) MaxBodyLimit() int { return max(a.bodyLimit, a.fileBodyLimit) }

// TooLarge is the answer to a client request whose body is over limit bytes.
func TooLarge(limit int) Response {
	resp := jsonResponse(http.StatusRequestEntityTooLarge, map[string]any{"code": http.StatusRequestEntityTooLarge,
		"error": fmt.Sprintf("request body larger than the limit of %d bytes", limit)})
	allowCORS(resp.Header)
	return resp
}

// ServeClient answers one client request. req.Path is the path as sent, not
// unescaped (the safe-sign covers it), without the query; req.Header and
// req.Body must not be shared with the caller (tunnelling rewrites them).
func (a *API) ServeClient(ctx context.Context, req Request, from Client) Response {
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if req.Method == http.MethodOptions {
		return preflight(req.Header)
	}
	if limit := a.BodyLimit(req.Method, req.Path); len(req.Body) > limit {
		return TooLarge(limit)
	}
	untunnel(&req)
	level, why := a.clientAccess(req.Method, req.Path, req.Header, req.Body)
	if level == accessDenied && isPublicFile(req) {
		level = accessSigned // a file's URL is public, as on Bmob's CDN: browsers fetch it without keys
	}
	var resp Response
	if level == accessDenied {
		resp = a.refuse(req, why)
	} else {
		resp = a.Serve(WithClient(ctx, from), req)
	}
	allowCORS(resp.Header)
	return resp
}

// refuse is Bmob's 401 answer to a client, its reason in a header and the log.
func (a *API) refuse(req Request, why string) Response {
	a.logf("warn", "401 %s %s: %s", req.Method, req.Path, why)
	resp := jsonResponse(http.StatusUnauthorized, map[string]any{"error": "unauthorized"})
	resp.Header.Set(HeaderUnauthorized, why)
	return resp
}

// isPublicFile is a GET of an uploaded file's URL (/2/files/<cdn>/<path>).
func isPublicFile(req Request) bool {
	return (req.Method == http.MethodGet || req.Method == http.MethodHead) && strings.HasPrefix(req.Path, "/2/files/")
}

// allowCORS lets browsers and mini-program devtools read REST answers.
func allowCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Location, "+HeaderUnauthorized)
}

// defaultPreflightHeaders are the request headers a preflight allows when the
// page does not say which it will send: Bmob's own and the SDKs'.
const defaultPreflightHeaders = "Content-Type, X-Bmob-Application-Id, X-Bmob-REST-API-Key, X-Bmob-Master-Key, X-Bmob-Session-Token, " +
	"X-Bmob-Safe-Sign, X-Bmob-Safe-Timestamp, X-Bmob-Noncestr-Key, X-Bmob-Secret-Key, X-Bmob-SDK-Type, X-Bmob-SDK-Version"

// preflight answers a CORS preflight for any REST path: every method the API
// has and whatever headers the page asks to send. The body is fasthttp's
// status text, which a 204 never sends.
func preflight(reqHeader http.Header) Response {
	h := http.Header{}
	allowCORS(h)
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
	headers := reqHeader.Get("Access-Control-Request-Headers")
	if headers == "" {
		headers = defaultPreflightHeaders
	}
	h.Set("Access-Control-Allow-Headers", headers)
	h.Set("Access-Control-Max-Age", "86400")
	return Response{Status: http.StatusNoContent, Header: h}
}

// headerOrder is the order REST answers write these headers in, before any
// other (then sorted by name), so answers are the same bytes every time.
var headerOrder = []string{
	"Access-Control-Allow-Origin", "Access-Control-Expose-Headers",
	"Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age",
}

// VisitHeaders calls fn for each header value of h in the order an answer
// writes them: the CORS headers first, in a fixed order, then the others
// sorted by name. It allocates nothing for an answer's usual few headers.
func VisitHeaders(h http.Header, fn func(name, value string)) {
	var buf [8]string
	for _, k := range sortHeaderNames(h, buf[:0]) {
		for _, v := range h[k] {
			fn(k, v)
		}
	}
}

// sortHeaderNames appends h's names to names and sorts them as VisitHeaders
// visits them.
func sortHeaderNames(h http.Header, names []string) []string {
	for k := range h {
		names = append(names, k)
	}
	slices.SortFunc(names, func(x, y string) int {
		if rx, ry := headerRank(x), headerRank(y); rx != ry {
			return rx - ry
		}
		return strings.Compare(x, y)
	})
	return names
}

// headerRank is a name's place in headerOrder, or after all of them.
func headerRank(k string) int {
	if i := slices.Index(headerOrder, k); i >= 0 {
		return i
	}
	return len(headerOrder)
}
