package restapi

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/internal/storetest"
	"github.com/bmobemu/bmobemu/store"
)

const testMasterKey = "0123456789abcdef0123456789abcdef"

// fixture is an API over a real store on a fake clock, with a master key, a
// files folder and a cheap password hash.
type fixture struct {
	t     *testing.T
	api   *API
	clock *clock.Fake
	files string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clk := clock.NewFake(time.Date(2024, 6, 1, 9, 0, 0, 0, bjtime.Location))
	st := storetest.Open(t, store.Options{Now: clk.Now, PasswordIterations: 1000})
	files := filepath.Join(t.TempDir(), "api.db.files")
	return &fixture{t: t, api: New(st, WithMasterKey(testMasterKey), WithFilesDir(files)), clock: clk, files: files}
}

// do calls the API and decodes the JSON answer.
func (f *fixture) do(method, target, body string, header ...string) (int, map[string]any) {
	f.t.Helper()
	resp := call(f.api, method, target, body, header...)
	var m map[string]any
	if err := json.Unmarshal(resp.Body, &m); err != nil {
		f.t.Fatalf("%s %s: answer is not a JSON object: %s", method, target, resp.Body)
	}
	return resp.Status, m
}

// wantError checks a Bmob error answer.
func (f *fixture) wantError(method, target, body string, code int, msg string, header ...string) {
	f.t.Helper()
	status, m := f.do(method, target, body, header...)
	if status != 400 || m["code"] != float64(code) || msg != "" && m["error"] != msg {
		f.t.Errorf("%s %s %s: %d %v, want code %d %q", method, target, body, status, m, code, msg)
	}
}

func (f *fixture) signUp(name, pw string) (id, token string) {
	f.t.Helper()
	status, m := f.do("POST", "/1/users", `{"username":"`+name+`","password":"`+pw+`","email":"`+name+`@example.com"}`)
	if status != 201 {
		f.t.Fatalf("signup %s: %d %v", name, status, m)
	}
	return m["objectId"].(string), m["sessionToken"].(string)
}

func master() []string { return []string{HeaderMasterKey, testMasterKey} }

func session(tok string) []string { return []string{HeaderSessionToken, tok} }

func TestSignUpAndLogin(t *testing.T) {
	f := newFixture(t)
	resp := call(f.api, "POST", "/1/users", `{"username":"ann","password":"pw1","mobilePhoneNumber":"13800000000","age":3}`)
	var su map[string]any
	json.Unmarshal(resp.Body, &su)
	if resp.Status != 201 || len(su) != 3 || su["createdAt"] != "2024-06-01 09:00:00" || len(su["sessionToken"].(string)) != 32 ||
		resp.Header.Get("Location") != "/1/users/"+su["objectId"].(string) {
		t.Fatalf("signup: %d %s %v", resp.Status, resp.Body, resp.Header)
	}
	id := su["objectId"].(string)
	for _, target := range []string{"/1/login", "/1/login?username=ann&password=pw1", "/1/login?username=13800000000&password=pw1"} {
		method, body := "GET", ""
		if target == "/1/login" {
			method, body = "POST", `{"username":"ann","password":"pw1"}`
		}
		status, m := f.do(method, target, body)
		if status != 200 || m["objectId"] != id || m["username"] != "ann" || m["age"] != 3.0 || len(m["sessionToken"].(string)) != 32 || m["password"] != nil {
			t.Errorf("%s %s: %d %v", method, target, status, m)
		}
	}
	status, m := f.do("POST", "/1/login", `{"mobilePhoneNumber":"13800000000","password":"pw1"}`)
	if status != 200 || m["objectId"] != id {
		t.Errorf("login by mobile: %d %v", status, m)
	}
	f.wantError("GET", "/1/login?username=ann&password=nope", "", 101, "username or password incorrect.")
	f.wantError("GET", "/1/login?username=nobody&password=pw1", "", 101, "username or password incorrect.")
	f.wantError("GET", "/1/login?username=ann", "", 108, "username and password required.")
	f.wantError("POST", "/1/login", `{"password":"pw1"}`, 109, "login data required.")
	f.wantError("POST", "/1/users", `{"username":"bob"}`, 108, "username and password required.")
	f.wantError("POST", "/1/users", `{"password":"x"}`, 108, "username and password required.")
	f.wantError("POST", "/1/users", `{"username":"ann","password":"x"}`, 202, "username 'ann' already taken.")
	f.wantError("POST", "/1/users", `{"username":"bob","password":"x","mobilePhoneNumber":"13800000000"}`, 209, "mobilePhoneNumber '13800000000' already taken.")
	f.signUp("cat", "pw")
	f.wantError("POST", "/1/classes/_User", `{"username":"dan","password":"x","email":"cat@example.com"}`, 203, "email 'cat@example.com' already taken.")
	f.wantError("POST", "/1/users", `not json`, 107, "invalid json: not json.")
}

func TestPasswordNeverReturned(t *testing.T) {
	f := newFixture(t)
	id, tok := f.signUp("ann", "hunter2")
	f.do("POST", "/1/classes/Post", `{"author":{"__type":"Pointer","className":"_User","objectId":"`+id+`"}}`)
	targets := []string{
		"/1/users", "/1/users/" + id, "/1/classes/_User", "/1/classes/_User/" + id, "/1/me",
		"/1/classes/_User?keys=password", "/1/classes/Post?include=author", "/1/classes/Post?include=author[password]",
		"/1/login?username=ann&password=hunter2", "/1/cloudQuery?bql=" + strings.ReplaceAll("select password from _User", " ", "%20"),
	}
	for _, target := range targets {
		resp := call(f.api, "GET", target, "", append(session(tok), master()...)...)
		if resp.Status != 200 || strings.Contains(string(resp.Body), "password") || strings.Contains(string(resp.Body), "hunter2") ||
			strings.Contains(string(resp.Body), "pbkdf2") {
			t.Errorf("GET %s: %d %s", target, resp.Status, resp.Body)
		}
	}
	// A where on password finds nothing, so it cannot be probed.
	status, m := f.do("GET", "/1/users?where="+`%7B%22password%22%3A%22hunter2%22%7D`, "")
	if status != 200 || len(m["results"].([]any)) != 0 {
		t.Errorf("where password: %d %v", status, m)
	}
}

func TestSessionsAndMe(t *testing.T) {
	f := newFixture(t)
	id, tok := f.signUp("ann", "pw")
	status, m := f.do("GET", "/1/me", "", session(tok)...)
	if status != 200 || m["objectId"] != id || m["sessionToken"] != tok {
		t.Errorf("me: %d %v", status, m)
	}
	f.wantError("GET", "/1/me", "", 211, msgNotLoggedIn)
	if _, m := f.do("GET", "/1/checkSession/"+id, "", session(tok)...); m["msg"] != "ok" {
		t.Errorf("checkSession: %v", m)
	}
	if _, m := f.do("GET", "/1/checkSession/someoneelse", "", session(tok)...); m["msg"] != "fail" {
		t.Errorf("checkSession of another user: %v", m)
	}
	f.clock.Advance(DefaultSessionTTL - time.Minute)
	if status, _ := f.do("GET", "/1/me", "", session(tok)...); status != 200 {
		t.Errorf("session expired early: %d", status)
	}
	f.clock.Advance(time.Minute)
	if _, m := f.do("GET", "/1/checkSession/"+id, "", session(tok)...); m["msg"] != "fail" {
		t.Errorf("checkSession after 7 days: %v", m)
	}
	f.wantError("GET", "/1/me", "", 211, msgNotLoggedIn, session(tok)...)
	f.wantError("GET", "/1/classes/Anything", "", 211, msgNotLoggedIn, session(tok)...)
	f.wantError("GET", "/1/classes/Anything", "", 211, msgNotLoggedIn, "x-bmob-session-token", "ffffffffffffffffffffffffffffffff")
	// A new login gives a new token; the old one stays expired.
	_, m = f.do("GET", "/1/login?username=ann&password=pw", "")
	if status, _ := f.do("GET", "/1/me", "", session(m["sessionToken"].(string))...); status != 200 {
		t.Errorf("fresh login: %d", status)
	}
}

func TestUserUpdateDeleteRules(t *testing.T) {
	f := newFixture(t)
	ann, annTok := f.signUp("ann", "pw")
	bob, bobTok := f.signUp("bob", "pw")
	for _, target := range []string{"/1/users/" + ann, "/1/classes/_User/" + ann} {
		f.wantError("PUT", target, `{"age":1}`, 206, msgUserTable)
		f.wantError("PUT", target, `{"age":1}`, 206, msgUserTable, session(bobTok)...)
		f.wantError("DELETE", target, "", 206, msgUserTable, session(bobTok)...)
	}
	if status, m := f.do("PUT", "/1/users/"+ann, `{"age":1}`, session(annTok)...); status != 200 || m["updatedAt"] == nil {
		t.Errorf("own update: %d %v", status, m)
	}
	f.wantError("PUT", "/1/users/"+ann, `{"username":"bob"}`, 202, "username 'bob' already taken.", session(annTok)...)
	f.wantError("PUT", "/1/users/"+ann, `{"password":""}`, 108, "", session(annTok)...)
	// Changing the password over PUT hashes it like signup.
	if status, _ := f.do("PUT", "/1/users/"+ann, `{"password":"new"}`, master()...); status != 200 {
		t.Fatalf("master update: %d", status)
	}
	if status, _ := f.do("GET", "/1/login?username=ann&password=new", ""); status != 200 {
		t.Error("password set by PUT does not log in")
	}
	resp := call(f.api, "GET", "/1/users/"+ann, "", HeaderMasterKey, "wrong")
	if resp.Status != 401 || string(resp.Body) != `{"error":"unauthorized"}` {
		t.Errorf("wrong master key: %d %s", resp.Status, resp.Body)
	}
	if status, m := f.do("DELETE", "/1/users/"+bob, "", session(bobTok)...); status != 200 || m["msg"] != "ok" {
		t.Errorf("own delete: %d %v", status, m)
	}
	f.wantError("GET", "/1/me", "", 211, "", session(bobTok)...)
	if status, _ := f.do("DELETE", "/1/classes/_User/"+ann, "", master()...); status != 200 {
		t.Errorf("master delete: %d", status)
	}
	f.wantError("GET", "/1/users/"+ann, "", 101, "object not found for "+ann+".")
}

func TestUpdatePasswordAndMails(t *testing.T) {
	f := newFixture(t)
	ann, tok := f.signUp("ann", "old")
	target := "/1/updateUserPassword/" + ann
	f.wantError("PUT", target, `{"oldPassword":"old","newPassword":"new"}`, 206, msgUserTable)
	f.wantError("PUT", target, `{"oldPassword":"bad","newPassword":"new"}`, 210, "old password incorrect.", session(tok)...)
	f.wantError("PUT", target, `{"newPassword":"new"}`, 118, "param oldPassword is need.", session(tok)...)
	f.wantError("PUT", target, `{"oldPassword":"old"}`, 10050, "new password is empty", session(tok)...)
	f.wantError("PUT", target, `{"oldPassword":"old","newPassword":5}`, 10051, "new password must string", session(tok)...)
	if status, m := f.do("POST", target, `{"oldPassword":"old","newPassword":"new"}`, session(tok)...); status != 200 || m["msg"] != "ok" {
		t.Fatalf("update password: %d %v", status, m)
	}
	f.wantError("GET", "/1/login?username=ann&password=old", "", 101, "")
	if status, _ := f.do("GET", "/1/login?username=ann@example.com&password=new", ""); status != 200 {
		t.Error("new password (login by email) fails")
	}
	for _, p := range []string{"/1/requestPasswordReset", "/1/requestEmailVerify"} {
		if status, m := f.do("POST", p, `{"email":"ann@example.com"}`); status != 200 || m["msg"] != "ok" {
			t.Errorf("%s: %d %v", p, status, m)
		}
		f.wantError("POST", p, `{"email":"nobody@example.com"}`, 205, "no user found with email 'nobody@example.com'.")
		f.wantError("POST", p, `{}`, 118, "param email is need.")
	}
	// Recorded, readable with the master key only.
	if _, m := f.do("GET", "/1/classes/_EmailRequest", ""); len(m["results"].([]any)) != 0 {
		t.Errorf("mail requests public: %v", m)
	}
	_, m := f.do("GET", "/1/classes/_EmailRequest?order=kind", "", master()...)
	if rs := m["results"].([]any); len(rs) != 2 || rs[0].(map[string]any)["kind"] != "emailVerify" || rs[1].(map[string]any)["email"] != "ann@example.com" {
		t.Errorf("mail requests: %v", m)
	}
}
