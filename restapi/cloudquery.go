package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/restapi/bql"
	"github.com/bmobemu/bmobemu/store"
)

// cloudQueryRoutes is GET /1/cloudQuery?bql=…&values=[…]: a select answers
// like a find ({"results":[…]} plus "count" for count(*)); insert, update and
// delete answer like POST, PUT and DELETE on /1/classes, with the same rules.
func (a *API) cloudQueryRoutes() []route {
	return []route{{http.MethodGet, "/1/cloudQuery", a.handlerOf(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
		return a.cloudQuery(ctx, c, req)
	})}}
}

func (a *API) cloudQuery(ctx context.Context, c *caller, req Request) (answer, error) {
	q := req.Query
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
	if err := a.passBQLHook(ctx, req, st); err != nil {
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

// passBQLHook shows a client's BQL statement to the data hook as the
// operation it is (select is a query) and applies the hook's data: an insert's
// fields, an update's "$set", a select's "where".
func (a *API) passBQLHook(ctx context.Context, req Request, st *bql.Statement) error {
	op, data := "query", map[string]any{"bql": req.Query.Get("bql")}
	switch st.Kind {
	case bql.Insert:
		op, data = "create", st.Data
	case bql.Update:
		op, data = "update", map[string]any{"$set": st.Data, "objectId": st.ObjectID}
	case bql.Delete:
		op, data = "delete", map[string]any{"objectId": st.ObjectID}
	default:
		if st.Where != nil {
			data["where"] = st.Where
		}
	}
	out, err := a.passHook(ctx, req, st.Class, op, data)
	if err != nil || out == nil {
		return err
	}
	switch st.Kind {
	case bql.Insert:
		st.Data = out
	case bql.Update:
		set, isObj := out["$set"].(map[string]any)
		if !isObj {
			return hookFailed(fmt.Errorf("its data for an update has no \"$set\" object: %s", mustEncode(out)))
		}
		st.Data = set
	case bql.Delete:
	default:
		if w, isObj := out["where"].(map[string]any); isObj {
			st.Where = w
		}
	}
	return nil
}
