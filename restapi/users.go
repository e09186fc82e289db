package restapi

import (
	"context"
	"net/http"

	"github.com/bmobemu/bmobemu/store"
)

// userRoutes are Bmob's user endpoints (docs/fidelity.md#endpoints). Users are _User
// objects; the store hashes their passwords and keeps them out of every read.
func (a *API) userRoutes() []route {
	h := a.handlerOf
	return []route{
		{http.MethodPost, "/1/users", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return a.signUp(ctx, req)
		})},
		{http.MethodGet, "/1/users", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.findObjects(ctx, c, "_User", req.Query))
		})},
		{http.MethodGet, "/1/users/:id", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.getObject(ctx, c, "_User", p["id"], req.Query))
		})},
		{http.MethodPut, "/1/users/:id", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.updateUser(ctx, c, p["id"], requestBody(req)))
		})},
		{http.MethodDelete, "/1/users/:id", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.deleteUser(ctx, c, p["id"]))
		})},
		{http.MethodPut, "/1/users", noObjectID},
		{http.MethodDelete, "/1/users", noObjectID},
		{http.MethodPost, "/1/login", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			data, err := jsonBody(req)
			if err != nil {
				return answer{}, err
			}
			return ok(a.login(ctx, data))
		})},
		{http.MethodGet, "/1/login", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			data := map[string]any{}
			for _, k := range []string{"username", "email", "mobilePhoneNumber", "password"} {
				if v, present := req.Query[k]; present && len(v) > 0 {
					data[k] = v[0]
				}
			}
			return ok(a.login(ctx, data))
		})},
		{http.MethodGet, "/1/me", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.me(ctx, c))
		})},
		// checkSession answers fail (not 211) for a bad token, so it reads the
		// header itself.
		{http.MethodGet, "/1/checkSession/:id", func(ctx context.Context, req Request, p map[string]string) (any, int, http.Header, error) {
			msg := "fail"
			if tok := header(req.Header, HeaderSessionToken); tok != "" {
				sess, valid, err := a.store.Session(ctx, tok)
				if err != nil {
					return nil, 0, nil, err
				}
				if valid && sess.UserID == p["id"] {
					msg = "ok"
				}
			}
			return map[string]any{"msg": msg}, http.StatusOK, nil, nil
		}},
		{http.MethodPut, "/1/updateUserPassword/:id", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.updatePassword(ctx, c, p["id"], req))
		})},
		{http.MethodPost, "/1/updateUserPassword/:id", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.updatePassword(ctx, c, p["id"], req))
		})},
		{http.MethodPost, "/1/requestPasswordReset", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.emailRequest(ctx, "passwordReset", requestBody(req)))
		})},
		{http.MethodPost, "/1/requestEmailVerify", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.emailRequest(ctx, "emailVerify", requestBody(req)))
		})},
	}
}

// signUp creates a user and logs it in: 201 {createdAt, objectId, sessionToken}.
func (a *API) signUp(ctx context.Context, req Request) (answer, error) {
	data, err := jsonBody(req)
	if err != nil {
		return answer{}, err
	}
	return a.signUpData(ctx, data)
}

func (a *API) signUpData(ctx context.Context, data map[string]any) (answer, error) {
	if ans, handled, err := a.oneStepSignUp(ctx, data); handled { // mobile + smsCode, or authData (usersv1.go)
		return ans, err
	}
	name, _ := data["username"].(string)
	pw, _ := data["password"].(string)
	if name == "" || pw == "" {
		return answer{}, store.Errorf(108, "username and password required.")
	}
	ans, err := a.insert(ctx, "_User", data, "/1/users/")
	if err != nil {
		return answer{}, err
	}
	cr := ans.body.(*Created)
	sess, err := a.store.CreateSession(ctx, cr.ObjectID, a.sessionTTL)
	if err != nil {
		return answer{}, err
	}
	cr.SessionToken = sess.Token
	return ans, nil
}

// login accepts username (which may also be an email or mobile number),
// email or mobilePhoneNumber, with password; it answers the user with a new
// sessionToken.
func (a *API) login(ctx context.Context, data map[string]any) (Object, error) {
	pw, _ := data["password"].(string)
	type try struct{ field, value string }
	var tries []try
	if v, _ := data["username"].(string); v != "" {
		tries = append(tries, try{"username", v}, try{"email", v}, try{"mobilePhoneNumber", v})
	}
	if v, _ := data["email"].(string); v != "" {
		tries = append(tries, try{"email", v})
	}
	if v, _ := data["mobilePhoneNumber"].(string); v != "" {
		tries = append(tries, try{"mobilePhoneNumber", v})
	}
	switch {
	case len(tries) == 0:
		return nil, store.Errorf(109, "login data required.")
	case pw == "":
		return nil, store.Errorf(108, "username and password required.")
	}
	incorrect := store.Errorf(101, "username or password incorrect.")
	id := ""
	for _, t := range tries {
		found, ok, err := a.store.Lookup(ctx, "_User", t.field, t.value)
		if err != nil {
			return nil, err
		}
		if ok {
			id = found
			break
		}
	}
	if id == "" {
		return nil, incorrect
	}
	match, err := a.store.CheckPassword(ctx, id, pw)
	if err != nil {
		return nil, err
	}
	if !match {
		return nil, incorrect
	}
	sess, err := a.store.CreateSession(ctx, id, a.sessionTTL)
	if err != nil {
		return nil, err
	}
	return a.userWithToken(ctx, id, sess.Token)
}

func (a *API) userWithToken(ctx context.Context, id, token string) (Object, error) {
	u, err := a.store.Get(ctx, "_User", id, store.GetOptions{})
	if err != nil {
		return nil, err
	}
	u["sessionToken"] = token
	return u, nil
}

func (a *API) me(ctx context.Context, c *caller) (Object, error) {
	if c.userID == "" {
		return nil, store.Errorf(211, msgNotLoggedIn)
	}
	return a.userWithToken(ctx, c.userID, c.token)
}

// mayAlterUser: only the user's own session or the master key (206 otherwise).
func mayAlterUser(c *caller, id string) error {
	if c.master || c.userID != "" && c.userID == id {
		return nil
	}
	return store.Errorf(206, msgUserTable)
}

func (a *API) updateUser(ctx context.Context, c *caller, id string, body Body) (*Updated, error) {
	if err := mayAlterUser(c, id); err != nil {
		return nil, err
	}
	data, err := body.fields()
	if err != nil {
		return nil, err
	}
	if pw, present := data["password"]; present {
		if s, _ := pw.(string); s == "" {
			return nil, store.Errorf(108, "username and password required.")
		}
	}
	if name, present := data["username"]; present {
		if s, _ := name.(string); s == "" {
			return nil, store.Errorf(108, "username and password required.")
		}
	}
	if _, present := data["authData"]; present {
		if data, err = a.linkAuthData(ctx, id, data); err != nil { // usersv1.go
			return nil, err
		}
	}
	return a.update(ctx, &caller{master: true}, "_User", id, data)
}

func (a *API) deleteUser(ctx context.Context, c *caller, id string) (Done, error) {
	if err := mayAlterUser(c, id); err != nil {
		return Done{}, err
	}
	if err := a.store.Delete(ctx, "_User", id); err != nil {
		return Done{}, err
	}
	return Done{}, nil
}

// updatePassword changes a password given the old one (210 when it is wrong).
func (a *API) updatePassword(ctx context.Context, c *caller, id string, req Request) (any, error) {
	if err := mayAlterUser(c, id); err != nil {
		return nil, err
	}
	data, err := jsonBody(req)
	if err != nil {
		return nil, err
	}
	oldPw, _ := data["oldPassword"].(string)
	if oldPw == "" {
		return nil, store.Errorf(118, "param %s is need.", "oldPassword")
	}
	newPw, present := data["newPassword"]
	switch s, isString := newPw.(string); {
	case !present || newPw == nil || isString && s == "":
		return nil, store.Errorf(10050, "new password is empty")
	case !isString:
		return nil, store.Errorf(10051, "new password must string")
	}
	if _, err := a.store.Get(ctx, "_User", id, store.GetOptions{Keys: []string{"objectId"}}); err != nil {
		return nil, err
	}
	match, err := a.store.CheckPassword(ctx, id, oldPw)
	if err != nil {
		return nil, err
	}
	if !match {
		return nil, store.Errorf(210, "old password incorrect.")
	}
	if _, err := a.store.Update(ctx, "_User", id, map[string]any{"password": newPw}); err != nil {
		return nil, err
	}
	return msgOK(), nil
}

// emailRequest records a password-reset or verification mail in
// _EmailRequest (readable with the master key only); nothing is sent.
func (a *API) emailRequest(ctx context.Context, kind string, body Body) (Done, error) {
	data, err := body.fields()
	if err != nil {
		return Done{}, err
	}
	email, _ := data["email"].(string)
	if email == "" {
		return Done{}, store.Errorf(118, "param %s is need.", "email")
	}
	id, found, err := a.store.Lookup(ctx, "_User", "email", email)
	if err != nil {
		return Done{}, err
	}
	if !found {
		return Done{}, store.Errorf(205, "no user found with email '%s'.", email)
	}
	_, err = a.store.Create(ctx, "_EmailRequest", map[string]any{
		"kind": kind, "email": email, "user": pointer("_User", id), "ACL": map[string]any{},
	})
	if err != nil {
		return Done{}, err
	}
	return Done{}, nil
}
