package bmob

import (
	"net/http"
	"net/url"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/restapi"
)

// The user methods of oData (docs/fidelity.md#odata), each one REST call on the user
// endpoints. Updates and deletes pass only with a session token or the master
// key given to setHeader; otherwise REST answers 206, as data.

func userPath(id string) string { return "/1/users/" + url.PathEscape(id) }

// userSignUp({data}) is POST /1/users.
func (d *data) userSignUp(c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "data") {
		return d.fail(cb, codeMissing, errNoData)
	}
	return d.withData(o, cb, http.MethodPost, "/1/users")
}

// userLogin({username, password}) is GET /1/login with only those two keys.
func (d *data) userLogin(c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	q := url.Values{}
	for _, k := range []string{"username", "password"} {
		if has(o, k) {
			q.Set(k, text(o.Get(k)))
		}
	}
	d.call(cb, restapi.Request{Method: http.MethodGet, Path: "/1/login", Query: q})
	return goja.Undefined()
}

// userRestPassword({data:{email}}) (Bmob's spelling) is POST /1/requestPasswordReset.
func (d *data) userRestPassword(c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "data") {
		return d.fail(cb, codeMissing, errNoData)
	}
	return d.withData(o, cb, http.MethodPost, "/1/requestPasswordReset")
}

// getUserByObjectId({objectId}) is GET /1/users/<id>.
func (d *data) getUserByObjectID(c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "objectId") {
		return d.fail(cb, codeMissing, errNoObjectID)
	}
	d.call(cb, restapi.Request{Method: http.MethodGet, Path: userPath(text(o.Get("objectId")))})
	return goja.Undefined()
}

// updateUserByObjectId({objectId, data}) is PUT /1/users/<id>; Bmob's module
// checks data before objectId.
func (d *data) updateUserByObjectID(c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "data") {
		return d.fail(cb, codeMissing, errNoData)
	}
	if !has(o, "objectId") {
		return d.fail(cb, codeMissing, errNoObjectID)
	}
	return d.withData(o, cb, http.MethodPut, userPath(text(o.Get("objectId"))))
}

// removeUserByObjectId({objectId}) is DELETE /1/users/<id>.
func (d *data) removeUserByObjectID(c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "objectId") {
		return d.fail(cb, codeMissing, errNoObjectID)
	}
	d.call(cb, restapi.Request{Method: http.MethodDelete, Path: userPath(text(o.Get("objectId")))})
	return goja.Undefined()
}

// getAllUser(cb) is GET /1/users. Bmob's module takes the callback alone; the
// old local tool's getAllUser(request, cb) form is accepted too.
func (d *data) getAllUser(c goja.FunctionCall) goja.Value {
	cb, ok := goja.AssertFunction(c.Argument(0))
	if !ok {
		cb, _ = goja.AssertFunction(c.Argument(1))
	}
	d.call(cb, restapi.Request{Method: http.MethodGet, Path: "/1/users"})
	return goja.Undefined()
}

// requestEmailVerify({data:{email}}) is POST /1/requestEmailVerify; without
// data Bmob's module answers 60006.
func (d *data) requestEmailVerify(c goja.FunctionCall) goja.Value {
	o, cb := opts(c)
	if !has(o, "data") {
		return d.fail(cb, codeNoMethod, errNoMethod)
	}
	return d.withData(o, cb, http.MethodPost, "/1/requestEmailVerify")
}
