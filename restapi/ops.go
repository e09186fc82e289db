package restapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/bmobemu/bmobemu/store"
)

// The typed operations: what the /1/classes and /1/users routes do, callable
// in-process with a resolved caller and typed arguments (modules.oData calls
// them directly). Each answers a typed result whose JSON method is the exact
// text the route answers, built only when someone needs it; errors are the
// route's errors, rendered by ErrorJSON. The routes call the same operations,
// so a call made either way answers byte for byte the same.

// Caller is who an operation acts as: the master key, a session's user, or
// anonymous, resolved once from request headers (API.CallerFrom).
type Caller struct {
	c *caller
	// sdk: statistics answers are wrapped as {"results":[…]} (statshape.go).
	sdk bool
}

// CallerFrom resolves the X-Bmob-Master-Key and X-Bmob-Session-Token headers
// of h as every route does: a wrong master key is REST's 401, an unknown or
// expired session token 211.
func (a *API) CallerFrom(ctx context.Context, h http.Header) (*Caller, error) {
	req := Request{Header: h}
	c, err := a.caller(ctx, req)
	if err != nil {
		return nil, err
	}
	return &Caller{c: c, sdk: clientOf(req).sdk}, nil
}

// callerOf wraps a route's resolved caller.
func callerOf(c *caller, req Request) *Caller { return &Caller{c: c, sdk: clientOf(req).sdk} }

// Body is the JSON object body of a write: its fields, or the 107 error its
// text gave, which the operation reports at the point the route does (after
// the caller's rights, for a user update).
type Body struct {
	data map[string]any
	err  error
}

// ParseBody decodes a JSON object body as the routes do ("invalid json: …"
// for anything but one JSON object).
func ParseBody(text []byte) Body {
	data, err := decodeObject(text)
	return Body{data: data, err: err}
}

// requestBody is a route's body, its Content-Type checked.
func requestBody(req Request) Body {
	data, err := jsonBody(req)
	return Body{data: data, err: err}
}

func (b Body) fields() (map[string]any, error) { return b.data, b.err }

// ParseQuery reads find parameters as GET /1/classes/<T> does (where and having
// as JSON text, limit and skip as numbers, lists comma-separated); unknown
// parameters are ignored.
func ParseQuery(q url.Values) (store.Query, error) { return parseQuery(q) }

// ErrorJSON is the JSON text REST answers for err ({"code","error"}, or a
// 401's {"error":"unauthorized"}).
func ErrorJSON(err error) []byte { return errorResponse(err).Body }

// Create is POST /1/classes/<class>: a _User signs up, a _Role needs a valid
// name, any other class gets the object.
func (a *API) Create(ctx context.Context, c *Caller, class string, body Body) (*Created, error) {
	data, err := body.fields()
	if err != nil {
		return nil, err
	}
	ans, err := a.createIn(ctx, class, data)
	if err != nil {
		return nil, err
	}
	return createdOf(ans), nil
}

// Get is GET /1/classes/<class>/<id> (and /1/users/<id>): the object, if the
// caller may read it.
func (a *API) Get(ctx context.Context, c *Caller, class, id string, opt store.GetOptions) (Object, error) {
	if err := a.checkACL(ctx, c.c, class, id, "read"); err != nil {
		return nil, err
	}
	return a.store.Get(ctx, class, id, opt)
}

// Find is GET /1/classes/<class>: the objects the caller may read.
// Statistics come back as a bare array, or under "results" for an SDK caller.
func (a *API) Find(ctx context.Context, c *Caller, class string, q store.Query) (*Found, error) {
	f, err := a.runFind(ctx, c.c, class, q)
	if err != nil {
		return nil, err
	}
	f.wrapGroups = c.sdk
	return f, nil
}

// FindUsers is GET /1/users: like Find on _User, statistics always bare.
func (a *API) FindUsers(ctx context.Context, c *Caller, q store.Query) (*Found, error) {
	return a.runFind(ctx, c.c, "_User", q)
}

// Update is PUT /1/classes/<class>/<id>, with the rules of /1/users for _User
// and /1/roles for _Role.
func (a *API) Update(ctx context.Context, c *Caller, class, id string, body Body) (*Updated, error) {
	switch class {
	case "_User":
		return a.updateUser(ctx, c.c, id, body)
	case "_Role":
		return a.updateRole(ctx, c.c, id, body)
	}
	data, err := body.fields()
	if err != nil {
		return nil, err
	}
	return a.update(ctx, c.c, class, id, data)
}

// Delete is DELETE /1/classes/<class>/<id> (a _User only by itself or the
// master key).
func (a *API) Delete(ctx context.Context, c *Caller, class, id string) (Done, error) {
	if class == "_User" {
		return a.deleteUser(ctx, c.c, id)
	}
	return a.deleteObject(ctx, c.c, class, id)
}

// SignUp is POST /1/users.
func (a *API) SignUp(ctx context.Context, c *Caller, body Body) (*Created, error) {
	data, err := body.fields()
	if err != nil {
		return nil, err
	}
	ans, err := a.signUpData(ctx, data)
	if err != nil {
		return nil, err
	}
	return createdOf(ans), nil
}

// Login is GET or POST /1/login with these fields (username, email,
// mobilePhoneNumber, password): the user with a new sessionToken.
func (a *API) Login(ctx context.Context, c *Caller, fields map[string]any) (Object, error) {
	return a.login(ctx, fields)
}

// UpdateUser is PUT /1/users/<id>: only the user's own session or the master key.
func (a *API) UpdateUser(ctx context.Context, c *Caller, id string, body Body) (*Updated, error) {
	return a.updateUser(ctx, c.c, id, body)
}

// DeleteUser is DELETE /1/users/<id>.
func (a *API) DeleteUser(ctx context.Context, c *Caller, id string) (Done, error) {
	return a.deleteUser(ctx, c.c, id)
}

// RequestPasswordReset is POST /1/requestPasswordReset.
func (a *API) RequestPasswordReset(ctx context.Context, c *Caller, body Body) (Done, error) {
	return a.emailRequest(ctx, "passwordReset", body)
}

// RequestEmailVerify is POST /1/requestEmailVerify.
func (a *API) RequestEmailVerify(ctx context.Context, c *Caller, body Body) (Done, error) {
	return a.emailRequest(ctx, "emailVerify", body)
}
