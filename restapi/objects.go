package restapi

import (
	"context"
	"net/http"
	"net/url"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/store"
)

// answer is what a handler returns.
type answer struct {
	body   any
	status int
	header http.Header
}

// handlerOf adapts a handler that works on a resolved caller.
func (a *API) handlerOf(fn func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error)) handler {
	return func(ctx context.Context, req Request, p map[string]string) (any, int, http.Header, error) {
		c, err := a.caller(ctx, req)
		if err != nil {
			return nil, 0, nil, err
		}
		ans, err := fn(ctx, c, req, p)
		if err != nil {
			return nil, 0, nil, err
		}
		if ans.status == 0 {
			ans.status = http.StatusOK
		}
		return ans.body, ans.status, ans.header, nil
	}
}

func ok(v any, err error) (answer, error) { return answer{body: v}, err }

// msgOK is the {"msg":"ok"} answer of deletes and user actions.
func msgOK() map[string]any { return map[string]any{"msg": "ok"} }

// classRoutes are /1/classes (docs/fidelity.md#endpoints). _User and _Role keep the rules
// of /1/users and /1/roles on this path too.
func (a *API) classRoutes() []route {
	return []route{
		{http.MethodPost, "/1/classes/:class", a.handlerOf(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			cr, err := a.Create(ctx, callerOf(c, req), p["class"], requestBody(req))
			if err != nil {
				return answer{}, err
			}
			return cr.answer(), nil
		})},
		{http.MethodGet, "/1/classes/:class/:id", a.handlerOf(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.getObject(ctx, c, p["class"], p["id"], req.Query))
		})},
		{http.MethodGet, "/1/classes/:class", a.handlerOf(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			query, err := parseQuery(req.Query)
			if err != nil {
				return answer{}, err
			}
			return ok(a.Find(ctx, callerOf(c, req), p["class"], query))
		})},
		{http.MethodPut, "/1/classes/:class/:id", a.handlerOf(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.Update(ctx, callerOf(c, req), p["class"], p["id"], requestBody(req)))
		})},
		{http.MethodDelete, "/1/classes/:class/:id", a.handlerOf(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.Delete(ctx, callerOf(c, req), p["class"], p["id"]))
		})},
		{http.MethodPut, "/1/classes/:class", noObjectID},
		{http.MethodDelete, "/1/classes/:class", noObjectID},
	}
}

// noObjectID answers an update or delete without an objectId in the path.
func noObjectID(context.Context, Request, map[string]string) (any, int, http.Header, error) {
	return nil, 0, nil, store.Errorf(103, "objectId required.")
}

// createIn creates an object of any class with that class's rules: a _User
// signs up, a _Role needs a valid name.
func (a *API) createIn(ctx context.Context, class string, data map[string]any) (answer, error) {
	switch class {
	case "_User":
		return a.signUpData(ctx, data)
	case "_Role":
		return a.createRoleData(ctx, data)
	}
	return a.insert(ctx, class, data, "/1/classes/"+url.PathEscape(class)+"/")
}

// createObject inserts the body; location is the prefix of the Location header.
func (a *API) createObject(ctx context.Context, class string, req Request, location string) (answer, error) {
	data, err := jsonBody(req)
	if err != nil {
		return answer{}, err
	}
	return a.insert(ctx, class, data, location)
}

func (a *API) insert(ctx context.Context, class string, data map[string]any, location string) (answer, error) {
	cr, err := a.store.Create(ctx, class, data)
	if err != nil {
		return answer{}, err
	}
	return (&Created{ObjectID: cr.ObjectID, CreatedAt: bjtime.Format(cr.CreatedAt), Location: location + cr.ObjectID}).answer(), nil
}

func (a *API) getObject(ctx context.Context, c *caller, class, id string, q url.Values) (Object, error) {
	return a.Get(ctx, &Caller{c: c}, class, id, store.GetOptions{Keys: list(q, "keys"), Include: list(q, "include")})
}

func (a *API) findObjects(ctx context.Context, c *caller, class string, q url.Values) (*Found, error) {
	query, err := parseQuery(q)
	if err != nil {
		return nil, err
	}
	return a.runFind(ctx, c, class, query)
}

// runFind runs a query as the caller sees it: objects it may not read are left out.
func (a *API) runFind(ctx context.Context, c *caller, class string, query store.Query) (*Found, error) {
	var err error
	if query.And, err = a.readable(ctx, c); err != nil {
		return nil, err
	}
	res, err := a.store.Find(ctx, class, query)
	if err != nil {
		return nil, err
	}
	return &Found{Results: res.Results, Count: res.Count, Counted: query.Count, Groups: res.Groups}, nil
}

func (a *API) updateObject(ctx context.Context, c *caller, class, id string, req Request) (*Updated, error) {
	data, err := jsonBody(req)
	if err != nil {
		return nil, err
	}
	return a.update(ctx, c, class, id, data)
}

func (a *API) update(ctx context.Context, c *caller, class, id string, data map[string]any) (*Updated, error) {
	if err := a.checkACL(ctx, c, class, id, "write"); err != nil {
		return nil, err
	}
	t, err := a.store.Update(ctx, class, id, data)
	if err != nil {
		return nil, err
	}
	return &Updated{UpdatedAt: bjtime.Format(t)}, nil
}

func (a *API) deleteObject(ctx context.Context, c *caller, class, id string) (Done, error) {
	if err := a.checkACL(ctx, c, class, id, "write"); err != nil {
		return Done{}, err
	}
	if err := a.store.Delete(ctx, class, id); err != nil {
		return Done{}, err
	}
	return Done{}, nil
}
