package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// seed writes a small class; the test clock makes row i one second older than
// row i+1, so createdAt order is insertion order.
func seed(t *testing.T, s Store) map[string]string {
	t.Helper()
	ids := map[string]string{}
	ids["u1"] = mustCreate(t, s, "_User", map[string]any{"username": "ann"})
	ids["u2"] = mustCreate(t, s, "_User", map[string]any{"username": "bob"})
	rows := []string{
		`{"name":"a","score":10,"tags":["x","y"],"city":"SZ","when":{"__type":"Date","iso":"2024-01-01 00:00:00"},"loc":{"__type":"GeoPoint","latitude":22.54,"longitude":114.05}}`,
		`{"name":"b","score":20,"tags":["y"],"city":"GZ","when":{"__type":"Date","iso":"2024-02-01 00:00:00"},"loc":{"__type":"GeoPoint","latitude":23.12,"longitude":113.26}}`,
		`{"name":"c","score":30,"tags":[],"city":"SZ","attr":{"gender":"f"},"loc":{"__type":"GeoPoint","latitude":39.9,"longitude":116.4}}`,
		`{"name":"D","city":null}`,
	}
	for i, r := range rows {
		o := obj(t, r)
		if i < 2 {
			o["owner"] = map[string]any{"__type": "Pointer", "className": "_User", "objectId": ids[[]string{"u1", "u2"}[i]]}
		}
		ids[o["name"].(string)] = mustCreate(t, s, "Item", o)
	}
	return ids
}

func names(res Result) string {
	var n []string
	for _, r := range res.Results {
		n = append(n, r["name"].(string))
	}
	return strings.Join(n, ",")
}

func TestWhereOperators(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		ids := seed(t, s)
		tests := []struct {
			where, want string
		}{
			{`{}`, "a,b,c,D"},
			{`{"city":"SZ"}`, "a,c"},
			{`{"score":30}`, "c"},
			{`{"score":"30"}`, ""},
			{`{"score":{"$lt":20}}`, "a"},
			{`{"score":{"$lte":20}}`, "a,b"},
			{`{"score":{"$gt":10,"$lt":30}}`, "b"},
			{`{"score":{"$gte":30}}`, "c"},
			{`{"score":{"$gt":"2"}}`, ""},
			{`{"score":{"$exists":false}}`, "D"},
			{`{"city":{"$ne":"SZ"}}`, "b,D"},
			{`{"city":{"$in":["GZ","BJ"]}}`, "b"},
			{`{"city":{"$nin":["GZ","SZ"]}}`, "D"},
			{`{"city":{"$exists":true}}`, "a,b,c,D"},
			{`{"attr":{"$exists":true}}`, "c"},
			{`{"attr":{"$exists":false}}`, "a,b,D"},
			{`{"city":null}`, "D"},
			{`{"tags":"y"}`, "a,b"},
			{`{"tags":{"$all":["x","y"]}}`, "a"},
			{`{"tags":{"$in":["x"]}}`, "a"},
			{`{"name":{"$regex":"^[a-c]$"}}`, "a,b,c"},
			{`{"name":{"$regex":"^d","$options":"i"}}`, "D"},
			{`{"attr.gender":"f"}`, "c"},
			{`{"$or":[{"name":"a"},{"score":{"$gt":25}}]}`, "a,c"},
			{`{"$and":[{"city":"SZ"},{"score":{"$gt":15}}]}`, "c"},
			{`{"when":{"$gt":{"__type":"Date","iso":"2024-01-15 00:00:00"}}}`, "b"},
			{`{"when":{"__type":"Date","iso":"2024-01-01T00:00:00+08:00"}}`, "a"},
			{`{"owner":{"__type":"Pointer","className":"_User","objectId":"` + ids["u2"] + `"}}`, "b"},
			{`{"createdAt":{"$gte":"2024-03-01 10:00:04"}}`, "b,c,D"},
			{`{"createdAt":{"$lt":{"__type":"Date","iso":"2024-03-01 10:00:04"}}}`, "a"},
			{`{"objectId":"` + ids["c"] + `"}`, "c"},
			{`{"owner":{"$inQuery":{"className":"_User","where":{"username":"bob"}}}}`, "b"},
			{`{"owner":{"$notInQuery":{"className":"_User","where":{"username":"bob"}}}}`, "a,c,D"},
			{`{"name":{"$select":{"query":{"className":"Item","where":{"city":"SZ"}},"key":"name"}}}`, "a,c"},
			{`{"name":{"$dontSelect":{"query":{"className":"Item","where":{"city":"SZ"}},"key":"name"}}}`, "b,D"},
			{`{"loc":{"$nearSphere":{"__type":"GeoPoint","latitude":23.1,"longitude":113.3},"$maxDistanceInKilometers":200}}`, "b,a"},
			{`{"loc":{"$nearSphere":{"__type":"GeoPoint","latitude":23.1,"longitude":113.3},"$maxDistanceInMiles":10}}`, "b"},
			{`{"loc":{"$within":{"$box":[{"__type":"GeoPoint","latitude":20,"longitude":110},{"__type":"GeoPoint","latitude":23,"longitude":115}]}}}`, "a"},
		}
		for _, tt := range tests {
			t.Run(tt.where, func(t *testing.T) {
				res, err := s.Find(context.Background(), "Item", Query{Where: obj(t, tt.where), Limit: -1})
				if err != nil {
					t.Fatal(err)
				}
				if got := names(res); got != tt.want {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			})
		}
	})
}

func TestWhereErrors(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		seed(t, s)
		tests := []struct {
			where   string
			message string
		}{
			{`{"score":{"$foo":1}}`, "Invalid key '$foo' for find"},
			{`{"$nor":[]}`, "Invalid key '$nor' for find"},
			{`{"$or":{"a":1}}`, "Invalid value for key '$or'."},
			{`{"a":{"$in":1}}`, "Invalid value for key '$in'."},
			{`{"a":{"$exists":"yes"}}`, "Invalid value for key '$exists'."},
			{`{"a":{"$regex":"("}}`, "Invalid value for key '$regex'."},
		}
		for _, tt := range tests {
			res, err := s.Find(context.Background(), "Item", Query{Where: obj(t, tt.where), Limit: -1})
			if code, msg := bmobCode(err); code != 102 || msg != tt.message {
				t.Errorf("%s: got %v %v, want 102 %q", tt.where, res, err, tt.message)
			}
		}
	})
}

func TestOrderLimitSkipCount(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		seed(t, s)
		tests := []struct {
			name  string
			q     Query
			want  string
			count int
		}{
			{"default order", Query{Limit: -1}, "a,b,c,D", 0},
			{"score desc", Query{Order: []string{"-score"}, Limit: -1}, "c,b,a,D", 0},
			{"score asc, missing first", Query{Order: []string{"score"}, Limit: -1}, "D,a,b,c", 0},
			{"city then -name", Query{Order: []string{"city,-name"}, Limit: -1}, "D,b,c,a", 0},
			{"missing first", Query{Order: []string{"attr"}, Limit: -1}, "a,b,D,c", 0},
			{"createdAt desc", Query{Order: []string{"-createdAt"}, Limit: -1}, "D,c,b,a", 0},
			{"limit", Query{Limit: 2}, "a,b", 0},
			{"skip", Query{Limit: 2, Skip: 1}, "b,c", 0},
			{"skip past end", Query{Limit: -1, Skip: 9}, "", 0},
			{"count", Query{Limit: 1, Count: true, Where: map[string]any{"city": "SZ"}}, "a", 2},
			{"count only", Query{Limit: 0, Count: true}, "", 4},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, err := s.Find(context.Background(), "Item", tt.q)
				if err != nil {
					t.Fatal(err)
				}
				if got := names(res); got != tt.want || res.Count != tt.count {
					t.Errorf("got %q count %d, want %q count %d", got, res.Count, tt.want, tt.count)
				}
			})
		}
	})
}

func TestLimitDefaultsAndCap(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		for i := 0; i < MaxLimit+5; i++ {
			mustCreate(t, s, "Many", map[string]any{"i": float64(i)})
		}
		for _, tt := range []struct{ limit, want int }{{-1, DefaultLimit}, {5000, MaxLimit}, {7, 7}} {
			res, err := s.Find(context.Background(), "Many", Query{Limit: tt.limit})
			if err != nil || len(res.Results) != tt.want {
				t.Errorf("limit %d: %d results, %v; want %d", tt.limit, len(res.Results), err, tt.want)
			}
		}
	})
}

func TestKeysAndInclude(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		ids := seed(t, s)
		ctx := context.Background()
		comment := mustCreate(t, s, "Comment", map[string]any{"text": "hi", "item": map[string]any{"__type": "Pointer", "className": "Item", "objectId": ids["a"]},
			"items": []any{map[string]any{"__type": "Pointer", "className": "Item", "objectId": ids["b"]}}})

		got, err := s.Get(ctx, "Item", ids["a"], GetOptions{Keys: []string{"name,score"}})
		if err != nil {
			t.Fatal(err)
		}
		if keys := sortedKeys(got); !reflect.DeepEqual(keys, []string{"createdAt", "name", "objectId", "score", "updatedAt"}) {
			t.Errorf("keys projection gave %v", keys)
		}

		got, err = s.Get(ctx, "Comment", comment, GetOptions{Include: []string{"item.owner,items"}})
		if err != nil {
			t.Fatal(err)
		}
		item := got["item"].(map[string]any)
		owner := item["owner"].(map[string]any)
		if item["__type"] != "Object" || item["className"] != "Item" || item["name"] != "a" || owner["__type"] != "Object" || owner["username"] != "ann" {
			t.Errorf("nested include gave %v", got)
		}
		if first := got["items"].([]any)[0].(map[string]any); first["name"] != "b" || first["__type"] != "Object" {
			t.Errorf("include of an array of pointers gave %v", got["items"])
		}

		res, err := s.Find(ctx, "Comment", Query{Limit: -1, Include: []string{"item[name]"}})
		if err != nil {
			t.Fatal(err)
		}
		if keys := sortedKeys(res.Results[0]["item"].(map[string]any)); !reflect.DeepEqual(keys, []string{"__type", "className", "createdAt", "name", "objectId", "updatedAt"}) {
			t.Errorf("include projection gave %v", keys)
		}
		// The cache must not be changed by expanding a result.
		if p := mustGet(t, s, "Comment", comment)["item"].(map[string]any); p["__type"] != "Pointer" {
			t.Errorf("include leaked into the stored object: %v", p)
		}
	})
}

func sortedKeys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	sortStrings(k)
	return k
}

func TestStatistics(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openEngine(t, engine, Options{})
		seed(t, s)
		tests := []struct {
			name string
			q    Query
			want string
		}{
			{"sum all", Query{Sum: []string{"score"}, Limit: -1}, `[{"_sumScore":60}]`},
			{"group count", Query{GroupBy: []string{"city"}, GroupCount: true, Limit: -1},
				`[{"_count":2,"city":"SZ"},{"_count":1,"city":"GZ"},{"_count":1,"city":null}]`},
			{"group aggregates", Query{GroupBy: []string{"city"}, Sum: []string{"score"}, Average: []string{"score"}, Max: []string{"score"}, Min: []string{"score"}, Limit: -1,
				Where: map[string]any{"city": map[string]any{"$exists": true, "$ne": nil}}},
				`[{"_avgScore":20,"_maxScore":30,"_minScore":10,"_sumScore":40,"city":"SZ"},{"_avgScore":20,"_maxScore":20,"_minScore":20,"_sumScore":20,"city":"GZ"}]`},
			{"having and order", Query{GroupBy: []string{"city"}, Sum: []string{"score"}, Having: map[string]any{"_sumScore": map[string]any{"$gt": 0}}, Order: []string{"_sumScore"}, Limit: -1},
				`[{"_sumScore":20,"city":"GZ"},{"_sumScore":40,"city":"SZ"}]`},
			{"group by date is by day", Query{GroupBy: []string{"createdAt"}, GroupCount: true, Limit: 1}, `[{"_count":4,"createdAt":"2024-03-01"}]`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, err := s.Find(context.Background(), "Item", tt.q)
				if err != nil {
					t.Fatal(err)
				}
				if got := jsonText(res.Groups); got != tt.want {
					t.Errorf("got  %s\nwant %s", got, tt.want)
				}
			})
		}
	})
}
