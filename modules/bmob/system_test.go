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

func TestBatchExec(t *testing.T) {
	for _, profile := range profiles {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, profile)
			got := e.run(t, seqJS+`
				out = {};
				function req(method, path, body) { return {method: method, path: path, body: body}; }
				var many = [];
				for (var i = 0; i < 51; i++) many.push(req("POST", "/1/classes/GameScore", {n: i}));
				seq([
					function (next) { bat.exec({data: {requests: [
						req("POST", "/1/classes/GameScore", {score: 1337, playerName: "Sean"}),
						req("POST", "/1/classes/GameScore", {score: 1338, playerName: "Zero"}),
						req("PUT", "/1/classes/GameScore/nope", {score: 1}),
						{method: "DELETE", path: "/1/classes/GameScore/nope"}]}}, function (err, data) {
							out.batch = [err, String(data), typeof data]; next(); }); },
					function (next) { bat.exec({data: {requests: many}}, function (err, data) { out.tooMany = String(data); next(); }); },
					function (next) { bat.exec({data: {requests: "no"}}, function (err, data) { out.notArray = String(data); next(); }); },
				]);`)
			n := normal(got)
			for _, want := range []string{
				`"batch":[null,"[{\"success\":{\"createdAt\":\"<time>\",\"objectId\":\"<id>\"}},{\"success\":{\"createdAt\":\"<time>\",\"objectId\":\"<id>\"}},` +
					`{\"error\":{\"code\":101,\"error\":\"object not found for nope.\"}},{\"error\":{\"code\":101,\"error\":\"object not found for nope.\"}}]","` + wantType(profile) + `"]`,
				`"tooMany":"{\"code\":114,\"error\":\"requests array larger than 50\"}"`,
				`"notArray":"{\"code\":112,\"error\":\"requests must be an array.\"}"`,
			} {
				if !strings.Contains(n, want) {
					t.Errorf("missing %s in\n%s", want, n)
				}
			}
			// The two created rows read back over REST; the refused batch wrote nothing.
			resp := e.rest(t, http.MethodGet, "/1/classes/GameScore", url.Values{"order": {"score"}, "keys": {"score,playerName"}}, "", nil)
			var found struct{ Results []map[string]any }
			_ = json.Unmarshal(resp.Body, &found)
			if len(found.Results) != 2 || found.Results[0]["playerName"] != "Sean" || found.Results[1]["score"] != 1338.0 {
				t.Fatalf("REST reads %s", resp.Body)
			}
		})
	}
}

func TestBqlExec(t *testing.T) {
	for _, profile := range profiles {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, profile)
			e.create(t, "GameScore", `{"name":"tom","score":5}`)
			e.create(t, "GameScore", `{"name":"ann","score":7}`)
			got := e.run(t, seqJS+`
				out = {};
				function keep(name, next) { return function (err, data) { out[name] = [err, String(data)]; next(); }; }
				seq([
					function (next) { bql.exec({bql: "select * from GameScore where name=? limit ?,? ", values: "[\"tom\",0,100]"}, function (err, data) {
						out.select = [err, typeof data, JSON.parse(data).results.map(function (r) { return r.name; })]; out.selectText = String(data); next(); }); },
					function (next) { bql.exec({bql: "select count(*) from GameScore"}, function (err, data) { out.count = JSON.parse(data).count; next(); }); },
					function (next) { bql.exec({bql: "insert into GameScore (name, score) values (?, ?)", values: "[\"zed\",1]"}, function (err, data) {
						out.insert = Object.keys(JSON.parse(data)).sort(); next(); }); },
					function (next) { bql.exec({bql: "select * from GameScore where name=?", values: ["tom"]}, keep("arrayValues", next)); },
					function (next) { bql.exec({values: "[]"}, keep("noBql", next)); },
				]);`)
			for _, want := range []string{
				`"select":[null,"` + wantType(profile) + `",["tom"]]`,
				`"count":2`,
				`"insert":["createdAt","objectId"]`,
				`"arrayValues":[null,"{\"code\":107,\"error\":\"invalid json: tom.\"}"]`,
				`"noBql":[null,"{\"code\":118,\"error\":\"param bql is need.\"}"]`,
			} {
				if !strings.Contains(got, want) {
					t.Errorf("missing %s in\n%s", want, got)
				}
			}
			// The select answers what GET /1/cloudQuery answers; the insert reads back over REST.
			out := e.vu.Runtime().Get("out").ToObject(e.vu.Runtime())
			viaREST := e.rest(t, http.MethodGet, "/1/cloudQuery", url.Values{"bql": {"select * from GameScore where name=? limit ?,? "}, "values": {`["tom",0,100]`}}, "", nil)
			if out.Get("selectText").String() != string(viaREST.Body) {
				t.Fatalf("module %s\nREST   %s", out.Get("selectText"), viaREST.Body)
			}
			resp := e.rest(t, http.MethodGet, "/1/classes/GameScore", url.Values{"where": {`{"name":"zed"}`}}, "", nil)
			if !strings.Contains(string(resp.Body), `"score":1`) {
				t.Fatalf("BQL insert not found over REST: %s", resp.Body)
			}
		})
	}
}

func TestBqlSyntaxErrorIsData(t *testing.T) {
	e := newEnv(t, modules.Bmob)
	got := e.run(t, `bql.exec({bql: "selec nothing"}, function (err, data) { out = [err, JSON.parse(data).code]; });`)
	if got != `[null,601]` {
		t.Fatalf("got %s", got)
	}
}

func TestPushMethods(t *testing.T) {
	for _, profile := range profiles {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, profile, restapi.WithMasterKey(testMasterKey))
			got := e.run(t, seqJS+`
				out = {};
				var id;
				function keep(name, next) { return function (err, data) { out[name] = [err, String(data)]; next(); }; }
				seq([
					function (next) { push.add({data: {deviceType: "android", installationId: "inst-1", channels: ["news"]}}, function (err, data) {
						out.add = [err, String(data), typeof data]; id = JSON.parse(data).objectId; out.id = id; next(); }); },
					function (next) { push.update({objectId: id, data: {badge: 3}}, keep("update", next)); },
					function (next) { push.send({data: {channels: ["news"], data: {alert: "hello"}}}, keep("send", next)); },
					function (next) { push.send({data: {channels: ["news"]}}, keep("noPayload", next)); },
					function (next) { push.send({data: {data: {alert: "x"}, push_time: "tomorrow"}}, keep("badTime", next)); },
				]);`)
			n := normal(got)
			for _, want := range []string{
				`"add":[null,"{\"createdAt\":\"<time>\",\"objectId\":\"<id>\"}","` + wantType(profile) + `"]`,
				`"update":[null,"{\"updatedAt\":\"<time>\"}"]`,
				`"send":[null,"{\"msg\":\"ok\"}"]`,
				`"noPayload":[null,"{\"code\":141,\"error\":\"Missing the push data.\"}"]`,
				`"badTime":[null,"{\"code\":142,`,
			} {
				if !strings.Contains(n, want) {
					t.Errorf("missing %s in\n%s", want, n)
				}
			}
			id := e.vu.Runtime().Get("out").ToObject(e.vu.Runtime()).Get("id").String()
			inst := e.rest(t, http.MethodGet, "/1/installations/"+id, nil, "", nil)
			if !strings.Contains(string(inst.Body), `"badge":3`) || !strings.Contains(string(inst.Body), `"installationId":"inst-1"`) {
				t.Fatalf("installation over REST: %s", inst.Body)
			}
			// The push is stored, never delivered, and readable with the master key.
			pushed := e.rest(t, http.MethodGet, "/1/classes/_Push", nil, "", http.Header{"X-Bmob-Master-Key": {testMasterKey}})
			if !strings.Contains(string(pushed.Body), `"alert":"hello"`) {
				t.Fatalf("stored push: %s", pushed.Body)
			}
		})
	}
}

func TestFileDelete(t *testing.T) {
	for _, profile := range profiles {
		t.Run(string(profile), func(t *testing.T) {
			e := newEnv(t, profile, restapi.WithFilesDir(t.TempDir()))
			upload := func(name string, header http.Header) string {
				t.Helper()
				if header == nil {
					header = http.Header{}
				}
				header.Set("Content-Type", "text/plain")
				resp := e.api.Serve(t.Context(), restapi.Request{Method: http.MethodPost, Path: "/2/files/" + name, Header: header, Body: []byte("hello")})
				var up struct{ URL string }
				if err := json.Unmarshal(resp.Body, &up); err != nil || up.URL == "" {
					t.Fatalf("upload: %d %s", resp.Status, resp.Body)
				}
				return up.URL
			}
			full := upload("a.txt", http.Header{"Host": {"files.example.com"}})
			bare := upload("b.txt", nil)
			short := strings.TrimPrefix(upload("c.txt", nil), "/2/files/upyun/")
			legacy := strings.TrimPrefix(upload("d.txt", nil), "/2/files/upyun/")
			e.vu.Set("urls", []string{full, bare, short, legacy})
			got := e.run(t, seqJS+`
				out = {};
				function keep(name, next) { return function (err, data) { out[name] = [err, String(data)]; next(); }; }
				seq([
					function (next) { file.del({url: urls[0]}, keep("fullURL", next)); },
					function (next) { file.delete({url: urls[1]}, keep("path", next)); },
					function (next) { file.del({url: urls[2]}, keep("cdnPath", next)); },
					function (next) { file.del({group: "group1", url: urls[3]}, keep("legacy", next)); },
					function (next) { file.del({url: urls[2]}, keep("again", next)); },
				]);`)
			ok := `[null,"{\"msg\":\"ok\"}"]`
			for _, want := range []string{`"fullURL":` + ok, `"path":` + ok, `"cdnPath":` + ok, `"legacy":` + ok, `"again":[null,"{\"code\":151,`} {
				if !strings.Contains(got, want) {
					t.Errorf("missing %s in\n%s", want, got)
				}
			}
			for _, u := range []string{full, bare} {
				p := u
				if i := strings.Index(p, "/2/files/"); i >= 0 {
					p = p[i:]
				}
				if resp := e.rest(t, http.MethodGet, p, nil, "", nil); resp.Status != http.StatusNotFound {
					t.Errorf("%s still served after delete: %d %s", p, resp.Status, resp.Body)
				}
			}
		})
	}
}

func TestFilePath(t *testing.T) {
	for _, c := range []struct {
		ref    string
		legacy bool
		want   string
	}{
		{"2017/06/03/x.jpg", false, "/2/files/upyun/2017/06/03/x.jpg"},
		{"/2017/06/03/x.jpg", false, "/2/files/upyun/2017/06/03/x.jpg"},
		{"2017/06/03/x.jpg", true, "/1/files/2017/06/03/x.jpg"},
		{"http://bmob-cdn-10.b0.upaiyun.com/2017/06/03/x.jpg", false, "/2/files/upyun/2017/06/03/x.jpg"},
		{"http://127.0.0.1:8080/2/files/upyun/2017/06/03/x.jpg?v=1", false, "/2/files/upyun/2017/06/03/x.jpg"},
		{"/2/files/other/2017/06/03/x.jpg", true, "/2/files/other/2017/06/03/x.jpg"},
		{"a b/c?.jpg", false, "/2/files/upyun/a%20b/c%3F.jpg"},
	} {
		if got := filePath(c.ref, c.legacy); got != c.want {
			t.Errorf("filePath(%q, %v) = %q, want %q", c.ref, c.legacy, got, c.want)
		}
	}
}
