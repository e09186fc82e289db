package bmob

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
)

// TestODataAnswersTheRESTCallsText: each oData call answers its callback the
// byte-identical text of the same REST call, on both profiles, for answers and
// errors alike (times and objectIds of writes normalized).
func TestODataAnswersTheRESTCallsText(t *testing.T) {
	type restCall struct {
		method, path string
		query        url.Values
		body         string
		header       http.Header
	}
	sdk := http.Header{"X-Bmob-Sdk-Type": {"nodejs"}}
	master := http.Header{"X-Bmob-Master-Key": {"mk"}}
	for _, profile := range profiles {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, profile, restapi.WithMasterKey("mk"))
			for i, s := range []string{`{"n":1,"s":"a"}`, `{"n":2,"s":"b"}`, `{"n":2,"s":"c","ACL":{"*":{"read":false}}}`} {
				_ = i
				e.create(t, "Item", s)
			}
			one := e.create(t, "Item", `{"n":9,"s":"one","nested":{"x":[1,2]}}`)
			cases := []struct {
				name    string
				js      string // a call whose callback is cb
				rest    restCall
				written bool // a write: normalize ids and times
			}{
				{"find all", `db.find({table: "Item"}, cb)`, restCall{method: "GET", path: "/1/classes/Item"}, false},
				{"find where count", `db.find({table: "Item", where: {n: 2}, count: 1, keys: "s", order: "-s"}, cb)`,
					restCall{method: "GET", path: "/1/classes/Item", query: url.Values{"where": {`{"n":2}`}, "count": {"1"}, "keys": {"s"}, "order": {"-s"}}}, false},
				{"find as master", `db.setHeader({"X-Bmob-Master-Key": "mk"}); db.find({table: "Item", where: {n: 2}}, cb)`,
					restCall{method: "GET", path: "/1/classes/Item", query: url.Values{"where": {`{"n":2}`}}, header: master}, false},
				{"statistics", `db.find({table: "Item", groupby: "n", sum: "n"}, cb)`,
					restCall{method: "GET", path: "/1/classes/Item", query: url.Values{"groupby": {"n"}, "sum": {"n"}}}, false},
				{"statistics for an SDK", `db.setHeader({"X-Bmob-SDK-Type": "nodejs"}); db.find({table: "Item", groupby: "n"}, cb)`,
					restCall{method: "GET", path: "/1/classes/Item", query: url.Values{"groupby": {"n"}}, header: sdk}, false},
				{"bad where", `db.find({table: "Item", where: "n"}, cb)`,
					restCall{method: "GET", path: "/1/classes/Item", query: url.Values{"where": {`"n"`}}}, false},
				{"bad limit", `db.find({table: "Item", limit: "x"}, cb)`,
					restCall{method: "GET", path: "/1/classes/Item", query: url.Values{"limit": {"x"}}}, false},
				{"empty table", `db.find({table: ""}, cb)`, restCall{method: "GET", path: "/1/classes/"}, false},
				{"findOne", `db.findOne({table: "Item", objectId: "` + one + `"}, cb)`, restCall{method: "GET", path: "/1/classes/Item/" + one}, false},
				{"findOne missing", `db.findOne({table: "Item", objectId: "nope"}, cb)`, restCall{method: "GET", path: "/1/classes/Item/nope"}, false},
				{"findOne empty id", `db.findOne({table: "Item", objectId: ""}, cb)`, restCall{method: "GET", path: "/1/classes/Item/"}, false},
				{"wrong master key", `db.setHeader({"X-Bmob-Master-Key": "bad"}); db.find({table: "Item"}, cb)`,
					restCall{method: "GET", path: "/1/classes/Item", header: http.Header{"X-Bmob-Master-Key": {"bad"}}}, false},
				{"unknown session", `db.setHeader({"X-Bmob-Session-Token": "nope"}); db.findOne({table: "Item", objectId: "` + one + `"}, cb)`,
					restCall{method: "GET", path: "/1/classes/Item/" + one, header: http.Header{"X-Bmob-Session-Token": {"nope"}}}, false},
				{"insert", `db.insert({table: "Made", data: {a: 1}}, cb)`, restCall{method: "POST", path: "/1/classes/Made", body: `{"a":1}`}, true},
				{"insert not an object", `db.insert({table: "Made", data: 5}, cb)`, restCall{method: "POST", path: "/1/classes/Made", body: `5`}, false},
				{"insert a bad role", `db.insert({table: "_Role", data: {name: "a/b"}}, cb)`, restCall{method: "POST", path: "/1/classes/_Role", body: `{"name":"a/b"}`}, false},
				{"update", `db.update({table: "Item", objectId: "` + one + `", data: {n: {__op: "Increment", amount: 1}}}, cb)`,
					restCall{method: "PUT", path: "/1/classes/Item/" + one, body: `{"n":{"__op":"Increment","amount":1}}`}, true},
				{"update missing", `db.update({table: "Item", objectId: "nope", data: {n: 1}}, cb)`,
					restCall{method: "PUT", path: "/1/classes/Item/nope", body: `{"n":1}`}, false},
				{"update a user anonymously", `db.update({table: "_User", objectId: "nope", data: 7}, cb)`,
					restCall{method: "PUT", path: "/1/classes/_User/nope", body: `7`}, false},
				{"remove missing", `db.remove({table: "Item", objectId: "nope"}, cb)`, restCall{method: "DELETE", path: "/1/classes/Item/nope"}, false},
				{"sign up", `db.userSignUp({data: {username: "u1", password: "p"}}, cb)`, restCall{method: "POST", path: "/1/users", body: `{"username":"u2","password":"p"}`}, true},
				{"sign up without password", `db.userSignUp({data: {username: "u3"}}, cb)`, restCall{method: "POST", path: "/1/users", body: `{"username":"u3"}`}, false},
				{"log in wrong", `db.userLogin({username: "u1", password: "x"}, cb)`,
					restCall{method: "GET", path: "/1/login", query: url.Values{"username": {"u1"}, "password": {"x"}}}, false},
				{"all users", `db.getAllUser(cb)`, restCall{method: "GET", path: "/1/users"}, true},
				{"user missing", `db.getUserByObjectId({objectId: "nope"}, cb)`, restCall{method: "GET", path: "/1/users/nope"}, false},
				{"remove a user anonymously", `db.removeUserByObjectId({objectId: "nope"}, cb)`, restCall{method: "DELETE", path: "/1/users/nope"}, false},
				{"oArray.query", `arr.query({table: "Item", where: {n: 2}, count: 1}, cb)`,
					restCall{method: "GET", path: "/1/classes/Item", query: url.Values{"where": {`{"n":2}`}, "count": {"1"}, "table": {"Item"}}}, false},
				{"oArray.query bad skip", `arr.query({table: "Item", skip: -1}, cb)`,
					restCall{method: "GET", path: "/1/classes/Item", query: url.Values{"skip": {"-1"}}}, false},
				{"oRelation.query users", `rel.query({table: "users", groupby: "username"}, cb)`,
					restCall{method: "GET", path: "/1/users", query: url.Values{"groupby": {"username"}}}, false},
				{"oArray.add", `arr.add({table: "Made", data: {tags: ["a"]}}, cb)`, restCall{method: "POST", path: "/1/classes/Made", body: `{"tags":["a"]}`}, true},
				{"oArray.add with an objectId", `arr.add({table: "Made", objectId: "x", data: {tags: ["a"]}}, cb)`,
					restCall{method: "POST", path: "/1/classes/Made/x", body: `{"tags":["a"]}`}, false},
				{"oAtom.exec", `atom.exec({table: "Item", objectId: "` + one + `", data: {n: {__op: "Increment", amount: 1}}}, cb)`,
					restCall{method: "PUT", path: "/1/classes/Item/" + one, body: `{"n":{"__op":"Increment","amount":1}}`}, true},
				{"oAtom.exec missing", `atom.exec({table: "Item", objectId: "nope", data: {n: 1}}, cb)`,
					restCall{method: "PUT", path: "/1/classes/Item/nope", body: `{"n":1}`}, false},
				{"reset for nobody", `db.userRestPassword({data: {email: "x@example.com"}}, cb)`,
					restCall{method: "POST", path: "/1/requestPasswordReset", body: `{"email":"x@example.com"}`}, false},
			}
			for _, c := range cases {
				got := e.run(t, `function cb(err, data) { out = [err, String(data)]; }`+"\n"+c.js)
				var pair [2]any
				if err := json.Unmarshal([]byte(got), &pair); err != nil || pair[0] != nil {
					t.Fatalf("%s: callback got %s", c.name, got)
				}
				resp := e.rest(t, c.rest.method, c.rest.path, c.rest.query, c.rest.body, c.rest.header)
				want, text := string(resp.Body), pair[1].(string)
				if c.written {
					want, text = written(want), written(text)
				}
				if text != want {
					t.Errorf("%s:\n oData %s\n REST  %s", c.name, text, want)
				}
			}
		})
	}
}

// written normalizes the ids, times, session tokens and user names of a write.
func written(s string) string {
	s = regexp.MustCompile(`"sessionToken":"[0-9a-f]+"`).ReplaceAllString(s, `"sessionToken":"<token>"`)
	return normal(strings.ReplaceAll(s, `"u2"`, `"u1"`))
}

// TestODataFindAnswersExactText pins texts the typed results write themselves.
func TestODataFindAnswersExactText(t *testing.T) {
	e := newEnv(t, modules.Bmob)
	e.create(t, "T", `{"n":1,"s":"<a&b>\u2028é"}`)
	got := e.run(t, `db.find({table: "T", count: 1}, function (err, data) { out = data; });`)
	var text string
	if err := json.Unmarshal([]byte(got), &text); err != nil {
		t.Fatal(got)
	}
	if got, want := normal(text), `{"count":1,"results":[{"createdAt":"<time>","n":1,"objectId":"<id>","s":"<a&b>\u2028é","updatedAt":"<time>"}]}`; got != want {
		t.Errorf("find: %s, want %s", got, want)
	}
	if rest := e.rest(t, http.MethodGet, "/1/classes/T", url.Values{"count": {"1"}}, "", nil); string(rest.Body) != text {
		t.Errorf("REST answers %s, oData %s", rest.Body, text)
	}
	got = e.run(t, `db.find({table: "Nothing"}, function (err, data) { out = data; });`)
	if want := `"{\"results\":[]}"`; got != want {
		t.Errorf("empty find: %s, want %s", got, want)
	}
}

// TestODataMethodsAreMadeOncePerVM: every call's oData is a new object, its
// methods the same functions; each object keeps its own headers, and a method
// called on its own uses the latest object's.
func TestODataMethodsAreMadeOncePerVM(t *testing.T) {
	e := newEnv(t, modules.Bmob, restapi.WithMasterKey("mk"))
	id := e.create(t, "T", `{"n":1,"ACL":{}}`) // readable with the master key only
	got := e.run(t, `
		var a = load("oData"), b = load("oData");
		out = {sameFns: a.find === b.find && a.setHeader === b.setHeader, sameObj: a === b, keys: Object.keys(a).length};
		a.foo = 1;
		out.foo = load("oData").foo;
		b.setHeader({"X-Bmob-Master-Key": "mk"});
		out.aHeader = a.getHeader({"X-Bmob-Master-Key": 1});
		out.bHeader = b.getHeader({"X-Bmob-Master-Key": 1});
		a.findOne({table: "T", objectId: "`+id+`"}, function (err, data) { out.a = JSON.parse(data).code || "found";
			b.findOne({table: "T", objectId: "`+id+`"}, function (err, data) { out.b = JSON.parse(data).code || "found";
				var c = load("oData"), find = c.findOne;
				c.setHeader({"X-Bmob-Master-Key": "mk"});
				find({table: "T", objectId: "`+id+`"}, function (err, data) { out.detached = JSON.parse(data).code || "found"; });
			});
		});`)
	want := `{"sameFns":true,"sameObj":false,"keys":15,"aHeader":undefined,"bHeader":"mk","a":122,"b":"found","detached":"found"}`
	want = strings.Replace(want, `"aHeader":undefined,`, "", 1)
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestJSONTextFieldsParseOnRead: compat's fields of the JSON text are parsed
// once, when first read, and stay the same objects.
func TestJSONTextFieldsParseOnRead(t *testing.T) {
	e := newEnv(t, modules.Compat)
	e.create(t, "T", `{"n":1}`)
	got := e.run(t, `db.find({table: "T"}, function (err, data) {
		var r = data.results;
		data.results.push("x");
		out = {same: r === data.results, len: data.results.length, names: Object.getOwnPropertyNames(data).filter(function (k) { return !/^[0-9]+$/.test(k) && k !== "length"; }),
			enumerable: Object.keys(data).length === String(data).length, text: JSON.parse(data).results.length};
	});`)
	if want := `{"same":true,"len":2,"names":["results"],"enumerable":true,"text":1}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestTopLevelKeys(t *testing.T) {
	for text, want := range map[string][]string{
		`{"b":1,"10":{"x":1},"9":[{"y":2}],"a\"q":"}:{","b":3, "\u0063" : 4}`: {"9", "10", "b", `a"q`, "c"},
		`  {}  `:                                 {},
		`{"01":1,"4294967295":2,"4294967294":3}`: {"4294967294", "01", "4294967295"},
	} {
		got, ok := topLevelKeys(text)
		if !ok || !reflect.DeepEqual(append([]string{}, got...), want) {
			t.Errorf("%s: %q %v, want %q", text, got, ok, want)
		}
	}
	for _, text := range []string{`[1]`, `"x"`, `{"a":1`, `{"a":1}x`, ``, `null`} {
		if keys, ok := topLevelKeys(text); ok {
			t.Errorf("%s: %q, want not an object", text, keys)
		}
	}
}
