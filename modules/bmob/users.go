package bmob

import (
	"context"
	"net/http"
	"net/url"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/store"
)

// The user methods of oData (docs/fidelity.md#odata), each the typed operation of
// one REST user endpoint. Updates and deletes pass only with a session token or
// the master key given to setHeader; otherwise REST answers 206, as data.

func userPath(id string) string { return "/1/users/" + url.PathEscape(id) }

// userSignUp({data}) is POST /1/users.
func (dv *dataVM) userSignUp(h http.Header, c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "data") {
		return dv.fail(cb, codeMissing, errNoData)
	}
	return dv.withBody(h, o, cb, func(ctx context.Context, c *restapi.Caller, body restapi.Body) ([]byte, error) {
		return textOf(dv.api.SignUp(ctx, c, body))
	})
}

// userLogin({username, password}) is GET /1/login with only those two keys.
func (dv *dataVM) userLogin(h http.Header, c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	fields := map[string]any{}
	for _, k := range []string{"username", "password"} {
		if has(o, k) {
			fields[k] = text(o.Get(k))
		}
	}
	dv.typed(cb, h, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
		return objectText(dv.api.Login(ctx, c, fields))
	})
	return goja.Undefined()
}

// userRestPassword({data:{email}}) (Bmob's spelling) is POST /1/requestPasswordReset.
func (dv *dataVM) userRestPassword(h http.Header, c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "data") {
		return dv.fail(cb, codeMissing, errNoData)
	}
	return dv.withBody(h, o, cb, func(ctx context.Context, c *restapi.Caller, body restapi.Body) ([]byte, error) {
		return textOf(dv.api.RequestPasswordReset(ctx, c, body))
	})
}

// getUserByObjectId({objectId}) is GET /1/users/<id>.
func (dv *dataVM) getUserByObjectID(h http.Header, c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "objectId") {
		return dv.fail(cb, codeMissing, errNoObjectID)
	}
	id := text(o.Get("objectId"))
	if id == "" {
		dv.legacy(cb, h, restapi.Request{Method: http.MethodGet, Path: userPath(id)})
		return goja.Undefined()
	}
	dv.typed(cb, h, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
		return objectText(dv.api.Get(ctx, c, "_User", id, store.GetOptions{}))
	})
	return goja.Undefined()
}

// updateUserByObjectId({objectId, data}) is PUT /1/users/<id>; Bmob's module
// checks data before objectId.
func (dv *dataVM) updateUserByObjectID(h http.Header, c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "data") {
		return dv.fail(cb, codeMissing, errNoData)
	}
	if !has(o, "objectId") {
		return dv.fail(cb, codeMissing, errNoObjectID)
	}
	id := text(o.Get("objectId"))
	if id == "" {
		return (&client{vu: dv.vu, api: dv.api, headers: h}).withData(o, cb, http.MethodPut, userPath(id))
	}
	return dv.withBody(h, o, cb, func(ctx context.Context, c *restapi.Caller, body restapi.Body) ([]byte, error) {
		return textOf(dv.api.UpdateUser(ctx, c, id, body))
	})
}

// removeUserByObjectId({objectId}) is DELETE /1/users/<id>.
func (dv *dataVM) removeUserByObjectID(h http.Header, c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "objectId") {
		return dv.fail(cb, codeMissing, errNoObjectID)
	}
	id := text(o.Get("objectId"))
	if id == "" {
		dv.legacy(cb, h, restapi.Request{Method: http.MethodDelete, Path: userPath(id)})
		return goja.Undefined()
	}
	dv.typed(cb, h, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
		return textOf(dv.api.DeleteUser(ctx, c, id))
	})
	return goja.Undefined()
}

// getAllUser(cb) is GET /1/users. Bmob's module takes the callback alone; the
// old local tool's getAllUser(request, cb) form is accepted too.
func (dv *dataVM) getAllUser(h http.Header, c goja.FunctionCall) goja.Value {
	cb, ok := goja.AssertFunction(c.Argument(0))
	if !ok {
		cb, _ = goja.AssertFunction(c.Argument(1))
	}
	dv.typed(cb, h, func(ctx context.Context, c *restapi.Caller) ([]byte, error) {
		query, err := restapi.ParseQuery(nil)
		if err != nil {
			return nil, err
		}
		return textOf(dv.api.FindUsers(ctx, c, query))
	})
	return goja.Undefined()
}

// requestEmailVerify({data:{email}}) is POST /1/requestEmailVerify; without
// data Bmob's module answers 60006.
func (dv *dataVM) requestEmailVerify(h http.Header, c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "data") {
		return dv.fail(cb, codeNoMethod, errNoMethod)
	}
	return dv.withBody(h, o, cb, func(ctx context.Context, c *restapi.Caller, body restapi.Body) ([]byte, error) {
		return textOf(dv.api.RequestEmailVerify(ctx, c, body))
	})
}
