package store

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
)

func TestCreateGetUpdateDelete(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		ctx := context.Background()
		c, err := s.Create(ctx, "GameScore", map[string]any{"score": 1337.0, "name": "Sean <b>", "ACL": map[string]any{"*": map[string]any{"read": true}}})
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[0-9a-f]{10}$`).MatchString(c.ObjectID) {
			t.Errorf("objectId %q is not 10 lowercase hex", c.ObjectID)
		}
		if c.CreatedAt.Nanosecond()%1000 != 0 {
			t.Errorf("createdAt %v not truncated to microseconds", c.CreatedAt)
		}
		got := mustGet(t, s, "GameScore", c.ObjectID)
		want := map[string]any{"score": 1337.0, "name": "Sean <b>", "ACL": map[string]any{"*": map[string]any{"read": true}},
			"objectId": c.ObjectID, "createdAt": bjtime.Format(c.CreatedAt), "updatedAt": bjtime.Format(c.CreatedAt)}
		if !deepEqual(got, want) {
			t.Errorf("Get = %v, want %v", got, want)
		}
		up, err := s.Update(ctx, "GameScore", c.ObjectID, map[string]any{"score": 1.0})
		if err != nil {
			t.Fatal(err)
		}
		got = mustGet(t, s, "GameScore", c.ObjectID)
		if got["score"] != 1.0 || got["updatedAt"] != bjtime.Format(up) || got["createdAt"] != bjtime.Format(c.CreatedAt) || !up.After(c.CreatedAt) {
			t.Errorf("after update: %v (updatedAt %v)", got, up)
		}
		if err := s.Delete(ctx, "GameScore", c.ObjectID); err != nil {
			t.Fatal(err)
		}
		for name, err := range map[string]error{
			"get deleted":     func() error { _, err := s.Get(ctx, "GameScore", c.ObjectID, GetOptions{}); return err }(),
			"update deleted":  func() error { _, err := s.Update(ctx, "GameScore", c.ObjectID, map[string]any{"a": 1.0}); return err }(),
			"delete deleted":  s.Delete(ctx, "GameScore", c.ObjectID),
			"get no class":    func() error { _, err := s.Get(ctx, "Nope", "23bcb195cc", GetOptions{}); return err }(),
			"delete no class": s.Delete(ctx, "Nope", "23bcb195cc"),
		} {
			code, msg := bmobCode(err)
			if code != 101 || (name == "get no class" && msg != "object not found for 23bcb195cc.") {
				t.Errorf("%s: got %v, want 101", name, err)
			}
		}
		res, err := s.Find(ctx, "Nope", Query{Limit: -1})
		if err != nil || len(res.Results) != 0 {
			t.Errorf("Find on missing class = %v, %v; want empty", res, err)
		}
	})
}

func TestWriteErrors(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		tests := []struct {
			name    string
			class   string
			data    string
			code    int
			message string
		}{
			{"class digit", "1abc", `{"a":1}`, 103, "classname '1abc' must start with a letter."},
			{"class underscore", "_Foo", `{"a":1}`, 103, "classname '_Foo' must start with a letter."},
			{"field digit", "T", `{"1a":1}`, 105, "invalid field name: 1a."},
			{"field dash", "T", `{"a-b":1}`, 105, "invalid field name: a-b."},
			{"objectId", "T", `{"objectId":"x"}`, 105, "It is a reserved field: objectId."},
			{"createdAt", "T", `{"createdAt":"x"}`, 105, "It is a reserved field: createdAt."},
			{"updatedAt", "T", `{"updatedAt":"x"}`, 105, "It is a reserved field: updatedAt."},
			{"bad date", "T", `{"d":{"__type":"Date","iso":"yesterday"}}`, 107, "invalid date: yesterday."},
			{"bad pointer", "T", `{"p":{"__type":"Pointer","className":"X"}}`, 106, "p: is not a valid Pointer."},
			{"lat", "T", `{"g":{"__type":"GeoPoint","latitude":91,"longitude":0}}`, 117, "Latitude must be in [-90, 90]: 91.000000."},
			{"lng", "T", `{"g":{"__type":"GeoPoint","latitude":0,"longitude":-180.5}}`, 117, "Longitude must be in [-180, 180]: -180.500000."},
			{"geo not numbers", "T", `{"g":{"__type":"GeoPoint","latitude":"x","longitude":0}}`, 102, "g: invalid geopoint object."},
			{"unknown op", "T", `{"n":{"__op":"Multiply","amount":2}}`, 107, "invalid op value"},
			{"increment no amount", "T", `{"n":{"__op":"Increment"}}`, 107, "invalid op value"},
			{"add no array", "T", `{"n":{"__op":"Add","objects":3}}`, 107, "invalid op value"},
			{"relation to missing class", "T", `{"r":{"__op":"AddRelation","objects":[{"__type":"Pointer","className":"Missing","objectId":"x"}]}}`, 104, "relation className 'Missing' not exists."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, _ := openEngine(t, engine, Options{})
				_, err := s.Create(context.Background(), tt.class, obj(t, tt.data))
				code, msg := bmobCode(err)
				if code != tt.code || (tt.message != "" && msg != tt.message) {
					t.Errorf("got %v, want %d %q", err, tt.code, tt.message)
				}
				classes, _ := s.Classes(context.Background())
				if len(classes) != 0 {
					t.Errorf("failed write left classes %v", classes)
				}
			})
		}
	})
}

func TestSystemClassAllowed(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		id := mustCreate(t, s, "_User", map[string]any{"username": "a"})
		if mustGet(t, s, "_User", id)["username"] != "a" {
			t.Error("_User row not stored")
		}
	})
}

// TestUpdateOps applies one update to a fixed starting object and compares
// the whole stored object (without system fields).
func TestUpdateOps(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		start := `{"n":5,"s":"x","arr":[1,2,2,"a"],"attr":{"gender":"m","age":3},"list":[{"name":"a"},{"name":"b"}]}`
		tests := []struct {
			name, update, want string
		}{
			{"increment", `{"n":{"__op":"Increment","amount":2}}`, `{"n":7}`},
			{"decrement", `{"n":{"__op":"Increment","amount":-7.5}}`, `{"n":-2.5}`},
			{"increment missing", `{"m":{"__op":"Increment","amount":3}}`, `{"m":3}`},
			{"delete", `{"s":{"__op":"Delete"}}`, `{"s":null}`},
			{"add", `{"arr":{"__op":"Add","objects":[2,{"k":1}]}}`, `{"arr":[1,2,2,"a",2,{"k":1}]}`},
			{"add missing", `{"tags":{"__op":"Add","objects":["x"]}}`, `{"tags":["x"]}`},
			{"addUnique", `{"arr":{"__op":"AddUnique","objects":[2,3,3]}}`, `{"arr":[1,2,2,"a",3]}`},
			{"remove", `{"arr":{"__op":"Remove","objects":[2,"a","zz"]}}`, `{"arr":[1]}`},
			{"dotted object", `{"attr.gender":"f"}`, `{"attr":{"gender":"f","age":3}}`},
			{"dotted new subkey", `{"attr.city":"SZ"}`, `{"attr":{"gender":"m","age":3,"city":"SZ"}}`},
			{"dotted array", `{"list.0.name":"z"}`, `{"list":[{"name":"z"},{"name":"b"}]}`},
			{"dotted increment", `{"attr.age":{"__op":"Increment","amount":1}}`, `{"attr":{"gender":"m","age":4}}`},
			{"dotted new object", `{"extra.a":1}`, `{"extra":{"a":1}}`},
			{"date iso", `{"d":{"__type":"Date","iso":"2024-01-02T03:04:05.000Z"}}`, `{"d":{"__type":"Date","iso":"2024-01-02 11:04:05"}}`},
			{"date bmob", `{"d":{"__type":"Date","iso":"2024-01-02 03:04:05"}}`, `{"d":{"__type":"Date","iso":"2024-01-02 03:04:05"}}`},
			{"pointer", `{"p":{"__type":"Pointer","className":"_User","objectId":"abc"}}`, `{"p":{"__type":"Pointer","className":"_User","objectId":"abc"}}`},
			{"file", `{"f":{"__type":"File","group":"g","filename":"a.jpg","url":"http://x/a.jpg"}}`, `{"f":{"__type":"File","group":"g","filename":"a.jpg","url":"http://x/a.jpg"}}`},
			{"geopoint", `{"g":{"__type":"GeoPoint","latitude":22.5,"longitude":-113.9}}`, `{"g":{"__type":"GeoPoint","latitude":22.5,"longitude":-113.9}}`},
			{"null keeps no type", `{"s":null}`, `{"s":null}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, _ := openEngine(t, engine, Options{})
				id := mustCreate(t, s, "T", obj(t, start))
				if _, err := s.Update(context.Background(), "T", id, obj(t, tt.update)); err != nil {
					t.Fatalf("Update: %v", err)
				}
				want := obj(t, start)
				for k, v := range obj(t, tt.want) {
					if v == nil {
						delete(want, k)
					} else {
						want[k] = v
					}
				}
				if tt.name == "null keeps no type" {
					want["s"] = nil
				}
				got := mustGet(t, s, "T", id)
				for _, k := range []string{"objectId", "createdAt", "updatedAt"} {
					delete(got, k)
				}
				if !deepEqual(got, want) {
					gj, _ := json.Marshal(got)
					wj, _ := json.Marshal(want)
					t.Errorf("got  %s\nwant %s", gj, wj)
				}
			})
		}
	})
}

func TestSchemaTypes(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		tests := []struct {
			name, first, second string
			code                int
			message             string
		}{
			{"string then number", `{"a":"x"}`, `{"a":1}`, 111, "invalid type for key 'a', expected 'String', but got 'Number'."},
			{"number then bool", `{"a":1}`, `{"a":true}`, 111, "invalid type for key 'a', expected 'Number', but got 'Boolean'."},
			{"date then string", `{"a":{"__type":"Date","iso":"2024-01-01 00:00:00"}}`, `{"a":"2024"}`, 111, "invalid type for key 'a', expected 'Date', but got 'String'."},
			{"pointer then object", `{"a":{"__type":"Pointer","className":"X","objectId":"1"}}`, `{"a":{"x":1}}`, 111, "invalid type for key 'a', expected 'Pointer', but got 'Object'."},
			{"array then increment", `{"a":[1]}`, `{"a":{"__op":"Increment","amount":1}}`, 111, "invalid type for key 'a', expected 'Array', but got 'Number'."},
			{"null does not fix", `{"a":null}`, `{"a":"x"}`, 0, ""},
			{"null does not violate", `{"a":"x"}`, `{"a":null}`, 0, ""},
			{"same type", `{"a":[1]}`, `{"a":{"__op":"Add","objects":[2]}}`, 0, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, _ := openEngine(t, engine, Options{})
				id := mustCreate(t, s, "T", obj(t, tt.first))
				before := mustGet(t, s, "T", id)
				// The schema is per class: a new object is checked too.
				_, errCreate := s.Create(context.Background(), "T", obj(t, tt.second))
				_, errUpdate := s.Update(context.Background(), "T", id, obj(t, tt.second))
				for _, err := range []error{errCreate, errUpdate} {
					code, msg := bmobCode(err)
					if code != tt.code || msg != tt.message || (tt.code == 0 && err != nil) {
						t.Errorf("got %v, want %d %q", err, tt.code, tt.message)
					}
				}
				if tt.code != 0 && !deepEqual(mustGet(t, s, "T", id), before) {
					t.Error("a rejected update changed the object")
				}
			})
		}
	})
}

func TestRelations(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		ctx := context.Background()
		u1 := mustCreate(t, s, "_User", map[string]any{"username": "a"})
		u2 := mustCreate(t, s, "_User", map[string]any{"username": "b"})
		ptr := func(id string) map[string]any {
			return map[string]any{"__type": "Pointer", "className": "_User", "objectId": id}
		}
		post := mustCreate(t, s, "Post", map[string]any{"likes": map[string]any{"__op": "AddRelation", "objects": []any{ptr(u1), ptr(u2)}}})
		want := map[string]any{"__type": "Relation", "className": "_User"}
		if got := mustGet(t, s, "Post", post)["likes"]; !deepEqual(got, want) {
			t.Errorf("relation reads back as %v, want %v", got, want)
		}
		related := func() []string {
			res, err := s.Find(ctx, "_User", Query{Limit: -1, Where: map[string]any{"$relatedTo": map[string]any{
				"object": map[string]any{"__type": "Pointer", "className": "Post", "objectId": post}, "key": "likes"}}})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range res.Results {
				ids = append(ids, r["objectId"].(string))
			}
			return ids
		}
		if got := related(); len(got) != 2 {
			t.Errorf("$relatedTo = %v, want both users", got)
		}
		if _, err := s.Update(ctx, "Post", post, map[string]any{"likes": map[string]any{"__op": "RemoveRelation", "objects": []any{ptr(u1)}}}); err != nil {
			t.Fatal(err)
		}
		if got := related(); len(got) != 1 || got[0] != u2 {
			t.Errorf("after RemoveRelation $relatedTo = %v, want [%s]", got, u2)
		}
	})
}

func TestDatesStoredInBeijingTime(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		utc := time.Date(2024, 1, 1, 16, 30, 0, 0, time.UTC)
		id := mustCreate(t, s, "T", map[string]any{"d": map[string]any{"__type": "Date", "iso": utc.Format(time.RFC3339)}})
		if got := mustGet(t, s, "T", id)["d"].(map[string]any)["iso"]; got != "2024-01-02 00:30:00" {
			t.Errorf("iso = %v, want 2024-01-02 00:30:00", got)
		}
	})
}
