package bmob

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/store"
)

// queryKeys are the options of find that become query parameters besides where.
var queryKeys = map[string]bool{
	"keys": true, "order": true, "limit": true, "skip": true, "count": true, "include": true,
	"groupby": true, "sum": true, "average": true, "max": true, "min": true, "having": true, "groupcount": true,
}

// NewData returns a constructor for modules.oData on api. Every call is one of
// restapi's typed operations, made in-process, answered to the callback as (null,
// JSON text) even for REST errors, exactly as Bmob's module does over HTTP.
// Besides the object methods it has Bmob's user methods (users.go); setHeader's
// headers (a session token, the master key) belong to the modules object of one
// call.
//
// The methods are made once per VM (dataVM); each call's oData is a fresh object
// holding them, so a script's changes to it last one call, as before.
func NewData(api *restapi.API) modules.Constructor {
	return func(vu modules.VU) (goja.Value, error) {
		st := stateOf(vu)
		dv := st.data[api]
		if dv == nil {
			dv = newDataVM(vu, api)
			st.data[api] = dv
		}
		return dv.object(), nil
	}
}

// dataVM is oData's per-VM part: its methods, shared by every call's oData
// object, which find the object's own headers through `this`.
type dataVM struct {
	client
	names []string
	fns   []goja.Value
	find  goja.Value // tells an oData object from another `this`
	// last is the most recent oData object, whose headers a method called
	// without an oData `this` (const {find} = modules.oData) uses.
	last *goja.Object
}

// headersSymbol keeps the headers setHeader gave an oData object.
var headersSymbol = goja.NewSymbol("bmobemu.oData.headers")

func newDataVM(vu modules.VU, api *restapi.API) *dataVM {
	dv := &dataVM{client: client{vu: vu, api: api, pool: newWorkers()}}
	methods := []struct {
		name string
		fn   func(h http.Header, c goja.FunctionCall) goja.Value
	}{
		{"find", dv.findObjects}, {"findOne", dv.findOne}, {"insert", dv.insert}, {"update", dv.update}, {"remove", dv.remove},
		{"userSignUp", dv.userSignUp}, {"userLogin", dv.userLogin}, {"userRestPassword", dv.userRestPassword},
		{"getUserByObjectId", dv.getUserByObjectID}, {"updateUserByObjectId", dv.updateUserByObjectID},
		{"removeUserByObjectId", dv.removeUserByObjectID}, {"getAllUser", dv.getAllUser},
		{"requestEmailVerify", dv.requestEmailVerify},
	}
	vm := vu.Runtime()
	for _, m := range methods {
		fn := m.fn
		dv.names = append(dv.names, m.name)
		dv.fns = append(dv.fns, vm.ToValue(func(c goja.FunctionCall) goja.Value {
			return fn(dv.headersOf(c.This, false), c)
		}))
	}
	dv.find = dv.fns[0]
	dv.names = append(dv.names, "setHeader", "getHeader")
	dv.fns = append(dv.fns,
		vm.ToValue(func(c goja.FunctionCall) goja.Value {
			h := dv.headersOf(c.This, true)
			return (&client{vu: vu, headers: h}).setHeader(c)
		}),
		vm.ToValue(func(c goja.FunctionCall) goja.Value {
			return (&client{vu: vu, headers: dv.headersOf(c.This, false)}).getHeader(c)
		}))
	return dv
}

// object is one call's oData.
func (dv *dataVM) object() *goja.Object {
	o := dv.vu.Runtime().NewObject()
	for i, name := range dv.names {
		_ = o.Set(name, dv.fns[i])
	}
	dv.last = o
	return o
}

// headersOf is the headers of the oData object this (or of the latest one
// when this is none), made when create is set; nil means none.
func (dv *dataVM) headersOf(this goja.Value, create bool) http.Header {
	obj, _ := this.(*goja.Object)
	if obj == nil || obj.Get("find") != dv.find {
		obj = dv.last
	}
	if obj == nil {
		return nil
	}
	if v := obj.GetSymbol(headersSymbol); v != nil {
		if h, ok := v.Export().(http.Header); ok {
			return h
		}
	}
	if !create {
		return nil
	}
	h := http.Header{}
	_ = obj.DefineDataPropertySymbol(headersSymbol, dv.vu.Runtime().ToValue(h), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE)
	return h
}

// jsoner is a typed result.
type jsoner interface{ JSON() ([]byte, error) }

// textOf is a result's text, or the error REST answers.
func textOf[T jsoner](v T, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	b, err := v.JSON()
	if err != nil {
		return nil, fmt.Errorf("encode response: %w", err)
	}
	return b, nil
}

// objectText is an object's text, or the error REST answers.
func objectText(o restapi.Object, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	b, err := restapi.Encode(o)
	if err != nil {
		return nil, fmt.Errorf("encode response: %w", err)
	}
	return b, nil
}

// legacy sends a request through the REST router: for a table or objectId
// that is empty, whose path the router reads its own way (an empty objectId
// drops out of the path), so the answer stays the router's.
func (dv *dataVM) legacy(cb goja.Callable, h http.Header, req restapi.Request) {
	(&client{vu: dv.vu, api: dv.api, headers: h, pool: dv.pool}).call(cb, req)
}

func (dv *dataVM) findObjects(h http.Header, c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "table") {
		return dv.fail(cb, codeMissing, errNoTable)
	}
	table := text(o.Get("table"))
	if table == "User" {
		table = "_User"
	}
	_ = o.Delete("table") // Bmob's module deletes it from the caller's object too
	var q url.Values
	for _, k := range o.Keys() {
		v := o.Get(k)
		switch {
		case k == "where":
			if s, ok := dv.stringify(v); ok {
				q = set(q, "where", s)
			}
		case queryKeys[k]:
			q = set(q, k, text(v))
		}
	}
	if table == "" {
		dv.legacy(cb, h, restapi.Request{Method: http.MethodGet, Path: classPath(table), Query: q})
		return goja.Undefined()
	}
	dv.typed(cb, h, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
		query, err := restapi.ParseQuery(q)
		if err != nil {
			return nil, err
		}
		return textOf(dv.api.Find(ctx, c, table, query))
	})
	return goja.Undefined()
}

func set(q url.Values, k, v string) url.Values {
	if q == nil {
		q = url.Values{}
	}
	q.Set(k, v)
	return q
}

func (dv *dataVM) findOne(h http.Header, c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "table") {
		return dv.fail(cb, codeMissing, errNoTable)
	}
	table := text(o.Get("table"))
	if !has(o, "objectId") {
		if dv.vu.Env().Profile == modules.Compat && has(o, "where") {
			return dv.findOneWhere(h, o, cb, table)
		}
		return dv.fail(cb, codeMissing, errNoObjectID)
	}
	_ = o.Delete("table")
	id := text(o.Get("objectId"))
	if table == "" || id == "" {
		dv.legacy(cb, h, restapi.Request{Method: http.MethodGet, Path: classPath(table, id)})
		return goja.Undefined()
	}
	dv.typed(cb, h, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
		return objectText(dv.api.Get(ctx, c, table, id, store.GetOptions{}))
	})
	return goja.Undefined()
}

// findOneWhere is compat extension 2: the first object matching where, as its JSON
// text, or null data when nothing matches (what the tutorials test with !data).
func (dv *dataVM) findOneWhere(h http.Header, o *goja.Object, cb goja.Callable, table string) goja.Value {
	dv.vu.Note("oData.findOne with where and no objectId answered the first match (compat)",
		"call back err {code:60001, error:'objectId is empty,so...error!'} and null data")
	where, _ := dv.stringify(o.Get("where"))
	q := url.Values{"where": {where}, "limit": {"1"}}
	if table == "" {
		dv.legacy(cb, h, restapi.Request{Method: http.MethodGet, Path: classPath(table), Query: q})
		return goja.Undefined()
	}
	dv.typed(cb, h, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
		query, err := restapi.ParseQuery(q)
		if err != nil {
			return nil, err
		}
		found, err := dv.api.Find(ctx, c, table, query)
		if err != nil {
			return nil, err
		}
		if len(found.Results) == 0 {
			return nil, nil // null data
		}
		return objectText(found.Results[0], nil)
	})
	return goja.Undefined()
}

func (dv *dataVM) insert(h http.Header, c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "table") {
		return dv.fail(cb, codeMissing, errNoTable)
	}
	if !has(o, "data") {
		return dv.fail(cb, codeMissing, errNoData)
	}
	body, ok := dv.stringify(o.Get("data"))
	if !ok {
		return dv.fail(cb, codeBadData, errBadData)
	}
	table := text(o.Get("table"))
	if table == "" {
		dv.legacy(cb, h, restapi.Request{Method: http.MethodPost, Path: classPath(table), Body: []byte(body)})
		return goja.Undefined()
	}
	dv.typed(cb, h, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
		return textOf(dv.api.Create(ctx, c, table, restapi.ParseBody([]byte(body))))
	})
	return goja.Undefined()
}

// target resolves which object(s) update/remove act on: objectId as Bmob does, and
// in compat `id` as an alias and `where` for every match (extension 2).
func (dv *dataVM) target(o *goja.Object, op string) (id string, where string, ok bool) {
	if has(o, "objectId") {
		return text(o.Get("objectId")), "", true
	}
	if dv.vu.Env().Profile != modules.Compat {
		return "", "", false
	}
	if has(o, "id") {
		dv.vu.Note("oData."+op+" with id instead of objectId (compat alias)",
			"call back err {code:60001, error:'objectId is empty,so...error!'}")
		return text(o.Get("id")), "", true
	}
	if has(o, "where") {
		dv.vu.Note("oData."+op+" with where and no objectId acted on every match (compat)",
			"call back err {code:60001, error:'objectId is empty,so...error!'}")
		w, _ := dv.stringify(o.Get("where"))
		return "", w, true
	}
	return "", "", false
}

func (dv *dataVM) update(h http.Header, c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "table") {
		return dv.fail(cb, codeMissing, errNoTable)
	}
	id, where, ok := dv.target(o, "update")
	if !ok {
		return dv.fail(cb, codeMissing, errNoObjectID)
	}
	if !has(o, "data") {
		return dv.fail(cb, codeMissing, errNoData)
	}
	body, ok := dv.stringify(o.Get("data"))
	if !ok {
		return dv.fail(cb, codeBadData, errBadData)
	}
	table := text(o.Get("table"))
	_ = o.Delete("table")
	switch {
	case where != "" && table != "":
		dv.each(cb, h, table, where, func(ctx context.Context, c *restapi.Caller, id string) ([]byte, error) {
			return textOf(dv.api.Update(ctx, c, table, id, restapi.ParseBody([]byte(body))))
		})
	case where != "":
		dv.legacyEach(cb, h, table, where)
	case table == "" || id == "":
		dv.legacy(cb, h, restapi.Request{Method: http.MethodPut, Path: classPath(table, id), Body: []byte(body)})
	default:
		dv.typed(cb, h, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
			return textOf(dv.api.Update(ctx, c, table, id, restapi.ParseBody([]byte(body))))
		})
	}
	return goja.Undefined()
}

func (dv *dataVM) remove(h http.Header, c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "table") {
		return dv.fail(cb, codeMissing, errNoTable)
	}
	id, where, ok := dv.target(o, "remove")
	if !ok {
		return dv.fail(cb, codeMissing, errNoObjectID)
	}
	table := text(o.Get("table"))
	_ = o.Delete("table")
	switch {
	case where != "" && table != "":
		dv.each(cb, h, table, where, func(ctx context.Context, c *restapi.Caller, id string) ([]byte, error) {
			return textOf(dv.api.Delete(ctx, c, table, id))
		})
	case where != "":
		dv.legacyEach(cb, h, table, where)
	case table == "" || id == "":
		dv.legacy(cb, h, restapi.Request{Method: http.MethodDelete, Path: classPath(table, id)})
	default:
		dv.typed(cb, h, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
			return textOf(dv.api.Delete(ctx, c, table, id))
		})
	}
	return goja.Undefined()
}

// each applies op to every object matching where (at most 1,000) and answers
// the last answer's text, or Bmob's 101 text when nothing matched.
func (dv *dataVM) each(cb goja.Callable, h http.Header, table, where string, op func(ctx context.Context, c *restapi.Caller, id string) ([]byte, error)) {
	dv.typed(cb, h, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
		query, err := restapi.ParseQuery(url.Values{"where": {where}, "limit": {"1000"}, "keys": {"objectId"}})
		if err != nil {
			return nil, err
		}
		found, err := dv.api.Find(ctx, c, table, query)
		if err != nil {
			return nil, err
		}
		var last []byte
		for _, r := range found.Results {
			id, _ := r["objectId"].(string)
			text, err := op(ctx, c, id)
			if err != nil {
				text = restapi.ErrorJSON(err)
			}
			last = text
		}
		if last == nil {
			return notFoundText(where), nil
		}
		return last, nil
	})
}

// notFoundText is Bmob's answer to an update or remove whose where matched nothing.
func notFoundText(where string) []byte {
	return fmt.Appendf(nil, `{"code":101,"error":"object not found for %s."}`, strings.ReplaceAll(where, `"`, `'`))
}

// legacyEach is each through the REST router, for an empty table name: the
// router's answer to the find is the answer.
func (dv *dataVM) legacyEach(cb goja.Callable, h http.Header, table, where string) {
	dv.legacy(cb, h, restapi.Request{Method: http.MethodGet, Path: classPath(table),
		Query: url.Values{"where": {where}, "limit": {"1000"}, "keys": {"objectId"}}})
}
