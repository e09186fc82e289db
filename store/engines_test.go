package store

import (
	"context"
	"encoding/json"
	"testing"
)

// crossRows are objects of mixed and awkward values: mixed types in one
// field (the order ranks kinds), nested arrays, nulls, dates, pointers,
// relations, numbers that JSONB rewrites (1e21, 0.1, -0.5).
var crossRows = []string{
	`{"n":"a","num":10,"arr":["x",["y"]],"d":{"__type":"Date","iso":"2024-01-01 00:00:00"},"p":{"__type":"Pointer","className":"T","objectId":"p1"},"o":{"v":10,"k":"x","z":[1,2]}}`,
	`{"n":"b","num":-3,"arr":[null,"y"],"d":{"__type":"Date","iso":"2023-06-01 12:30:00"},"ps":[{"__type":"Pointer","className":"T","objectId":"p1"}],"o":{"v":"10"}}`,
	`{"n":"c","num":2.5,"arr":[1,2,3],"big":1e21,"tiny":0.1,"neg":-0.5,"o":{"v":true,"k":"y"}}`,
	`{"n":"d","num":null,"arr":[],"o":{"v":null}}`,
	`{"n":"e","num":0,"arr":[true],"s":"2024-01-01 00:00:00","o":{"v":2.5}}`,
	`{"n":"f","arr":[["x"]],"o":{"v":{"__type":"Date","iso":"2020-01-01 00:00:00"}}}`,
	`{"n":"g","num":10,"o":{"v":-3,"k":"x"}}`,
	`{"n":"h","s":"abc","w":"ABC","o":{"v":"abc"}}`,
	`{"n":"i","s":"ab","o":{"v":"ab","k":["x"]}}`,
	// The NUL character and the escape PostgreSQL stores it with (pg_nul.go).
	`{"n":"j","s":"a\u0000b","t":"x\u0001y","o":{"k\u0000":"v\u0000","v":"ab\u0000"},"arr":["\u0000","\u0001\u0002"]}`,
	`{"n":"k","s":"a\u0001","t":"\u0000","u":"\u0001\u0001"}`,
}

var crossQueries = []Query{
	{Where: map[string]any{}},
	{Order: []string{"o.v"}},
	{Order: []string{"-o.v"}},
	{Order: []string{"num,-n"}},
	{Order: []string{"o.k", "-createdAt"}},
	{Order: []string{"-num"}, Keys: []string{"num"}},
	{Order: []string{"d"}, Count: true, Limit: 3, Skip: 1},
	{Order: []string{"-updatedAt"}, Limit: 1, Count: true},
	{Order: []string{"s"}, Skip: 7},
	{Where: where(`{"arr":"x"}`)},
	{Where: where(`{"arr":"y"}`)},
	{Where: where(`{"arr":null}`)},
	{Where: where(`{"arr":1}`)},
	{Where: where(`{"arr":true}`)},
	{Where: where(`{"num":10}`)},
	{Where: where(`{"num":"10"}`)},
	{Where: where(`{"num":null}`)},
	{Where: where(`{"num":{"$ne":null}}`)},
	{Where: where(`{"num":{"$gt":0}}`)},
	{Where: where(`{"o.v":10}`)},
	{Where: where(`{"o.v":"10"}`)},
	{Where: where(`{"o.v":{"$gt":0}}`)},
	{Where: where(`{"o.v":{"$lte":"ab"}}`)},
	{Where: where(`{"o.v":{"$gte":"ab","$lt":"b"}}`)},
	{Where: where(`{"o.v":{"$gt":false}}`)},
	{Where: where(`{"o.v":{"$lt":{"__type":"Date","iso":"2021-01-01 00:00:00"}}}`)},
	{Where: where(`{"o.k":"x"}`)},
	{Where: where(`{"s":{"$lte":"ab"}}`)},
	{Where: where(`{"d":{"$gte":{"__type":"Date","iso":"2023-06-01 12:30:00"}}}`)},
	{Where: where(`{"d":{"__type":"Date","iso":"2024-01-01T00:00:00.5+08:00"}}`)},
	{Where: where(`{"d":{"$lt":{"__type":"Date","iso":"2023-06-01 12:30:00.5"}}}`)},
	{Where: where(`{"p":{"__type":"Pointer","className":"T","objectId":"p1"}}`)},
	{Where: where(`{"ps":{"__type":"Pointer","className":"T","objectId":"p1"}}`)},
	{Where: where(`{"num":{"$in":[10,-3]}}`)},
	{Where: where(`{"num":{"$nin":[10,-3]}}`)},
	{Where: where(`{"num":{"$in":[]}}`)},
	{Where: where(`{"num":{"$nin":[]}}`)},
	{Where: where(`{"arr":{"$all":["x"]}}`)},
	{Where: where(`{"arr":{"$all":[]}}`)},
	{Where: where(`{"o":{"$exists":true}}`)},
	{Where: where(`{"o.z.1":2}`)},
	{Where: where(`{"arr.0":"x"}`)},
	{Where: where(`{"o.k":{"$exists":false}}`)},
	{Where: where(`{"big":1e21}`)},
	{Where: where(`{"tiny":{"$lt":0.2}}`)},
	{Where: where(`{"$or":[{"n":"a"},{"num":{"$lt":0}}]}`)},
	{Where: where(`{"$or":[{"n":"a"},{"w":{"$regex":"^a","$options":"i"}}]}`)},
	{Where: where(`{"$and":[{"n":{"$ne":"a"}},{"arr":{"$exists":true}}]}`), Order: []string{"-n"}},
	{Where: where(`{"s":{"$regex":"^ab"}}`), Order: []string{"n"}, Count: true, Limit: 1},
	{Where: where(`{"createdAt":{"$gt":"2024-03-01 10:00:03"}}`), Order: []string{"-createdAt"}},
	{Where: where(`{"createdAt":"2024-03-01 10:00:03"}`)},
	{Where: where(`{"objectId":{"$in":["nope"]}}`)},
	{Where: where(`{"n":{"$gte":"b"}}`), Keys: []string{"n,num"}, Order: []string{"n"}, Limit: 2, Skip: 2, Count: true},
	{Where: where(`{"n":{"$in":["a","c","g"]}}`), GroupBy: []string{"num"}, GroupCount: true, Sum: []string{"num"}},
	{Where: where(`{"o.k":{"$in":["x","y"]}}`), Keys: []string{"-o"}},
	{Where: where(`{"s":"a\u0000b"}`)},
	{Where: where(`{"s":{"$lt":"a\u0001"}}`), Order: []string{"-s"}},
	{Where: where(`{"s":{"$gt":"a"}}`), Order: []string{"s"}},
	{Where: where(`{"arr":"\u0000"}`)},
	{Where: where(`{"arr":{"$all":["\u0001\u0002"]}}`)},
	{Where: where(`{"t":{"$in":["\u0000","x\u0001y"]}}`), Order: []string{"t"}},
	{Where: where(`{"u":"\u0000"}`)},
	{Where: where(`{"o.v":{"$gte":"ab"}}`), Order: []string{"-o.v"}},
	{Where: where(`{"s":{"$regex":"\u0000"}}`)},
	{Where: where(`{"o":{"k\u0000":"v\u0000","v":"ab\u0000"}}`)},
	{Where: where(`{"objectId":"a\u0000"}`)},
	{Order: []string{"t", "s"}, Keys: []string{"t,s"}},
}

// TestEnginesAnswerAlike writes the same objects to both engines and
// compares the JSON of every answer byte for byte.
func TestEnginesAnswerAlike(t *testing.T) {
	ctx := context.Background()
	stores := map[string]Store{}
	for _, e := range engineNames {
		s, _ := openEngine(t, e, Options{})
		for _, r := range crossRows {
			mustCreate(t, s, "X", obj(t, r))
		}
		stores[e] = s
	}
	export := map[string]string{}
	for e, s := range stores {
		var b jsonBuffer
		if err := s.Export(ctx, &b); err != nil {
			t.Fatal(err)
		}
		export[e] = b.String()
	}
	empty := 0
	// objectIds are random: compare answers with ids replaced by the row name.
	for i, q := range crossQueries {
		if q.Limit == 0 {
			q.Limit = -1 // the tables leave it out: Bmob's default
		}
		answers := map[string]string{}
		for e, s := range stores {
			res, err := s.Find(ctx, "X", q)
			if err != nil {
				t.Fatalf("%s query %d: %v", e, i, err)
			}
			answers[e] = canon(t, res)
		}
		if answers["bbolt"] == `{"Results":[],"Count":0,"Groups":null}` {
			empty++
		}
		if answers["bbolt"] != answers["postgres"] {
			t.Errorf("query %d %+v:\nbbolt    %s\npostgres %s", i, q, answers["bbolt"], answers["postgres"])
		}
	}
	if empty > len(crossQueries)/4 {
		t.Errorf("%d of %d queries found nothing: the table does not test much", empty, len(crossQueries))
	}
	if export["bbolt"] == "" || len(export["bbolt"]) != len(export["postgres"]) {
		t.Errorf("exports differ in length:\nbbolt    %s\npostgres %s", export["bbolt"], export["postgres"])
	}
}

type jsonBuffer struct{ b []byte }

func (j *jsonBuffer) Write(p []byte) (int, error) { j.b = append(j.b, p...); return len(p), nil }
func (j *jsonBuffer) String() string              { return string(j.b) }

// canon is the answer's JSON without objectIds.
func canon(t *testing.T, res Result) string {
	strip := func(rows []map[string]any) {
		for _, r := range rows {
			delete(r, "objectId")
		}
	}
	strip(res.Results)
	strip(res.Groups)
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// where decodes a where literal of the tables above.
func where(s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic("bad test JSON " + s + ": " + err.Error())
	}
	return m
}
