package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/restapi/bql"
	"github.com/bmobemu/bmobemu/store"
)

// cloudQueryRoutes is GET /1/cloudQuery?bql=…&values=[…]: a select answers
// like a find ({"results":[…]} plus "count" for count(*)); insert, update and
// delete answer like POST, PUT and DELETE on /1/classes, with the same rules.
func (a *API) cloudQueryRoutes() []route {
	return []route{{http.MethodGet, "/1/cloudQuery", a.handlerOf(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
		return a.cloudQuery(ctx, c, req.Query)
	})}}
}

func (a *API) cloudQuery(ctx context.Context, c *caller, q url.Values) (answer, error) {
	src := q.Get("bql")
	if src == "" {
		return answer{}, store.Errorf(118, "param %s is need.", "bql")
	}
	var values []any
	if text := q.Get("values"); text != "" {
		if err := json.Unmarshal([]byte(text), &values); err != nil {
			return answer{}, store.Errorf(107, "invalid json: %s.", Echo(text))
		}
	}
	st, err := bql.Parse(src, values, a.store.Now().In(bjtime.Location))
	if err != nil {
		var be *bql.Error
		if errors.As(err, &be) {
			return answer{}, store.Errorf(601, "Invalid bql:%s", be.Msg)
		}
		return answer{}, err
	}
	switch st.Kind {
	case bql.Insert:
		return a.createIn(ctx, st.Class, st.Data)
	case bql.Update:
		if st.Class == "_User" {
			if err := mayAlterUser(c, st.ObjectID); err != nil {
				return answer{}, err
			}
			return ok(a.update(ctx, &caller{master: true}, "_User", st.ObjectID, st.Data))
		}
		if st.Class == "_Role" {
			if _, renamed := st.Data["name"]; renamed {
				return answer{}, store.Errorf(136, "%s cannot be changed by this operation", "name")
			}
		}
		return ok(a.update(ctx, c, st.Class, st.ObjectID, st.Data))
	case bql.Delete:
		if st.Class == "_User" {
			return ok(a.deleteUser(ctx, c, st.ObjectID))
		}
		return ok(a.deleteObject(ctx, c, st.Class, st.ObjectID))
	}
	return ok(a.runFind(ctx, c, st.Class, store.Query{
		Where: st.Where, Keys: st.Keys, Include: st.Include, Order: st.Order,
		Limit: st.Limit, Skip: st.Skip, Count: st.Count,
	}))
}
