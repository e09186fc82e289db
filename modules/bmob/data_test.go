package bmob

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/modulestest"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/store"
)

func newVU(t *testing.T, profile modules.Profile) *modulestest.VU {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "data.db"), store.Options{PasswordIterations: testPasswordIterations})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	vu := modulestest.New(t, &modules.Env{Profile: profile})
	vu.Load(t, "db", NewData(restapi.New(st)))
	return vu
}

// run runs src, which must set the global `out` from its callbacks, and returns
// JSON.stringify(out).
func run(t *testing.T, vu *modulestest.VU, src string) string {
	t.Helper()
	vu.MustRun(t, "var out;\n"+src)
	return vu.JSON(vu.Global("out"))
}

var hex10 = regexp.MustCompile(`[0-9a-f]{10}`)

func TestDataMethodsAnswerRESTText(t *testing.T) {
	for _, profile := range []modules.Profile{modules.Bmob, modules.Compat} {
		t.Run(string(profile), func(t *testing.T) {
			vu := newVU(t, profile)
			got := run(t, vu, `
				db.insert({table: "Game", data: {name: "go", score: 5, tags: ["a"]}}, function (err, data) {
					var id = JSON.parse(data).objectId;
					out = {insertErr: err, insert: String(data), type: typeof data};
					db.findOne({table: "Game", objectId: id}, function (err, data) {
						out.findOne = JSON.parse(data);
						db.update({table: "Game", objectId: id, data: {score: {__op: "Increment", amount: 2}}}, function (err, data) {
							out.update = String(data);
							db.find({table: "Game", where: {score: {$gte: 7}}, keys: "score", count: 1}, function (err, data) {
								out.find = String(data);
								db.remove({table: "Game", objectId: id}, function (err, data) {
									out.remove = String(data);
									db.findOne({table: "Game", objectId: id}, function (err, data) {
										out.missingErr = err;
										out.missing = String(data);
									});
								});
							});
						});
					});
				});`)
			got = hex10.ReplaceAllString(got, "<id>")
			got = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`).ReplaceAllString(got, "<time>")
			wantType := "string"
			if profile == modules.Compat {
				wantType = "object"
			}
			for _, want := range []string{
				`"insertErr":null`,
				`"insert":"{\"createdAt\":\"<time>\",\"objectId\":\"<id>\"}"`,
				`"type":"` + wantType + `"`,
				`"findOne":{"createdAt":"<time>","name":"go","objectId":"<id>","score":5,"tags":["a"],"updatedAt":"<time>"}`,
				`"update":"{\"updatedAt\":\"<time>\"}"`,
				`"find":"{\"count\":1,\"results\":[{\"createdAt\":\"<time>\",\"objectId\":\"<id>\",\"score\":7,\"updatedAt\":\"<time>\"}]}"`,
				`"remove":"{\"msg\":\"ok\"}"`,
				`"missingErr":null`,
				`"missing":"{\"code\":101,\"error\":\"object not found for <id>.\"}"`,
			} {
				if !strings.Contains(got, want) {
					t.Errorf("missing %s in\n%s", want, got)
				}
			}
		})
	}
}

func TestArgumentErrors(t *testing.T) {
	vu := newVU(t, modules.Bmob)
	got := run(t, vu, `
		out = [];
		function keep(err, data) { out.push({code: err && err.code, msg: err && err.error.message, isError: err && err.error instanceof Error, data: data}); }
		db.find({}, keep);
		db.findOne({table: "T"}, keep);
		db.insert({table: "T"}, keep);
		db.insert({table: "T", data: function () {}}, keep);
		db.update({table: "T", objectId: "x"}, keep);
		db.update({table: "T", id: "x", data: {}}, keep);
		db.remove({table: "T", where: {a: 1}}, keep);
		out.push(JSON.stringify({error: new Error("x"), code: 60001}));`)
	want := `[{"code":60001,"msg":"have not input table name!","isError":true,"data":null},` +
		`{"code":60001,"msg":"objectId is empty,so...error!","isError":true,"data":null},` +
		`{"code":60001,"msg":"the data of options attribute have not!","isError":true,"data":null},` +
		`{"code":60004,"msg":"input data error","isError":true,"data":null},` +
		`{"code":60001,"msg":"the data of options attribute have not!","isError":true,"data":null},` +
		`{"code":60001,"msg":"objectId is empty,so...error!","isError":true,"data":null},` +
		`{"code":60001,"msg":"objectId is empty,so...error!","isError":true,"data":null},` +
		`"{\"error\":{},\"code\":60001}"]`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestUndefinedObjectIDReachesREST(t *testing.T) {
	vu := newVU(t, modules.Bmob)
	got := run(t, vu, `db.findOne({table: "T", objectId: undefined}, function (err, data) { out = [err, data]; });`)
	if got != `[null,"{\"code\":101,\"error\":\"object not found for undefined.\"}"]` {
		t.Fatalf("got %s", got)
	}
}

func TestCompatExtensions(t *testing.T) {
	vu := newVU(t, modules.Compat)
	got := run(t, vu, `
		db.insert({table: "Order", data: {orderNum: "A", status: 0}}, function () {
		db.insert({table: "Order", data: {orderNum: "B", status: 0}}, function (e, b) {
			var idB = JSON.parse(b).objectId;
			db.findOne({table: "Order", where: {orderNum: "A"}}, function (err, data) {
				out = {status: data.status, keys: Object.keys(data).length > 0 && Object.keys(data).indexOf("status") < 0, parsed: JSON.parse(data).orderNum, text: data + ""};
				db.findOne({table: "Order", where: {orderNum: "none"}}, function (err, none) {
					out.none = none;
					db.update({table: "Order", where: {status: 0}, data: {status: 2}}, function (err, upd) {
						out.updateWhere = JSON.parse(upd).updatedAt !== undefined;
						db.update({table: "Order", id: idB, data: {status: 3}}, function (err, upd2) {
							db.find({table: "Order", order: "orderNum"}, function (err, all) {
								out.statuses = JSON.parse(all).results.map(function (r) { return r.status; });
								db.remove({table: "Order", where: {status: 2}}, function () {
									db.find({table: "Order"}, function (err, left) { out.left = JSON.parse(left).results.length; });
								});
							});
						});
					});
				});
			});
		});
		});`)
	if !strings.Contains(got, `"status":0`) || !strings.Contains(got, `"parsed":"A"`) || !strings.Contains(got, `"none":null`) ||
		!strings.Contains(got, `"updateWhere":true`) || !strings.Contains(got, `"statuses":[2,3]`) || !strings.Contains(got, `"left":1`) ||
		!strings.Contains(got, `"keys":true`) {
		t.Fatalf("got %s", got)
	}
	notes := strings.Join(vu.Notes, "\n")
	for _, want := range []string{"findOne with where", "update with where", "update with id", "remove with where", "read data.status"} {
		if !strings.Contains(notes, want) {
			t.Errorf("no fidelity note for %q in:\n%s", want, notes)
		}
	}
}

func TestFindMutatesOptionsAndMapsUser(t *testing.T) {
	vu := newVU(t, modules.Bmob)
	got := run(t, vu, `var opts = {table: "User", limit: 1};
		db.find(opts, function (err, data) { out = {left: Object.keys(opts), data: data}; });`)
	if got != `{"left":["limit"],"data":"{\"results\":[]}"}` {
		t.Fatalf("got %s", got)
	}
}
