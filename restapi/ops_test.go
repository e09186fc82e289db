package restapi

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/bmobemu/bmobemu/store"
)

// TestTypedOperationsWriteTheRoutesText: each typed operation's JSON (or
// ErrorJSON for its error) is the text its route answers for the same call.
func TestTypedOperationsWriteTheRoutesText(t *testing.T) {
	ctx := context.Background()
	a := newAPI(t)
	anon, err := a.CallerFrom(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	json := func(v interface{ JSON() ([]byte, error) }, err error) string {
		t.Helper()
		if err != nil {
			return string(ErrorJSON(err))
		}
		b, err := v.JSON()
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	object := func(o Object, err error) string {
		t.Helper()
		if err != nil {
			return string(ErrorJSON(err))
		}
		b, err := Encode(o)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	ct := []string{"Content-Type", "application/json"}
	same := func(name, typed string, resp Response) {
		t.Helper()
		if typed != string(resp.Body) {
			t.Errorf("%s:\n typed %s\n route %s", name, typed, resp.Body)
		}
	}

	// Writes: the clock moves a second per write, so each side makes its own.
	cr, err := a.Create(ctx, anon, "T", ParseBody([]byte(`{"n":1,"s":"<x>"}`)))
	if err != nil || cr.Status() != http.StatusCreated || cr.Location != "/1/classes/T/"+cr.ObjectID {
		t.Fatalf("Create: %+v %v", cr, err)
	}
	created := json(cr, nil)
	if !regexp.MustCompile(`^\{"createdAt":"2024-05-01 12:00:01","objectId":"[0-9a-f]{10}"\}$`).MatchString(created) {
		t.Errorf("Create: %s", created)
	}
	same("create error", json(a.Create(ctx, anon, "T", ParseBody([]byte(`[1]`)))), call(a, "POST", "/1/classes/T", `[1]`, ct...))
	same("get", object(a.Get(ctx, anon, "T", cr.ObjectID, store.GetOptions{Keys: []string{"s"}})), call(a, "GET", "/1/classes/T/"+cr.ObjectID+"?keys=s", ""))
	same("get missing", object(a.Get(ctx, anon, "T", "nope", store.GetOptions{})), call(a, "GET", "/1/classes/T/nope", ""))
	q, err := ParseQuery(map[string][]string{"where": {`{"n":1}`}, "count": {"1"}, "keys": {"s"}})
	if err != nil {
		t.Fatal(err)
	}
	same("find", json(a.Find(ctx, anon, "T", q)), call(a, "GET", `/1/classes/T?where={"n":1}&count=1&keys=s`, ""))
	groups, _ := ParseQuery(map[string][]string{"groupby": {"n"}})
	same("statistics", json(a.Find(ctx, anon, "T", groups)), call(a, "GET", `/1/classes/T?groupby=n`, ""))
	sdk, err := a.CallerFrom(ctx, http.Header{"X-Bmob-Sdk-Type": {"nodejs"}})
	if err != nil {
		t.Fatal(err)
	}
	same("statistics for an SDK", json(a.Find(ctx, sdk, "T", groups)), call(a, "GET", `/1/classes/T?groupby=n`, "", "X-Bmob-SDK-Type", "nodejs"))
	same("users", json(a.FindUsers(ctx, anon, groups)), call(a, "GET", `/1/users?groupby=n`, "", "X-Bmob-SDK-Type", "nodejs"))
	upd := json(a.Update(ctx, anon, "T", cr.ObjectID, ParseBody([]byte(`{"n":2}`))))
	if !regexp.MustCompile(`^\{"updatedAt":"2024-05-01 12:00:0\d"\}$`).MatchString(upd) {
		t.Errorf("Update: %s", upd)
	}
	same("update a user anonymously", json(a.UpdateUser(ctx, anon, "nope", ParseBody([]byte(`5`)))), call(a, "PUT", "/1/users/nope", `5`, ct...))
	same("update missing", json(a.Update(ctx, anon, "T", "nope", ParseBody([]byte(`{"n":1}`)))), call(a, "PUT", "/1/classes/T/nope", `{"n":1}`, ct...))
	other := regexp.MustCompile(`[0-9a-f]{10}`).FindString(string(call(a, "POST", "/1/classes/T", `{"n":3}`, ct...).Body))
	same("delete", json(a.Delete(ctx, anon, "T", cr.ObjectID)), call(a, "DELETE", "/1/classes/T/"+other, ""))
	same("delete missing", json(a.Delete(ctx, anon, "T", other)), call(a, "DELETE", "/1/classes/T/"+other, ""))

	su, err := a.SignUp(ctx, anon, ParseBody([]byte(`{"username":"ada","password":"pw"}`)))
	if err != nil || su.SessionToken == "" || su.Location != "/1/users/"+su.ObjectID {
		t.Fatalf("SignUp: %+v %v", su, err)
	}
	same("sign up taken", json(a.SignUp(ctx, anon, ParseBody([]byte(`{"username":"ada","password":"x"}`)))),
		call(a, "POST", "/1/users", `{"username":"ada","password":"x"}`, ct...))
	same("log in wrong", object(a.Login(ctx, anon, map[string]any{"username": "ada", "password": "x"})), call(a, "GET", "/1/login?username=ada&password=x", ""))
	u, err := a.Login(ctx, anon, map[string]any{"username": "ada", "password": "pw"})
	if err != nil || u["objectId"] != su.ObjectID || u["sessionToken"] == "" {
		t.Errorf("Login: %v %v", u, err)
	}
	same("reset unknown", json(a.RequestPasswordReset(ctx, anon, ParseBody([]byte(`{"email":"x@example.com"}`)))),
		call(a, "POST", "/1/requestPasswordReset", `{"email":"x@example.com"}`, ct...))
	same("delete a user anonymously", json(a.DeleteUser(ctx, anon, su.ObjectID)), call(a, "DELETE", "/1/users/"+su.ObjectID, ""))
	if _, err := a.CallerFrom(ctx, http.Header{"X-Bmob-Session-Token": {"nope"}}); string(ErrorJSON(err)) != string(call(a, "GET", "/1/classes/T", "", "X-Bmob-Session-Token", "nope").Body) {
		t.Errorf("CallerFrom with an unknown token: %v", err)
	}
}
