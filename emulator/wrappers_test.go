package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/store"
)

// wrapperScripts exercise each Bmob wrapper module the way a cloud function
// does: through `modules`, answering with the callback's data.
var wrapperScripts = map[string]string{
	"relation.js": `function onRequest(request, response, modules) {
		var rel = modules.oRelation;
		var game = {__type: "Pointer", className: "Game", objectId: request.query.game};
		rel.add({table: "Score", data: {game: game, fans: {__op: "AddRelation", objects: [game]}}}, function (err, data) {
			var id = JSON.parse(data).objectId;
			rel.query({table: "Game", where: {$relatedTo: {object: {__type: "Pointer", className: "Score", objectId: id}, key: "fans"}}, keys: "name"}, function (err, data) {
				response.send(data);
			});
		});
	}`,
	"array.js": `function onRequest(request, response, modules) {
		var arr = modules.oArray;
		arr.add({table: "Hero", data: {skills: {__op: "Add", objects: ["fly"]}}}, function (err, data) {
			var id = JSON.parse(data).objectId;
			arr.addUnique({table: "Hero", objectId: id, data: {skills: {__op: "AddUnique", objects: ["fly", "swim"]}}}, function () {
				arr.remove({table: "Hero", objectId: id, data: {skills: {__op: "Remove", objects: ["fly"]}}}, function () {
					arr.query({table: "Hero", where: {skills: "swim"}, keys: "skills"}, function (err, data) { response.end(data); });
				});
			});
		});
	}`,
	"atom.js": `function onRequest(request, response, modules) {
		modules.oAtom.exec({table: "Counter", objectId: request.query.id, data: {n: {__op: "Increment", amount: 2}}}, function (err, data) {
			response.send({err: err, data: JSON.parse(data)});
		});
	}`,
	"location.js": `function onRequest(request, response, modules) {
		var loc = modules.oLocation;
		loc.create({table: "Shop", objectId: request.query.id, data: {at: {__type: "GeoPoint", latitude: 30, longitude: 20}}}, function () {
			loc.query({table: "Shop", where: {at: {$nearSphere: {__type: "GeoPoint", latitude: 30.01, longitude: 20}, $maxDistanceInKilometers: 5}}, keys: "at"}, function (err, data) {
				response.send(data);
			});
		});
	}`,
	// headers shows that setHeader on one wrapper reaches the others, for this call only.
	"headers.js": `function onRequest(request, response, modules) {
		var before = modules.oArray.getHeader({"X-Bmob-Session-Token": 1});
		modules.oRelation.setHeader({"X-Bmob-Session-Token": request.query.v});
		response.send({before: before === undefined ? null : before, after: modules.oAtom.getHeader({"X-Bmob-Session-Token": 1}),
			data: modules.oData.getHeader({"X-Bmob-Session-Token": 1}) === undefined});
	}`,
}

func openWith(t *testing.T, profile modules.Profile, scripts map[string]string) *Emulator {
	t.Helper()
	dir := t.TempDir()
	for name, src := range scripts {
		write(t, dir, name, src)
	}
	emu, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(t.TempDir(), "d.db"), Profile: profile, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	if errs := emu.Functions.Errors(); len(errs) > 0 {
		t.Fatalf("functions did not load: %v", errs)
	}
	return emu
}

// call invokes a function with a query string and returns its status and body.
func call(t *testing.T, emu *Emulator, name string, query ...string) (int, string) {
	t.Helper()
	req := &fncall.Request{Method: http.MethodGet, Header: http.Header{}}
	for i := 0; i+1 < len(query); i += 2 {
		req.Query = append(req.Query, fncall.Pair{Key: query[i], Value: query[i+1]})
	}
	resp, err := emu.Functions.Invoke(context.Background(), name, req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Status, string(resp.Body)
}

func create(t *testing.T, emu *Emulator, class string, data map[string]any) string {
	t.Helper()
	c, err := emu.Store.Create(context.Background(), class, data)
	if err != nil {
		t.Fatal(err)
	}
	return c.ObjectID
}

func TestWrapperModulesThroughTheEmulator(t *testing.T) {
	for _, profile := range []modules.Profile{modules.Bmob, modules.Compat} {
		t.Run(string(profile), func(t *testing.T) {
			emu := openWith(t, profile, wrapperScripts)
			game := create(t, emu, "Game", map[string]any{"name": "chess"})
			counter := create(t, emu, "Counter", map[string]any{"n": 1.0})
			shop := create(t, emu, "Shop", map[string]any{"name": "s"})

			_, body := call(t, emu, "relation", "game", game)
			if !strings.Contains(body, `"name":"chess"`) || !strings.Contains(body, `"objectId":"`+game+`"`) {
				t.Errorf("relation: %s", body)
			}
			_, body = call(t, emu, "array")
			if !strings.Contains(body, `"skills":["swim"]`) {
				t.Errorf("array: %s", body)
			}
			_, body = call(t, emu, "atom", "id", counter)
			if !strings.HasPrefix(body, `{"err":null,"data":{"updatedAt":"`) {
				t.Errorf("atom: %s", body)
			}
			row, err := emu.Store.Get(context.Background(), "Counter", counter, store.GetOptions{})
			if err != nil || row["n"] != 3.0 {
				t.Errorf("atom did not reach the store: %v %v", row, err)
			}
			_, body = call(t, emu, "location", "id", shop)
			var near struct{ Results []map[string]any }
			if err := json.Unmarshal([]byte(body), &near); err != nil || len(near.Results) != 1 || near.Results[0]["objectId"] != shop {
				t.Errorf("location: %s", body)
			}
			for i, v := range []string{"t1", "t2"} {
				_, body = call(t, emu, "headers", "v", v)
				want := `{"before":null,"after":"` + v + `","data":true}`
				if body != want {
					t.Errorf("headers call %d: %s, want %s (setHeader must last one call)", i, body, want)
				}
			}
		})
	}
}
