package bmob

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules"
)

func TestRelationMethodsAndRoundTrip(t *testing.T) {
	for _, profile := range profiles {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, profile)
			g1 := e.create(t, "Game", `{"name":"g1"}`)
			g2 := e.create(t, "Game", `{"name":"g2"}`)
			e.vu.Set("g1", g1)
			e.vu.Set("g2", g2)
			got := e.run(t, `
				function ptr(id) { return {__type: "Pointer", className: "Game", objectId: id}; }
				out = {};
				rel.add({table: "GameScore", data: {game: ptr(g1), gamerel: {__op: "AddRelation", objects: [ptr(g1), ptr(g2)]}}}, function (err, data) {
					out.addErr = err; out.add = String(data); out.type = typeof data;
					var sid = JSON.parse(data).objectId;
					out.sid = sid;
					rel.delete({table: "GameScore", objectId: sid, data: {gamerel: {__op: "RemoveRelation", objects: [ptr(g1)]}}}, function (err, data) {
						out.del = String(data);
						rel.update({table: "GameScore", objectId: sid, data: {game: ptr(g2)}}, function (err, data) {
							out.upd = String(data);
							rel.query({table: "Game", where: {$relatedTo: {object: {__type: "Pointer", className: "GameScore", objectId: sid}, key: "gamerel"}}}, function (err, data) {
								out.related = JSON.parse(data).results.map(function (r) { return r.name; });
								rel.query({table: "GameScore", include: "game", keys: "game"}, function (err, data) {
									out.included = JSON.parse(data).results[0].game;
								});
							});
						});
					});
				});`)
			n := normal(got)
			for _, want := range []string{
				`"addErr":null`,
				`"add":"{\"createdAt\":\"<time>\",\"objectId\":\"<id>\"}"`,
				`"type":"` + wantType(profile) + `"`,
				`"del":"{\"updatedAt\":\"<time>\"}"`,
				`"upd":"{\"updatedAt\":\"<time>\"}"`,
				`"related":["g2"]`,
				`"included":{"__type":"Object","className":"Game","createdAt":"<time>","name":"g2","objectId":"<id>","updatedAt":"<time>"}`,
			} {
				if !strings.Contains(n, want) {
					t.Errorf("missing %s in\n%s", want, n)
				}
			}
			// The row the module wrote reads back over REST with the relation and the new pointer.
			sid := e.vu.Runtime().Get("out").ToObject(e.vu.Runtime()).Get("sid").String()
			resp := e.rest(t, http.MethodGet, "/1/classes/GameScore/"+sid, nil, "", nil)
			body := string(resp.Body)
			if !strings.Contains(body, `"gamerel":{"__type":"Relation","className":"Game"}`) ||
				!strings.Contains(body, `"game":{"__type":"Pointer","className":"Game","objectId":"`+g2+`"}`) {
				t.Fatalf("REST read back %s", body)
			}
		})
	}
}

func TestArrayAtomLocationMethodsAndRoundTrip(t *testing.T) {
	for _, profile := range profiles {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, profile)
			got := e.run(t, `
				out = {};
				var T = "GameScore";
				arr.add({table: T, data: {skills: {__op: "Add", objects: ["flying", "kungfu"]}}}, function (err, data) {
					out.add = String(data);
					var id = JSON.parse(data).objectId;
					out.id = id;
					arr.addUnique({table: T, objectId: id, data: {skills: {__op: "AddUnique", objects: ["flying", "swim"]}}}, function (err, data) {
						out.addUnique = String(data);
						arr.remove({table: T, objectId: id, data: {skills: {__op: "Remove", objects: ["kungfu"]}}}, function (err, data) {
							arr.query({table: T, where: {skills: "swim"}}, function (err, data) {
								out.contains = JSON.parse(data).results.length;
								arr.query({table: T, where: {skills: {$all: ["flying", "kungfu"]}}}, function (err, data) {
									out.all = JSON.parse(data).results.length;
									atom.exec({table: T, objectId: id, data: {score: {__op: "Increment", amount: 5}}}, function (err, data) {
										out.atom = String(data);
										atom.exec({table: T, objectId: id, data: {score: {__op: "Increment", amount: -2}}}, function () {
											loc.create({table: T, objectId: id, data: {location: {__type: "GeoPoint", latitude: 30.0, longitude: 20.0}}}, function (err, data) {
												out.create = String(data);
												var near = {__type: "GeoPoint", latitude: 30.05, longitude: 20.0};
												loc.query({table: T, limit: 10, where: {location: {$nearSphere: near, $maxDistanceInKilometers: 10.0}}}, function (err, data) {
													out.near = JSON.parse(data).results.length;
													loc.query({table: T, where: {location: {$nearSphere: {__type: "GeoPoint", latitude: 40, longitude: 20}}}}, function (err, data) {
														out.far = JSON.parse(data).results.length;
														loc.query({table: T, where: {location: {$within: {$box: [
															{__type: "GeoPoint", latitude: 29, longitude: 19}, {__type: "GeoPoint", latitude: 31, longitude: 21}]}}}}, function (err, data) {
															out.box = JSON.parse(data).results.length;
															out.boxText = String(data);
														});
													});
												});
											});
										});
									});
								});
							});
						});
					});
				});`)
			n := normal(got)
			for _, want := range []string{
				`"add":"{\"createdAt\":\"<time>\",\"objectId\":\"<id>\"}"`,
				`"addUnique":"{\"updatedAt\":\"<time>\"}"`,
				`"contains":1`, `"all":0`,
				`"atom":"{\"updatedAt\":\"<time>\"}"`,
				`"create":"{\"updatedAt\":\"<time>\"}"`,
				`"near":1`, `"far":0`, `"box":1`,
			} {
				if !strings.Contains(n, want) {
					t.Errorf("missing %s in\n%s", want, n)
				}
			}
			out := e.vu.Runtime().Get("out").ToObject(e.vu.Runtime())
			id := out.Get("id").String()
			resp := e.rest(t, http.MethodGet, "/1/classes/GameScore/"+id, nil, "", nil)
			body := string(resp.Body)
			for _, want := range []string{`"skills":["flying","swim"]`, `"score":3`, `"location":{"__type":"GeoPoint","latitude":30,"longitude":20}`} {
				if !strings.Contains(body, want) {
					t.Errorf("REST read back %s, missing %s", body, want)
				}
			}
			// The module's query text is byte for byte what a REST client gets.
			where := `{"location":{"$within":{"$box":[{"__type":"GeoPoint","latitude":29,"longitude":19},{"__type":"GeoPoint","latitude":31,"longitude":21}]}}}`
			viaREST := e.rest(t, http.MethodGet, "/1/classes/GameScore", url.Values{"where": {where}}, "", nil)
			if got := out.Get("boxText").String(); got != string(viaREST.Body) {
				t.Fatalf("module answered\n%s\nREST answered\n%s", got, viaREST.Body)
			}
		})
	}
}

func TestRowWrittenOverRESTReadsBackThroughWrappers(t *testing.T) {
	e := newEnv(t, modules.Bmob)
	id := e.create(t, "Post", `{"title":"hi","tags":["a","b"],"n":1}`)
	e.vu.Set("id", id)
	got := e.run(t, `
		arr.query({table: "Post", where: {tags: "b"}, keys: "title,tags,n"}, function (err, data) {
			out = data;
		});`)
	want := e.rest(t, http.MethodGet, "/1/classes/Post", url.Values{"where": {`{"tags":"b"}`}, "keys": {"title,tags,n"}}, "", nil)
	var s string
	if err := json.Unmarshal([]byte(got), &s); err != nil || s != string(want.Body) {
		t.Fatalf("module %s\nREST   %s", got, want.Body)
	}
}

func TestWrapperArgumentErrors(t *testing.T) {
	for _, profile := range profiles {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, profile)
			got := e.run(t, `
				out = [];
				function keep(name) {
					return function (err, data) { out.push([name, err && err.code, err && err.error instanceof Error && err.error.message, data]); };
				}
				rel.add({data: {}}, keep("rel.add no table"));
				rel.query({}, keep("rel.query no table"));
				rel.update({table: "T", objectId: "x"}, keep("rel.update no data"));
				rel.delete({table: "T", data: {}}, keep("rel.delete no objectId"));
				arr.add({table: "T"}, keep("arr.add no data"));
				arr.add({table: "T", data: function () {}}, keep("arr.add function data"));
				arr.addUnique({table: "T", data: {}}, keep("arr.addUnique no objectId"));
				arr.remove({table: "T", objectId: "x"}, keep("arr.remove no data"));
				arr.query({where: {}}, keep("arr.query no table"));
				atom.exec({table: "T", data: {}}, keep("atom.exec no objectId"));
				atom.exec({objectId: "x", data: {}}, keep("atom.exec no table"));
				loc.create({table: "T", data: {}}, keep("loc.create no objectId"));
				loc.query(undefined, keep("loc.query no options"));
				bat.exec({}, keep("bat.exec no data"));
				push.add({}, keep("push.add no data"));
				push.update({data: {}}, keep("push.update no objectId"));
				push.send({}, keep("push.send no data"));
				file.del({group: "g"}, keep("file.del no url"));
				file.delete({}, keep("file.delete no url"));`)
			want := `[["rel.add no table",60001,"have not input table name!",null],` +
				`["rel.query no table",60001,"have not input table name!",null],` +
				`["rel.update no data",60004,"input data error",null],` +
				`["rel.delete no objectId",60006,"not match http method",null],` +
				`["arr.add no data",60004,"input data error",null],` +
				`["arr.add function data",60004,"input data error",null],` +
				`["arr.addUnique no objectId",60006,"not match http method",null],` +
				`["arr.remove no data",60004,"input data error",null],` +
				`["arr.query no table",60001,"have not input table name!",null],` +
				`["atom.exec no objectId",60006,"not match http method",null],` +
				`["atom.exec no table",60001,"have not input table name!",null],` +
				`["loc.create no objectId",60006,"not match http method",null],` +
				`["loc.query no options",60001,"have not input table name!",null],` +
				`["bat.exec no data",60004,"input data error",null],` +
				`["push.add no data",60004,"input data error",null],` +
				`["push.update no objectId",60006,"not match http method",null],` +
				`["push.send no data",60004,"input data error",null],` +
				`["file.del no url",60007,"input group or url error",null],` +
				`["file.delete no url",60007,"input group or url error",null]]`
			if got != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestWrapperRESTErrorsAreData(t *testing.T) {
	for _, profile := range profiles {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, profile)
			id := e.create(t, "T", `{"n":1}`)
			e.vu.Set("id", id)
			got := e.run(t, `
				out = {};
				function keep(name) { return function (err, data) { out[name] = [err, String(data), typeof data]; }; }
				atom.exec({table: "T", objectId: "nope", data: {n: {__op: "Increment", amount: 1}}}, keep("a"));
				loc.create({table: "T", objectId: id, data: {p: {__type: "GeoPoint", latitude: 91, longitude: 0}}}, keep("b"));
				arr.query({table: "T", where: "{bad"}, keep("c"));
				rel.update({table: "T", objectId: undefined, data: {}}, keep("d"));
				arr.add({table: "T", objectId: id, data: {a: 1}}, keep("e"));
				out = {}; // keys in a fixed order whatever order the answers come in
				["a", "b", "c", "d", "e"].forEach(function (k) { out[k] = null; });`)
			// Each answer is exactly what a REST client gets for the same request.
			rest := func(method, path string, q url.Values, body string) string {
				resp := e.rest(t, method, path, q, body, nil)
				if resp.Status < 400 {
					t.Fatalf("%s %s succeeded: %s", method, path, resp.Body)
				}
				b, _ := json.Marshal(string(resp.Body))
				return string(b)
			}
			ty := `"` + wantType(profile) + `"`
			want := `{"a":[null,` + rest(http.MethodPut, "/1/classes/T/nope", nil, `{"n":{"__op":"Increment","amount":1}}`) + `,` + ty + `],` +
				`"b":[null,` + rest(http.MethodPut, "/1/classes/T/"+id, nil, `{"p":{"__type":"GeoPoint","latitude":91,"longitude":0}}`) + `,` + ty + `],` +
				`"c":[null,` + rest(http.MethodGet, "/1/classes/T", url.Values{"where": {`"{bad"`}}, "") + `,` + ty + `],` +
				`"d":[null,` + rest(http.MethodPut, "/1/classes/T/undefined", nil, `{}`) + `,` + ty + `],` +
				`"e":[null,` + rest(http.MethodPost, "/1/classes/T/"+id, nil, `{"a":1}`) + `,` + ty + `]}`
			for _, code := range []string{`101`, `117`, `107`, `404`} {
				if !strings.Contains(want, `{\"code\":`+code) {
					t.Fatalf("REST did not answer %s: %s", code, want)
				}
			}
			if got != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}

func TestCompatDataFieldsOnWrapperAnswers(t *testing.T) {
	e := newEnv(t, modules.Compat)
	e.create(t, "T", `{"n":1}`)
	got := e.run(t, `rel.query({table: "T", count: 1}, function (err, data) { out = {count: data.count, n: data.results[0].n}; });`)
	if got != `{"count":1,"n":1}` {
		t.Fatalf("got %s", got)
	}
	if len(e.vu.Notes) == 0 || !strings.Contains(strings.Join(e.vu.Notes, "\n"), "read data.count") {
		t.Fatalf("no fidelity note: %v", e.vu.Notes)
	}
	b := newEnv(t, modules.Bmob)
	b.create(t, "T", `{"n":1}`)
	if got := b.run(t, `rel.query({table: "T", count: 1}, function (err, data) { out = [data.count === undefined, JSON.parse(data).count]; });`); got != `[true,1]` {
		t.Fatalf("bmob profile: %s", got)
	}
}

func TestWrappersShareHeadersButNotWithData(t *testing.T) {
	e := newEnv(t, modules.Bmob)
	got := e.run(t, `
		rel.setHeader({"X-Bmob-Session-Token": "t1"});
		out = [arr.getHeader({"X-Bmob-Session-Token": 1}), file.getHeader({"x-bmob-session-token": 1}), db.getHeader({"X-Bmob-Session-Token": 1}) === undefined];`)
	if got != `["t1","t1",true]` {
		t.Fatalf("got %s", got)
	}
}
