package bmob

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
)

// queryKeys are the options of find that become query parameters besides where.
var queryKeys = map[string]bool{
	"keys": true, "order": true, "limit": true, "skip": true, "count": true, "include": true,
	"groupby": true, "sum": true, "average": true, "max": true, "min": true, "having": true, "groupcount": true,
}

// NewData returns a constructor for modules.oData on api. Every call is a REST
// request made in-process, answered to the callback as (null, JSON text) even for
// REST errors, exactly as Bmob's module does over HTTP. Besides the object methods
// it has Bmob's user methods (users.go); setHeader's headers (a session token, the
// master key) last for this call's modules object.
func NewData(api *restapi.API) modules.Constructor {
	return func(vu modules.VU) (goja.Value, error) {
		d := &data{client{vu: vu, api: api, headers: http.Header{}}}
		return d.object(map[string]func(goja.FunctionCall) goja.Value{
			"find": d.find, "findOne": d.findOne, "insert": d.insert, "update": d.update, "remove": d.remove,
			"userSignUp": d.userSignUp, "userLogin": d.userLogin, "userRestPassword": d.userRestPassword,
			"getUserByObjectId": d.getUserByObjectID, "updateUserByObjectId": d.updateUserByObjectID,
			"removeUserByObjectId": d.removeUserByObjectID, "getAllUser": d.getAllUser,
			"requestEmailVerify": d.requestEmailVerify,
		}), nil
	}
}

// data is modules.oData.
type data struct{ client }

func (d *data) find(c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "table") {
		return d.fail(cb, codeMissing, errNoTable)
	}
	table := text(o.Get("table"))
	if table == "User" {
		table = "_User"
	}
	_ = o.Delete("table") // Bmob's module deletes it from the caller's object too
	q := url.Values{}
	for _, k := range o.Keys() {
		v := o.Get(k)
		switch {
		case k == "where":
			if s, ok := d.stringify(v); ok {
				q.Set("where", s)
			}
		case queryKeys[k]:
			q.Set(k, text(v))
		}
	}
	d.call(cb, restapi.Request{Method: http.MethodGet, Path: classPath(table), Query: q})
	return goja.Undefined()
}

func (d *data) findOne(c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "table") {
		return d.fail(cb, codeMissing, errNoTable)
	}
	table := text(o.Get("table"))
	if !has(o, "objectId") {
		if d.vu.Env().Profile == modules.Compat && has(o, "where") {
			return d.findOneWhere(o, cb, table)
		}
		return d.fail(cb, codeMissing, errNoObjectID)
	}
	_ = o.Delete("table")
	d.call(cb, restapi.Request{Method: http.MethodGet, Path: classPath(table, text(o.Get("objectId")))})
	return goja.Undefined()
}

// findOneWhere is compat extension 2: the first object matching where, as its JSON
// text, or null data when nothing matches (what the tutorials test with !data).
func (d *data) findOneWhere(o *goja.Object, cb goja.Callable, table string) goja.Value {
	d.vu.Note("oData.findOne with where and no objectId answered the first match (compat)",
		"call back err {code:60001, error:'objectId is empty,so...error!'} and null data")
	where, _ := d.stringify(o.Get("where"))
	req := restapi.Request{Method: http.MethodGet, Path: classPath(table),
		Query: url.Values{"where": {where}, "limit": {"1"}}, Header: d.headers.Clone()}
	d.async(cb, func(ctx context.Context) []byte {
		resp := d.api.Serve(ctx, req)
		first, err := firstResult(resp)
		if err != nil { // a REST error: its JSON text, as for any other call
			return resp.Body
		}
		return first // nil when nothing matched
	})
	return goja.Undefined()
}

func (d *data) insert(c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "table") {
		return d.fail(cb, codeMissing, errNoTable)
	}
	if !has(o, "data") {
		return d.fail(cb, codeMissing, errNoData)
	}
	body, ok := d.stringify(o.Get("data"))
	if !ok {
		return d.fail(cb, codeBadData, errBadData)
	}
	d.call(cb, restapi.Request{Method: http.MethodPost, Path: classPath(text(o.Get("table"))), Body: []byte(body)})
	return goja.Undefined()
}

// target resolves which object(s) update/remove act on: objectId as Bmob does, and
// in compat `id` as an alias and `where` for every match (extension 2).
func (d *data) target(o *goja.Object, op string) (id string, where string, ok bool) {
	if has(o, "objectId") {
		return text(o.Get("objectId")), "", true
	}
	if d.vu.Env().Profile != modules.Compat {
		return "", "", false
	}
	if has(o, "id") {
		d.vu.Note("oData."+op+" with id instead of objectId (compat alias)",
			"call back err {code:60001, error:'objectId is empty,so...error!'}")
		return text(o.Get("id")), "", true
	}
	if has(o, "where") {
		d.vu.Note("oData."+op+" with where and no objectId acted on every match (compat)",
			"call back err {code:60001, error:'objectId is empty,so...error!'}")
		w, _ := d.stringify(o.Get("where"))
		return "", w, true
	}
	return "", "", false
}

func (d *data) update(c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "table") {
		return d.fail(cb, codeMissing, errNoTable)
	}
	id, where, ok := d.target(o, "update")
	if !ok {
		return d.fail(cb, codeMissing, errNoObjectID)
	}
	if !has(o, "data") {
		return d.fail(cb, codeMissing, errNoData)
	}
	body, ok := d.stringify(o.Get("data"))
	if !ok {
		return d.fail(cb, codeBadData, errBadData)
	}
	table := text(o.Get("table"))
	_ = o.Delete("table")
	if where != "" {
		d.each(cb, table, where, http.MethodPut, []byte(body))
		return goja.Undefined()
	}
	d.call(cb, restapi.Request{Method: http.MethodPut, Path: classPath(table, id), Body: []byte(body)})
	return goja.Undefined()
}

func (d *data) remove(c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "table") {
		return d.fail(cb, codeMissing, errNoTable)
	}
	id, where, ok := d.target(o, "remove")
	if !ok {
		return d.fail(cb, codeMissing, errNoObjectID)
	}
	table := text(o.Get("table"))
	_ = o.Delete("table")
	if where != "" {
		d.each(cb, table, where, http.MethodDelete, nil)
		return goja.Undefined()
	}
	d.call(cb, restapi.Request{Method: http.MethodDelete, Path: classPath(table, id)})
	return goja.Undefined()
}

// each applies one PUT or DELETE to every object matching where and answers the
// last answer's text, or a 101 text when nothing matched.
func (d *data) each(cb goja.Callable, table, where, method string, body []byte) {
	headers := d.headers.Clone()
	d.async(cb, func(ctx context.Context) []byte {
		return d.eachMatch(ctx, table, where, headers, func(id string) restapi.Request {
			h := headers.Clone()
			if body != nil {
				h.Set("Content-Type", "application/json")
			}
			return restapi.Request{Method: method, Path: classPath(table, id), Header: h, Body: body}
		}).Body
	})
}

// firstResult is the raw JSON of the first object of a find answer, nil when the
// answer has none, or an error when the answer is a REST error.
func firstResult(resp restapi.Response) (json.RawMessage, error) {
	var found struct {
		Results []json.RawMessage `json:"results"`
	}
	if resp.Status/100 != 2 {
		return nil, fmt.Errorf("REST answered %d: %s", resp.Status, resp.Body)
	}
	if err := json.Unmarshal(resp.Body, &found); err != nil {
		return nil, fmt.Errorf("decoding find answer: %w", err)
	}
	if len(found.Results) == 0 {
		return nil, nil
	}
	return found.Results[0], nil
}

// eachMatch sends the request build makes for every object matching where and
// returns the last answer, or Bmob's 101 answer when nothing matched.
func (d *data) eachMatch(ctx context.Context, table, where string, headers http.Header, build func(id string) restapi.Request) restapi.Response {
	resp := d.api.Serve(ctx, restapi.Request{Method: http.MethodGet, Path: classPath(table),
		Query: url.Values{"where": {where}, "limit": {"1000"}, "keys": {"objectId"}}, Header: headers})
	if resp.Status/100 != 2 {
		return resp
	}
	var found struct {
		Results []struct {
			ObjectID string `json:"objectId"`
		} `json:"results"`
	}
	if err := json.Unmarshal(resp.Body, &found); err != nil || len(found.Results) == 0 {
		return restapi.Response{Status: http.StatusBadRequest,
			Body: []byte(fmt.Sprintf(`{"code":101,"error":"object not found for %s."}`, strings.ReplaceAll(where, `"`, `'`)))}
	}
	var last restapi.Response
	for _, r := range found.Results {
		last = d.api.Serve(ctx, build(r.ObjectID))
	}
	return last
}
