package restapi

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/bmobemu/bmobemu/store"
)

// Header names the API reads (matched case-insensitively).
const (
	HeaderMasterKey    = "X-Bmob-Master-Key"
	HeaderSessionToken = "X-Bmob-Session-Token"
)

// caller is who a request acts as. The HTTP layer has already authenticated
// the application; restapi resolves the user.
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

// unauthorized is Bmob's 401 answer, {"error":"unauthorized"}.
type unauthorized struct{}

func (unauthorized) Error() string { return "unauthorized" }

// caller resolves the request's master key and session token. A wrong master
// key is a 401; an unknown or expired session token is 211.
func (a *API) caller(ctx context.Context, req Request) (*caller, error) {
	c := &caller{}
	if mk := header(req.Header, HeaderMasterKey); mk != "" {
		if a.masterKey == "" || subtle.ConstantTimeCompare([]byte(mk), []byte(a.masterKey)) != 1 {
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

// readableWhere narrows a find to the objects the caller may read, as a where
// clause over the ACL field (nil for the master key).
func (a *API) readableWhere(ctx context.Context, c *caller, where map[string]any) (map[string]any, error) {
	if c.master {
		return where, nil
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
	or := []any{map[string]any{"ACL": nil}} // matches a missing or null ACL
	for _, w := range who {
		or = append(or, map[string]any{"ACL." + w + ".read": true})
	}
	acl := map[string]any{"$or": or}
	if len(where) == 0 {
		return acl, nil
	}
	return map[string]any{"$and": []any{where, acl}}, nil
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
