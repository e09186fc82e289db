package restapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/bmobemu/bmobemu/store"
)

// One-step sign-up-or-log-in, as hydrogen-js-sdk calls it (POST /1/usersv1)
// and as Bmob's REST doc describes it on POST /1/users:
//
//   - {mobilePhoneNumber, smsCode, …}: the code (sms.go) is verified and used
//     up; the user with that number logs in (200), or is created with
//     username = the number and mobilePhoneVerified true, plus the other keys
//     of the body (201 on /1/users, 200 on /1/usersv1);
//   - {authData: {<platform>: {…}}}: the platform's data is checked by a local
//     stand-in of the platform (authPlatforms) and the user linked to that
//     platform id logs in (200), or is created with a random username (201).
//
// Both answer the user with a new sessionToken.

// authPlatform is the local stand-in for one third-party platform: the fields
// Bmob's REST doc lists as required and the one that identifies the user.
// Bmob asks the platform whether the token is valid; offline, the stand-in
// accepts any non-empty value of the required fields (README, fidelity notes).
type authPlatform struct {
	required []string // each entry: one field, or alternatives "uid|id"
	idFields []string // the first present one is the user's id on the platform
}

// authPlatforms are the platforms of Bmob's REST doc ("用户账户连接").
var authPlatforms = map[string]authPlatform{
	"weibo":     {required: []string{"uid", "access_token", "expires_in"}, idFields: []string{"uid"}},
	"apple":     {required: []string{"uid|id", "access_token|token"}, idFields: []string{"uid", "id"}},
	"qq":        {required: []string{"openid", "access_token", "expires_in"}, idFields: []string{"openid"}},
	"weixin":    {required: []string{"openid", "access_token", "expires_in"}, idFields: []string{"openid"}},
	"weapp":     {required: []string{"openid", "session_key|sk"}, idFields: []string{"openid"}},
	"qqapp":     {required: []string{"openid", "session_key"}, idFields: []string{"openid"}},
	"toutiao":   {required: []string{"session_key"}, idFields: []string{"openid", "session_key"}},
	"anonymous": {required: []string{"id"}, idFields: []string{"id"}},
}

func (a *API) usersV1Routes() []route {
	return []route{
		{http.MethodPost, "/1/usersv1", a.handlerOf(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			data, err := jsonBody(req)
			if err != nil {
				return answer{}, err
			}
			ans, handled, err := a.oneStepSignUp(ctx, data)
			if err != nil || !handled {
				if err == nil {
					err = store.Errorf(109, "login data required.")
				}
				return answer{}, err
			}
			return ans, nil
		})},
	}
}

// oneStepSignUp handles a body with smsCode or authData; handled is false
// for any other body (an ordinary sign-up).
func (a *API) oneStepSignUp(ctx context.Context, data map[string]any) (ans answer, handled bool, err error) {
	if _, ok := data["authData"]; ok {
		ans, err = a.authDataLogin(ctx, data)
		return ans, true, err
	}
	if _, ok := data["smsCode"]; ok {
		ans, err = a.mobileLogin(ctx, data)
		return ans, true, err
	}
	return answer{}, false, nil
}

func (a *API) mobileLogin(ctx context.Context, data map[string]any) (answer, error) {
	phone, _ := data["mobilePhoneNumber"].(string)
	code, _ := data["smsCode"].(string)
	if err := checkMobile(phone); err != nil {
		return answer{}, err
	}
	if code == "" {
		return answer{}, store.Errorf(20029, "Invalid sms code, the format can't be empty or null")
	}
	if err := a.useSMSCode(ctx, phone, code); err != nil {
		return answer{}, err
	}
	if id, found, err := a.store.Lookup(ctx, "_User", "mobilePhoneNumber", phone); err != nil {
		return answer{}, err
	} else if found {
		return a.loginAs(ctx, id)
	}
	fields := withoutKeys(data, "smsCode")
	if name, _ := fields["username"].(string); name == "" {
		fields["username"] = phone
	}
	fields["mobilePhoneVerified"] = true
	return a.createLoggedIn(ctx, fields)
}

func (a *API) authDataLogin(ctx context.Context, data map[string]any) (answer, error) {
	auth, _ := data["authData"].(map[string]any)
	if len(auth) != 1 {
		return answer{}, store.Errorf(208, "authData error OR authData already linked by other user")
	}
	var platform string
	var fields map[string]any
	for k, v := range auth {
		platform = k
		fields, _ = v.(map[string]any)
	}
	idField, id, err := checkAuthData(platform, fields)
	if err != nil {
		return answer{}, err
	}
	a.noteOnce("authData "+platform, "is checked by bmobemu's local stand-in (required fields present); Bmob would ask the platform whether the token is valid")
	res, err := a.store.Find(ctx, "_User", store.Query{Where: map[string]any{"authData." + platform + "." + idField: id}, Limit: 1, Keys: []string{"objectId"}})
	if err != nil {
		return answer{}, err
	}
	if len(res.Results) > 0 {
		userID, _ := res.Results[0]["objectId"].(string)
		// The platform's latest data (a fresh token) replaces the stored one.
		if _, err := a.store.Update(ctx, "_User", userID, map[string]any{"authData." + platform: fields}); err != nil {
			return answer{}, err
		}
		return a.loginAs(ctx, userID)
	}
	user := withoutKeys(data)
	if name, _ := user["username"].(string); name == "" {
		name, err := randomHex(8)
		if err != nil {
			return answer{}, err
		}
		user["username"] = name
	}
	return a.createLoggedIn(ctx, user)
}

// linkAuthData checks the authData of a user update (PUT /1/users/<id>,
// Bmob's "连接用户"): each platform's data must pass the stand-in, and no
// other user may be linked to the same platform id (208). The platforms are
// merged into the user's authData, so linking one keeps the others.
func (a *API) linkAuthData(ctx context.Context, userID string, data map[string]any) (map[string]any, error) {
	auth, isObject := data["authData"].(map[string]any)
	if !isObject || len(auth) == 0 {
		return nil, store.Errorf(208, "authData error OR authData already linked by other user")
	}
	out := withoutKeys(data, "authData")
	for platform, v := range auth {
		fields, _ := v.(map[string]any)
		idField, pid, err := checkAuthData(platform, fields)
		if err != nil {
			return nil, err
		}
		res, err := a.store.Find(ctx, "_User", store.Query{Where: map[string]any{"authData." + platform + "." + idField: pid}, Limit: 2, Keys: []string{"objectId"}})
		if err != nil {
			return nil, err
		}
		for _, u := range res.Results {
			if u["objectId"] != userID {
				return nil, store.Errorf(208, "authData error OR authData already linked by other user")
			}
		}
		out["authData."+platform] = fields
	}
	return out, nil
}

// checkAuthData is the platform stand-in: the required fields are present and
// not empty. It returns the id field used and the user's id on the platform.
func checkAuthData(platform string, fields map[string]any) (string, string, error) {
	p, known := authPlatforms[platform]
	if !known || fields == nil {
		names := make([]string, 0, len(authPlatforms))
		for k := range authPlatforms {
			names = append(names, k)
		}
		sort.Strings(names)
		return "", "", store.Errorf(208, "authData error: unknown platform %q (bmobemu knows %s)", platform, strings.Join(names, ", "))
	}
	for _, req := range p.required {
		present := false
		for _, alt := range strings.Split(req, "|") {
			if v, ok := fields[alt]; ok && v != nil && v != "" {
				present = true
			}
		}
		if !present {
			return "", "", store.Errorf(208, "authData error: %s needs %s", platform, strings.ReplaceAll(req, "|", " or "))
		}
	}
	for _, f := range p.idFields {
		if v, ok := fields[f]; ok && v != nil && v != "" {
			return f, fmt.Sprint(v), nil
		}
	}
	return "", "", store.Errorf(208, "authData error: %s needs %s", platform, strings.Join(p.idFields, " or "))
}

// loginAs answers the user with a new session token (200).
func (a *API) loginAs(ctx context.Context, userID string) (answer, error) {
	sess, err := a.store.CreateSession(ctx, userID, a.sessionTTL)
	if err != nil {
		return answer{}, err
	}
	u, err := a.userWithToken(ctx, userID, sess.Token)
	if err != nil {
		return answer{}, err
	}
	return answer{body: u, status: http.StatusOK, header: http.Header{"Location": {"/1/users/" + userID}}}, nil
}

// createLoggedIn creates a user and answers it whole with a session token (201).
func (a *API) createLoggedIn(ctx context.Context, fields map[string]any) (answer, error) {
	cr, err := a.store.Create(ctx, "_User", fields)
	if err != nil {
		return answer{}, err
	}
	ans, err := a.loginAs(ctx, cr.ObjectID)
	ans.status = http.StatusCreated
	return ans, err
}

func withoutKeys(m map[string]any, drop ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range drop {
		delete(out, k)
	}
	return out
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return hex.EncodeToString(b), nil
}
