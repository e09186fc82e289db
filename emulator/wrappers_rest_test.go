package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/store"
)

// restScripts use the modules whose REST routes are not /1/classes: oBatch,
// oBql, oPush, oFile and oData's user methods.
var restScripts = map[string]string{
	"batch.js": `function onRequest(request, response, modules) {
		modules.oBatch.exec({data: {requests: [
			{method: "POST", path: "/1/classes/Log", body: {n: 1}},
			{method: "DELETE", path: "/1/classes/Log/nope"}]}}, function (err, data) { response.end(data); });
	}`,
	"bql.js": `function onRequest(request, response, modules) {
		modules.oBql.exec({bql: "select * from Log where n > ?", values: "[0]"}, function (err, data) { response.send(data); });
	}`,
	"push.js": `function onRequest(request, response, modules) {
		var push = modules.oPush;
		push.add({data: {deviceType: "ios", deviceToken: "abc", installationId: "i-1"}}, function (err, data) {
			push.update({objectId: JSON.parse(data).objectId, data: {badge: 1}}, function () {
				push.send({data: {where: {deviceType: "ios"}, data: {alert: "hi"}}}, function (err, data) { response.send(data); });
			});
		});
	}`,
	"file.js": `function onRequest(request, response, modules) {
		modules.oFile.del({url: request.query.url}, function (err, data) { response.send(data); });
	}`,
	// users signs up, is refused an update without credentials (206), then
	// updates with its session token and deletes with the master key.
	"users.js": `function onRequest(request, response, modules) {
		var db = modules.oData, out = {};
		db.userSignUp({data: {username: request.query.name, password: "pw"}}, function (err, data) {
			var me = JSON.parse(data);
			db.updateUserByObjectId({objectId: me.objectId, data: {level: 1}}, function (err, data) {
				out.anonymous = JSON.parse(data).code;
				db.userLogin({username: request.query.name, password: "pw"}, function (err, data) {
					db.setHeader({"X-Bmob-Session-Token": JSON.parse(data).sessionToken});
					db.updateUserByObjectId({objectId: me.objectId, data: {level: 2}}, function (err, data) {
						out.session = Object.keys(JSON.parse(data));
						db.setHeader({"X-Bmob-Session-Token": ""});
						db.setHeader({"X-Bmob-Master-Key": request.query.mk});
						db.getUserByObjectId({objectId: me.objectId}, function (err, data) {
							out.level = JSON.parse(data).level;
							db.removeUserByObjectId({objectId: me.objectId}, function (err, data) {
								out.removed = JSON.parse(data).msg;
								response.send(out);
							});
						});
					});
				});
			});
		});
	}`,
}

func TestRESTWrapperModulesThroughTheEmulator(t *testing.T) {
	for _, profile := range []modules.Profile{modules.Bmob, modules.Compat} {
		t.Run(string(profile), func(t *testing.T) {
			emu := openWith(t, profile, restScripts)
			ctx := context.Background()

			_, body := call(t, emu, "batch")
			if n := normalIDs(body); n != `[{"success":{"createdAt":"<time>","objectId":"<id>"}},{"error":{"code":101,"error":"object not found for nope."}}]` {
				t.Errorf("batch: %s", body)
			}
			_, body = call(t, emu, "bql")
			if !strings.Contains(body, `"n":1`) {
				t.Errorf("bql: %s", body)
			}
			_, body = call(t, emu, "push")
			if body != `{"msg":"ok"}` {
				t.Errorf("push: %s", body)
			}
			inst, err := emu.Store.Find(ctx, "_Installation", store.Query{Limit: -1})
			if err != nil || len(inst.Results) != 1 || inst.Results[0]["badge"] != 1.0 {
				t.Errorf("installation: %v %v", inst.Results, err)
			}

			// A file uploaded over HTTP with the app keys, deleted by the script.
			status, text := restCall(t, emu, http.MethodPost, "/2/files/a.txt", "hello")
			var up struct{ URL string }
			if err := json.Unmarshal([]byte(text), &up); err != nil || up.URL == "" {
				t.Fatalf("upload: %d %s", status, text)
			}
			_, body = call(t, emu, "file", "url", up.URL)
			if body != `{"msg":"ok"}` {
				t.Errorf("file: %s", body)
			}
			if status, text := restCall(t, emu, http.MethodGet, up.URL, ""); status != http.StatusNotFound {
				t.Errorf("deleted file still served: %d %s", status, text)
			}

			_, body = call(t, emu, "users", "name", "ada", "mk", emu.Keys.MasterKey)
			if body != `{"anonymous":206,"session":["updatedAt"],"level":2,"removed":"ok"}` {
				t.Errorf("users: %s", body)
			}
		})
	}
}

var idsAndTimes = regexp.MustCompile(`"[0-9a-f]{10}"|"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"`)

// normalIDs replaces objectIds and times in a JSON text.
func normalIDs(s string) string {
	return idsAndTimes.ReplaceAllStringFunc(s, func(m string) string {
		if strings.Contains(m, ":") {
			return `"<time>"`
		}
		return `"<id>"`
	})
}

// restCall is one request to the emulator's HTTP app with the app keys; path
// may be a whole URL.
func restCall(t *testing.T, emu *Emulator, method, path, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("X-Bmob-Application-Id", emu.Keys.AppID)
	req.Header.Set("X-Bmob-REST-API-Key", emu.Keys.RESTKey)
	if body != "" {
		req.Header.Set("Content-Type", "text/plain")
	}
	resp, err := emu.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(text)
}
