package bmob

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
)

const testMasterKey = "0123456789abcdef0123456789abcdef"

// seqJS runs steps one after another: each step gets next.
const seqJS = `function seq(steps) { var i = 0; (function next() { var s = steps[i++]; if (s) s(next); })(); }
`

// msg206 is REST's answer to a user update or delete without the user's own
// session token or the master key.
const msg206 = `{\"code\":206,\"error\":\"无权限操作用户表，应用初始化时，请传入MasterKey\"}`

func TestUserMethods(t *testing.T) {
	for _, profile := range profiles {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, profile, restapi.WithMasterKey(testMasterKey))
			e.vu.Set("mk", testMasterKey)
			got := e.run(t, seqJS+`
				out = {};
				var ada, bob;
				function keep(name, next) { return function (err, data) { out[name] = [err, String(data)]; if (next) next(); }; }
				seq([
					function (next) { db.userSignUp({data: {username: "ada", password: "pw1", email: "ada@example.com"}}, function (err, data) {
						out.signUp = [err, String(data), typeof data]; ada = JSON.parse(data); next(); }); },
					function (next) { db.userSignUp({data: {username: "ada", password: "x"}}, keep("duplicate", next)); },
					function (next) { db.userSignUp({data: {username: "bob", password: "pw2"}}, function (err, data) { bob = JSON.parse(data); next(); }); },
					function (next) { db.userLogin({username: "ada", password: "pw1", email: "ignored"}, function (err, data) {
						var u = JSON.parse(data);
						out.login = {err: err, username: u.username, email: u.email, token: typeof u.sessionToken, password: "password" in u, id: u.objectId === ada.objectId};
						next(); }); },
					function (next) { db.userLogin({username: "ada", password: "wrong"}, keep("badLogin", next)); },
					function (next) { db.userLogin({email: "ada@example.com", password: "pw1"}, keep("emailNotSent", next)); },
					function (next) { db.getAllUser(function (err, data) {
						var r = JSON.parse(data).results;
						out.all = r.map(function (u) { return u.username + ("password" in u ? "+pw" : ""); }).sort();
						next(); }); },
					function (next) { db.updateUserByObjectId({objectId: ada.objectId, data: {nickname: "A"}}, keep("updateAnon", next)); },
					function (next) {
						db.setHeader({"X-Bmob-Session-Token": bob.sessionToken});
						db.updateUserByObjectId({objectId: ada.objectId, data: {nickname: "A"}}, keep("updateOther", next)); },
					function (next) {
						db.setHeader({"x-bmob-session-token": ada.sessionToken});
						out.header = db.getHeader({"X-Bmob-Session-Token": 1}) === ada.sessionToken;
						db.updateUserByObjectId({objectId: ada.objectId, data: {nickname: "A"}}, function (err, data) {
							out.updateOwn = [err, Object.keys(JSON.parse(data))]; next(); }); },
					function (next) { db.getUserByObjectId({objectId: ada.objectId}, function (err, data) { out.get = String(data); next(); }); },
					function (next) { db.removeUserByObjectId({objectId: bob.objectId}, keep("removeOther", next)); },
					function (next) {
						var admin = load("oData");
						admin.setHeader({"X-Bmob-Master-Key": mk});
						admin.updateUserByObjectId({objectId: bob.objectId, data: {nickname: "B"}}, function (err, data) {
							out.updateMaster = Object.keys(JSON.parse(data));
							admin.removeUserByObjectId({objectId: bob.objectId}, keep("removeMaster", next));
						}); },
					function (next) { db.getUserByObjectId({objectId: bob.objectId}, keep("getRemoved", next)); },
					function (next) { db.userRestPassword({data: {email: "ada@example.com"}}, keep("reset", next)); },
					function (next) { db.requestEmailVerify({data: {email: "nobody@example.com"}}, keep("verifyUnknown", next)); },
					function (next) { db.requestEmailVerify({data: {email: "ada@example.com"}}, keep("verify", next)); },
				]);`)
			n := normal(got)
			for _, want := range []string{
				`"signUp":[null,"{\"createdAt\":\"<time>\",\"objectId\":\"<id>\",\"sessionToken\":\"`,
				`"` + wantType(profile) + `"]`,
				`"duplicate":[null,"{\"code\":202,\"error\":\"username 'ada' already taken.\"}"]`,
				`"login":{"err":null,"username":"ada","email":"ada@example.com","token":"string","password":false,"id":true}`,
				`"badLogin":[null,"{\"code\":101,\"error\":\"username or password incorrect.\"}"]`,
				`"emailNotSent":[null,"{\"code\":109,\"error\":\"login data required.\"}"]`,
				`"all":["ada","bob"]`,
				`"updateAnon":[null,"` + msg206 + `"]`,
				`"updateOther":[null,"` + msg206 + `"]`,
				`"header":true`,
				`"updateOwn":[null,["updatedAt"]]`,
				`"removeOther":[null,"` + msg206 + `"]`,
				`"updateMaster":["updatedAt"]`,
				`"removeMaster":[null,"{\"msg\":\"ok\"}"]`,
				`"getRemoved":[null,"{\"code\":101,\"error\":\"object not found for <id>.\"}"]`,
				`"reset":[null,"{\"msg\":\"ok\"}"]`,
				`"verifyUnknown":[null,"{\"code\":205,\"error\":\"no user found with email 'nobody@example.com'.\"}"]`,
				`"verify":[null,"{\"msg\":\"ok\"}"]`,
			} {
				if !strings.Contains(n, want) {
					t.Errorf("missing %s in\n%s", want, n)
				}
			}
			if strings.Contains(got, "pw1") || strings.Contains(got, `password\":`) {
				t.Errorf("a password reached the script: %s", got)
			}
			// getUserByObjectId (after the update) answers what GET /1/users/<id> answers.
			out := e.vu.Runtime().Get("out").ToObject(e.vu.Runtime())
			var signUp struct{ ObjectID string }
			_ = json.Unmarshal([]byte(out.Get("signUp").ToObject(e.vu.Runtime()).Get("1").String()), &signUp)
			resp := e.rest(t, http.MethodGet, "/1/users/"+signUp.ObjectID, nil, "", nil)
			if out.Get("get").String() != string(resp.Body) {
				t.Fatalf("module %s\nREST   %s", out.Get("get"), resp.Body)
			}
			// The update made with the session token reads back over REST.
			if !strings.Contains(string(resp.Body), `"nickname":"A"`) {
				t.Fatalf("update did not reach the store: %s", resp.Body)
			}
		})
	}
}

func TestUsersRoundTripRESTAndModule(t *testing.T) {
	e := newEnv(t, modules.Bmob, restapi.WithMasterKey(testMasterKey))
	// Signed up over REST, logged in by the module.
	if resp := e.rest(t, http.MethodPost, "/1/users", nil, `{"username":"rest","password":"p"}`, nil); resp.Status != http.StatusCreated {
		t.Fatalf("signup: %d %s", resp.Status, resp.Body)
	}
	got := e.run(t, `db.userLogin({username: "rest", password: "p"}, function (err, data) {
		db.userSignUp({data: {username: "mod", password: "q", age: 7}}, function () { out = JSON.parse(data).username; });
	});`)
	if got != `"rest"` {
		t.Fatalf("module login of a REST user: %s", got)
	}
	// Signed up by the module, logged in over REST.
	resp := e.rest(t, http.MethodGet, "/1/login", url.Values{"username": {"mod"}, "password": {"q"}}, "", nil)
	if resp.Status != http.StatusOK || !strings.Contains(string(resp.Body), `"age":7`) || strings.Contains(string(resp.Body), `"password"`) {
		t.Fatalf("REST login of a module user: %d %s", resp.Status, resp.Body)
	}
}

func TestUserArgumentErrors(t *testing.T) {
	e := newEnv(t, modules.Bmob)
	got := e.run(t, `
		out = [];
		function keep(name) { return function (err, data) { out.push([name, err && err.code, err && err.error.message, data]); }; }
		db.userSignUp({}, keep("userSignUp"));
		db.userSignUp({data: undefined}, keep("userSignUp undefined data"));
		db.userRestPassword({}, keep("userRestPassword"));
		db.getUserByObjectId({}, keep("getUserByObjectId"));
		db.updateUserByObjectId({objectId: "x"}, keep("updateUserByObjectId no data"));
		db.updateUserByObjectId({data: {}}, keep("updateUserByObjectId no objectId"));
		db.removeUserByObjectId({}, keep("removeUserByObjectId"));
		db.requestEmailVerify({}, keep("requestEmailVerify"));`)
	want := `[["userSignUp",60001,"the data of options attribute have not!",null],` +
		`["userSignUp undefined data",60004,"input data error",null],` +
		`["userRestPassword",60001,"the data of options attribute have not!",null],` +
		`["getUserByObjectId",60001,"objectId is empty,so...error!",null],` +
		`["updateUserByObjectId no data",60001,"the data of options attribute have not!",null],` +
		`["updateUserByObjectId no objectId",60001,"objectId is empty,so...error!",null],` +
		`["removeUserByObjectId",60001,"objectId is empty,so...error!",null],` +
		`["requestEmailVerify",60006,"not match http method",null]]`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestGetAllUserTakesTheCallbackFirstOrSecond(t *testing.T) {
	e := newEnv(t, modules.Bmob)
	e.rest(t, http.MethodPost, "/1/users", nil, `{"username":"u","password":"p"}`, nil)
	got := e.run(t, `out = {};
		db.getAllUser(function (err, data) { out.first = JSON.parse(data).results.length; });
		db.getAllUser({}, function (err, data) { out.second = JSON.parse(data).results.length; });`)
	if !strings.Contains(got, `"first":1`) || !strings.Contains(got, `"second":1`) {
		t.Fatalf("got %s", got)
	}
}

func TestRelationQueryOnUsersAndWrapperSessionToken(t *testing.T) {
	for _, profile := range profiles {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, profile, restapi.WithMasterKey(testMasterKey))
			var ids []string
			var token string
			for _, name := range []string{"ada", "bob", "cy"} {
				resp := e.rest(t, http.MethodPost, "/1/users", nil, `{"username":"`+name+`","password":"secret-`+name+`"}`, nil)
				var u struct{ ObjectID, SessionToken string }
				if err := json.Unmarshal(resp.Body, &u); err != nil || resp.Status != http.StatusCreated {
					t.Fatalf("signup: %d %s", resp.Status, resp.Body)
				}
				ids = append(ids, u.ObjectID)
				if token == "" {
					token = u.SessionToken
				}
			}
			ptr := func(id string) string { return `{"__type":"Pointer","className":"_User","objectId":"` + id + `"}` }
			post := e.create(t, "Post", `{"title":"t","likes":{"__op":"AddRelation","objects":[`+ptr(ids[0])+`,`+ptr(ids[2])+`]}}`)
			// A row only ada may read.
			e.create(t, "Secret", `{"v":1,"ACL":{"`+ids[0]+`":{"read":true,"write":true}}}`)
			e.vu.Set("post", post)
			e.vu.Set("token", token)
			got := e.run(t, seqJS+`
				out = {};
				var where = {$relatedTo: {object: {__type: "Pointer", className: "Post", objectId: post}, key: "likes"}};
				seq([
					function (next) { rel.query({table: "users", where: where, order: "username"}, function (err, data) {
						out.likers = JSON.parse(data).results.map(function (u) { return u.username; });
						out.likersText = String(data); next(); }); },
					function (next) { arr.query({table: "Secret"}, function (err, data) { out.anonymous = JSON.parse(data).results.length; next(); }); },
					function (next) {
						rel.setHeader({"X-Bmob-Session-Token": token}); // reaches every wrapper of this call
						arr.query({table: "Secret"}, function (err, data) { out.withToken = JSON.parse(data).results.length; next(); }); },
					function (next) {
						atom.setHeader({"X-Bmob-Session-Token": "not-a-token"});
						arr.query({table: "Secret"}, function (err, data) { out.badToken = JSON.parse(data).code; next(); }); },
				]);`)
			for _, want := range []string{`"likers":["ada","cy"]`, `"anonymous":0`, `"withToken":1`, `"badToken":211`} {
				if !strings.Contains(got, want) {
					t.Errorf("missing %s in\n%s", want, got)
				}
			}
			if strings.Contains(got, "secret-") {
				t.Errorf("a password reached the script: %s", got)
			}
			where := `{"$relatedTo":{"object":{"__type":"Pointer","className":"Post","objectId":"` + post + `"},"key":"likes"}}`
			viaREST := e.rest(t, http.MethodGet, "/1/users", url.Values{"where": {where}, "order": {"username"}}, "", nil)
			if text := e.vu.Runtime().Get("out").ToObject(e.vu.Runtime()).Get("likersText").String(); text != string(viaREST.Body) {
				t.Fatalf("module %s\nREST   %s", text, viaREST.Body)
			}
		})
	}
}

func TestWrongMasterKeyIsDataNotErr(t *testing.T) {
	e := newEnv(t, modules.Bmob, restapi.WithMasterKey(testMasterKey))
	got := e.run(t, `db.setHeader({"X-Bmob-Master-Key": "wrong"});
		db.getAllUser(function (err, data) { out = [err, data]; });`)
	if got != `[null,"{\"error\":\"unauthorized\"}"]` {
		t.Fatalf("got %s", got)
	}
}
