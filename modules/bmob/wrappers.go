package bmob

import (
	"context"
	"net/http"
	"sync"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
)

// Wrappers builds Bmob's wrapper modules, oRelation, oArray, oAtom, oLocation,
// oBatch, oBql, oPush and oFile (docs/fidelity.md#the-other-bmob-wrappers), on api. Each method is the
// REST call Bmob's module makes, answered (null, JSON text) like oData.
//
// Bmob's module builds all of them on one shared request helper, so setHeader
// on any wrapper reaches every wrapper of that call (oData keeps its own
// headers). Wrappers keeps that shared header map per call, keyed by the
// call's context and dropped when the call ends.
type Wrappers struct {
	api *restapi.API

	mu    sync.Mutex
	calls map[context.Context]http.Header
}

// NewWrappers returns the wrapper modules on api.
func NewWrappers(api *restapi.API) *Wrappers {
	return &Wrappers{api: api, calls: map[context.Context]http.Header{}}
}

// Constructors maps each wrapper's Bmob name (oRelation, …) to its constructor.
func (w *Wrappers) Constructors() map[string]modules.Constructor {
	return map[string]modules.Constructor{
		"oRelation": w.relation,
		"oArray":    w.array,
		"oAtom":     w.atom,
		"oLocation": w.location,
		"oBatch":    w.batch,
		"oBql":      w.bql,
		"oPush":     w.push,
		"oFile":     w.file,
	}
}

// headers is the header map shared by the wrappers of the call ctx belongs to.
// A context that never ends (no call running) gets a map of its own.
func (w *Wrappers) headers(ctx context.Context) http.Header {
	if ctx.Done() == nil {
		return http.Header{}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if h, ok := w.calls[ctx]; ok {
		return h
	}
	h := http.Header{}
	w.calls[ctx] = h
	context.AfterFunc(ctx, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.calls, ctx)
	})
	return h
}

// wrapper is one wrapper module object.
type wrapper struct{ client }

func (w *Wrappers) wrapper(vu modules.VU) *wrapper {
	return &wrapper{client{vu: vu, api: w.api, headers: w.headers(vu.Context())}}
}

// table reads the required table option; false after calling back 60001.
// (Bmob's helper would request /1/classes/undefined instead.)
func (wr *wrapper) table(o *goja.Object, cb goja.Callable) (string, bool) {
	if !has(o, "table") {
		wr.fail(cb, codeMissing, errNoTable)
		return "", false
	}
	return text(o.Get("table")), true
}

// post is Bmob's common post: POST collection (or collection/<objectId> when
// the options carry one) with data as the body.
func (wr *wrapper) post(o *goja.Object, cb goja.Callable, collection string) goja.Value {
	if has(o, "objectId") {
		collection += "/" + escapeSegment(text(o.Get("objectId")))
	}
	return wr.withData(o, cb, http.MethodPost, collection)
}

// put is Bmob's common put: PUT collection/<objectId> with data as the body;
// 60004 without data, then 60006 without objectId.
func (wr *wrapper) put(o *goja.Object, cb goja.Callable, collection string) goja.Value {
	if !has(o, "data") {
		return wr.fail(cb, codeBadData, errBadData)
	}
	if !has(o, "objectId") {
		return wr.fail(cb, codeNoMethod, errNoMethod)
	}
	return wr.withData(o, cb, http.MethodPut, collection+"/"+escapeSegment(text(o.Get("objectId"))))
}

// onClass runs op on the options' table, or calls back 60001.
func (wr *wrapper) onClass(op func(o *goja.Object, cb goja.Callable, table string) goja.Value) func(goja.FunctionCall) goja.Value {
	return func(c goja.FunctionCall) goja.Value {
		o, cb := opts(c)
		table, ok := wr.table(o, cb)
		if !ok {
			return goja.Undefined()
		}
		return op(o, cb, table)
	}
}

// postClass is post on a table: restapi's Create. With an objectId (a path
// the router has no route for) or an empty table it goes through the router.
func (wr *wrapper) postClass(o *goja.Object, cb goja.Callable, table string) goja.Value {
	if table == "" || has(o, "objectId") {
		return wr.post(o, cb, classPath(table))
	}
	return wr.withBody(wr.headers, o, cb, func(ctx context.Context, c *restapi.Caller, body restapi.Body) ([]byte, error) {
		return textOf(wr.api.Create(ctx, c, table, body))
	})
}

// putClass is put on a table: restapi's Update.
func (wr *wrapper) putClass(o *goja.Object, cb goja.Callable, table string) goja.Value {
	if !has(o, "data") {
		return wr.fail(cb, codeBadData, errBadData)
	}
	if !has(o, "objectId") {
		return wr.fail(cb, codeNoMethod, errNoMethod)
	}
	id := text(o.Get("objectId"))
	if table == "" || id == "" {
		return wr.put(o, cb, classPath(table))
	}
	return wr.withBody(wr.headers, o, cb, func(ctx context.Context, c *restapi.Caller, body restapi.Body) ([]byte, error) {
		return textOf(wr.api.Update(ctx, c, table, id, body))
	})
}

// queryClass is query on a table: restapi's Find.
func (wr *wrapper) queryClass(o *goja.Object, cb goja.Callable, table string) goja.Value {
	if table == "" {
		return wr.query(o, cb, classPath(table))
	}
	q := wr.params(o)
	wr.typed(cb, wr.headers, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
		query, err := restapi.ParseQuery(q)
		if err != nil {
			return nil, err
		}
		return textOf(wr.api.Find(ctx, c, table, query))
	})
	return goja.Undefined()
}

// onPath runs send with a fixed path.
func (wr *wrapper) onPath(path string, send func(o *goja.Object, cb goja.Callable, path string) goja.Value) func(goja.FunctionCall) goja.Value {
	return func(c goja.FunctionCall) goja.Value {
		o, cb := opts(c)
		return send(o, cb, path)
	}
}

// relation is modules.oRelation: add (POST), update and delete (PUT with
// AddRelation/RemoveRelation data), query (GET; table "users" is /1/users, so
// $relatedTo can list users).
func (w *Wrappers) relation(vu modules.VU) (goja.Value, error) {
	wr := w.wrapper(vu)
	return wr.object(map[string]func(goja.FunctionCall) goja.Value{
		"add":    wr.onClass(wr.postClass),
		"update": wr.onClass(wr.putClass),
		"delete": wr.onClass(wr.putClass),
		"query": wr.onClass(func(o *goja.Object, cb goja.Callable, table string) goja.Value {
			if table != "users" {
				return wr.queryClass(o, cb, table)
			}
			q := wr.params(o)
			wr.typed(cb, wr.headers, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
				query, err := restapi.ParseQuery(q)
				if err != nil {
					return nil, err
				}
				return textOf(wr.api.FindUsers(ctx, c, query))
			})
			return goja.Undefined()
		}),
	}), nil
}

// array is modules.oArray: add (POST, a new row), addUnique and remove (PUT),
// query (GET).
func (w *Wrappers) array(vu modules.VU) (goja.Value, error) {
	wr := w.wrapper(vu)
	return wr.object(map[string]func(goja.FunctionCall) goja.Value{
		"add":       wr.onClass(wr.postClass),
		"addUnique": wr.onClass(wr.putClass),
		"remove":    wr.onClass(wr.putClass),
		"query":     wr.onClass(wr.queryClass),
	}), nil
}

// atom is modules.oAtom: exec (PUT, typically Increment).
func (w *Wrappers) atom(vu modules.VU) (goja.Value, error) {
	wr := w.wrapper(vu)
	return wr.object(map[string]func(goja.FunctionCall) goja.Value{
		"exec": wr.onClass(wr.putClass),
	}), nil
}

// location is modules.oLocation: create (PUT on an existing row, so objectId is
// required) and query (GET with $nearSphere or $within).
func (w *Wrappers) location(vu modules.VU) (goja.Value, error) {
	wr := w.wrapper(vu)
	return wr.object(map[string]func(goja.FunctionCall) goja.Value{
		"create": wr.onClass(wr.putClass),
		"query":  wr.onClass(wr.queryClass),
	}), nil
}

// batch is modules.oBatch: exec({data:{requests}}) is POST /1/batch.
func (w *Wrappers) batch(vu modules.VU) (goja.Value, error) {
	wr := w.wrapper(vu)
	return wr.object(map[string]func(goja.FunctionCall) goja.Value{
		"exec": wr.onPath("/1/batch", func(o *goja.Object, cb goja.Callable, path string) goja.Value {
			return wr.withData(o, cb, http.MethodPost, path)
		}),
	}), nil
}

// bql is modules.oBql: exec({bql, values}) is GET /1/cloudQuery with every
// option as a parameter; values must be JSON text (an array is sent as
// String(array), "a,b", and REST refuses it, as on Bmob).
func (w *Wrappers) bql(vu modules.VU) (goja.Value, error) {
	wr := w.wrapper(vu)
	return wr.object(map[string]func(goja.FunctionCall) goja.Value{
		"exec": wr.onPath("/1/cloudQuery", wr.query),
	}), nil
}

// push is modules.oPush: add (POST /1/installations), update (PUT
// /1/installations/<objectId>) and send (POST /1/push; stored, not delivered).
func (w *Wrappers) push(vu modules.VU) (goja.Value, error) {
	wr := w.wrapper(vu)
	return wr.object(map[string]func(goja.FunctionCall) goja.Value{
		"add":    wr.onPath("/1/installations", wr.post),
		"update": wr.onPath("/1/installations", wr.put),
		"send":   wr.onPath("/1/push", wr.post),
	}), nil
}
