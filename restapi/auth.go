package restapi

import (
	"context"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bmobemu/bmobemu/store"
)

// Header names the API reads (matched case-insensitively).
const (
	HeaderMasterKey    = "X-Bmob-Master-Key"
	HeaderSessionToken = "X-Bmob-Session-Token"
)

// caller is who a request acts as: the application's credentials are checked
// first (clientAccess, for client requests), then the user is resolved.
type caller struct {
	master bool
	userID string // "" for an anonymous request
	token  string
	roles  []string // role names, resolved on first use
	loaded bool
}

// Bmob's texts for the errors of this file.
const (
	msgNotLoggedIn = "用户请先登录，或者用户登录已过期需要重新登录"
	msgUserTable   = "无权限操作用户表，应用初始化时，请传入MasterKey"
	msgPermission  = "权限验证不通过"
)

// header reads a request header whatever the case of its name (callers
// in-process may build headers without canonical keys).
func header(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// unauthorized is Bmob's 401 answer, {"error":"unauthorized"}; why, when set,
// goes to the X-Bmobemu-Unauthorized header and the log.
type unauthorized struct{ why string }

func (unauthorized) Error() string { return "unauthorized" }

// caller resolves the request's master key and session token. A wrong master
// key is a 401; an unknown or expired session token is 211.
func (a *API) caller(ctx context.Context, req Request) (*caller, error) {
	c := &caller{}
	if mk := header(req.Header, HeaderMasterKey); mk != "" {
		if !equal(mk, a.keys.MasterKey) {
			return nil, unauthorized{}
		}
		c.master = true
	}
	tok := header(req.Header, HeaderSessionToken)
	if tok == "" {
		return c, nil
	}
	sess, ok, err := a.store.Session(ctx, tok)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, store.Errorf(211, msgNotLoggedIn)
	}
	c.userID, c.token = sess.UserID, tok
	return c, nil
}

// roleNames returns the names of the caller's roles: those whose users
// relation holds the caller, and the roles whose roles relation holds one of
// those (a child role inherits its parent's rights).
func (a *API) roleNames(ctx context.Context, c *caller) ([]string, error) {
	if c.loaded || c.userID == "" {
		return c.roles, nil
	}
	seen := map[string]bool{}
	where := map[string]any{"users": pointer("_User", c.userID)}
	for range 64 { // a bound on the inheritance depth; cycles end earlier
		res, err := a.store.Find(ctx, "_Role", store.Query{Where: where, Limit: store.MaxLimit, Keys: []string{"name"}})
		if err != nil {
			return nil, err
		}
		var next []any
		for _, r := range res.Results {
			id, _ := r["objectId"].(string)
			if seen[id] {
				continue
			}
			seen[id] = true
			if name, ok := r["name"].(string); ok {
				c.roles = append(c.roles, name)
			}
			next = append(next, pointer("_Role", id))
		}
		if len(next) == 0 {
			break
		}
		where = map[string]any{"roles": map[string]any{"$in": next}}
	}
	c.loaded = true
	return c.roles, nil
}

func pointer(class, id string) map[string]any {
	return map[string]any{"__type": "Pointer", "className": class, "objectId": id}
}

// allowed reports whether the caller may read or write ("read", "write") an
// object with this ACL field. No ACL means public; the master key passes all.
func (a *API) allowed(ctx context.Context, c *caller, acl any, perm string) (bool, error) {
	if c.master || acl == nil {
		return true, nil
	}
	m, ok := acl.(map[string]any)
	if !ok {
		return true, nil // not an ACL the store would have accepted; treat as none
	}
	grants := func(who string) bool {
		p, _ := m[who].(map[string]any)
		v, _ := p[perm].(bool)
		return v
	}
	if grants("*") || c.userID != "" && grants(c.userID) {
		return true, nil
	}
	roles, err := a.roleNames(ctx, c)
	if err != nil {
		return false, err
	}
	for _, r := range roles {
		if grants("role:" + r) {
			return true, nil
		}
	}
	return false, nil
}

// readable is the clause that narrows a find to the objects the caller may
// read (nil for the master key). The anonymous caller's is compiled once, in
// New: it is the same for every find.
func (a *API) readable(ctx context.Context, c *caller) (*store.Clause, error) {
	if c.master {
		return nil, nil
	}
	if c.userID == "" && a.anonymousRead != nil {
		return a.anonymousRead, nil
	}
	who := []string{"*"}
	if c.userID != "" {
		who = append(who, c.userID)
		roles, err := a.roleNames(ctx, c)
		if err != nil {
			return nil, err
		}
		for _, r := range roles {
			who = append(who, "role:"+r)
		}
	}
	return store.CompileClause(readRule(who))
}

// readRule is a where clause over the ACL field: the objects with no ACL, or
// whose ACL lets one of who read.
func readRule(who []string) map[string]any {
	or := []any{map[string]any{"ACL": nil}} // matches a missing or null ACL
	for _, w := range who {
		or = append(or, map[string]any{"ACL." + w + ".read": true})
	}
	return map[string]any{"$or": or}
}

// checkACL loads the ACL of one object and fails with 122 when the caller
// lacks perm (101 when the object does not exist).
func (a *API) checkACL(ctx context.Context, c *caller, class, id, perm string) error {
	if c.master {
		return nil
	}
	obj, err := a.store.Get(ctx, class, id, store.GetOptions{Keys: []string{"ACL"}})
	if err != nil {
		return err
	}
	ok, err := a.allowed(ctx, c, obj["ACL"], perm)
	if err != nil {
		return err
	}
	if !ok {
		return store.Errorf(122, msgPermission)
	}
	return nil
}

// DefaultSignWindow is how far X-Bmob-Safe-Timestamp may be from the server's
// clock (docs/fidelity.md#keys-and-signatures: skew under 10 s).
const DefaultSignWindow = 10 * time.Second

// access is what a client request's application credentials allow.
type access int

const (
	accessDenied  access = iota
	accessSigned         // a public client: secret key and a valid safe-sign
	accessAppKeys        // application id and REST API key
	accessMaster         // the master key
)

// clientAccess checks the application credentials of a client request
// (docs/fidelity.md#keys-and-signatures) and returns the access they give, or accessDenied and why.
// path is the request path as sent (no query); body is ignored for GET and
// DELETE as the SDK signs them with an empty body. The user (session token)
// is resolved later, by caller.
func (a *API) clientAccess(method, path string, h http.Header, body []byte) (access, string) {
	level := accessDenied
	if mk := h.Get(HeaderMasterKey); mk != "" {
		if !equal(mk, a.keys.MasterKey) {
			return accessDenied, "wrong master key"
		}
		level = accessMaster
	}
	if id := h.Get("X-Bmob-Application-Id"); id != "" && !equal(id, a.keys.AppID) {
		return accessDenied, "wrong application id"
	}
	if h.Get("X-Bmob-Safe-Sign") != "" || h.Get("X-Bmob-Secret-Key") != "" {
		if why := a.checkSign(method, path, h, body); why != "" {
			return accessDenied, why
		}
		return max(level, accessSigned), ""
	}
	if level == accessMaster {
		return accessMaster, ""
	}
	if h.Get("X-Bmob-Application-Id") == "" {
		return accessDenied, "no keys: send X-Bmob-Application-Id and X-Bmob-REST-API-Key, X-Bmob-Master-Key, or the JS SDK's safe-sign headers"
	}
	if rk := h.Get("X-Bmob-REST-API-Key"); !equal(rk, a.keys.RESTKey) {
		if rk == "" {
			return accessDenied, "missing X-Bmob-REST-API-Key"
		}
		return accessDenied, "wrong REST API key"
	}
	return accessAppKeys, ""
}

// checkSign verifies the JS SDK's encrypted-request headers:
// X-Bmob-Safe-Sign = md5(path + timestamp + security code + nonce + body + SDK version),
// and that the nonce was not used before within the window.
func (a *API) checkSign(method, path string, h http.Header, body []byte) string {
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
	if d := now.Sub(sent); d > a.signWindow || d < -a.signWindow {
		return "stale X-Bmob-Safe-Timestamp: " + d.Round(time.Second).String() + " from the server's clock (window " + a.signWindow.String() + ")"
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
	return a.useNonce(nonce, sent.Add(a.signWindow), now)
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

// IsMasterKey reports whether key is the app's master key, for routes outside
// /1 and /2 that need it (the server's backup).
func (a *API) IsMasterKey(key string) bool { return equal(key, a.keys.MasterKey) }
