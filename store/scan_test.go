package store

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// rawCases are stored field objects with the values where clauses must read
// alike from the JSON text and from the decoded map: escapes, unicode, keys
// jsonparser's path syntax would misread, numbers JSON rewrites, nesting.
var rawCases = append([]string{
	`{"s":"a\"b\\c\n\u00e9\ud83d\ude00","e":"","u":"é","k":{"a.b":1,"[0]":"idx","":"empty","x\"y":2}}`,
	`{"n":-0,"f":1e-7,"g":123456789012345678901234567890,"h":0.1,"t":true,"z":false,"nul":null}`,
	`{"a":[[1,[2,{"b":"deep"}]],{"c":[true]}],"o":{"p":{"q":{"r":"s"}}},"arr":[]}`,
	`{"ACL":{"*":{"read":true},"role:Admin":{"write":true}},"d":{"__type":"Date","iso":"2024-01-01 00:00:00"}}`,
	`{}`,
}, crossRows...)

var rawPaths = []string{
	"s", "e", "u", "k", "k.a.b", "k.[0]", "k.", "k.x\"y", "missing", "s.x",
	"n", "f", "g", "h", "t", "z", "nul", "nul.x",
	"a", "a.0", "a.0.1", "a.0.1.1.b", "a.1.c.0", "a.+1", "a.01", "a.-1", "a.9", "a.x", "o.p.q.r", "o.p.q", "arr", "arr.0",
	"ACL", "ACL.*.read", "ACL.role:Admin.write", "ACL.*.write", "d", "d.iso",
	"num", "arr.1", "arr.1.0", "o.v", "o.k", "o.z.1", "p.objectId", "ps.0.className", "big", "tiny", "neg", "w",
}

// TestRawGetReadsAsDecoded pins the in-place reads a where clause makes on
// the stored JSON to the values of the decoded record, path by path.
func TestRawGetReadsAsDecoded(t *testing.T) {
	for i, fields := range rawCases {
		var m map[string]any
		if err := json.Unmarshal([]byte(fields), &m); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		r := &record{id: "abc", created: time.UnixMicro(1700000000000001), updated: time.UnixMicro(1700000000000002), fields: m}
		stored, err := encodeRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		c, u, _, ok := parseRegular(stored)
		if !ok || c != 1700000000000001 || u != 1700000000000002 {
			t.Fatalf("case %d: %s is not read as regular", i, stored)
		}
		rr, _ := readRaw([]byte("abc"), stored)
		raw := &rr
		for _, p := range append(rawPaths, "objectId", "createdAt", "updatedAt") {
			want, wantOK := r.get(p)
			got, gotOK := raw.get(p)
			if gotOK != wantOK || !reflect.DeepEqual(got, want) {
				t.Errorf("case %d path %q: raw %#v %v, decoded %#v %v", i, p, got, gotOK, want, wantOK)
			}
		}
		back, err := raw.record()
		if err != nil || !reflect.DeepEqual(back.fields, m) {
			t.Errorf("case %d: whole decode %v %v", i, back, err)
		}
	}
}

// TestParseRegularRefusesOtherForms: anything but encodeRecord's exact form
// goes to the full decoder.
func TestParseRegularRefusesOtherForms(t *testing.T) {
	for _, v := range []string{
		`{"f":{},"c":1,"u":2}`, `{"c":1.5,"u":2,"f":{}}`, `{"c":01,"u":2,"f":{}}`, `{"c":99999999999999999999,"u":2,"f":{}}`,
		`{"c":1,"u":2,"f":[]}`, `{"c":1,"u":2}`, `{"c":1,"u":2,"f":{}`, `{ "c":1,"u":2,"f":{}}`, `{"c":-,"u":2,"f":{}}`,
	} {
		if _, _, _, ok := parseRegular([]byte(v)); ok {
			t.Errorf("%s read as regular", v)
		}
	}
	if _, _, f, ok := parseRegular([]byte(`{"c":-5,"u":0,"f":null}`)); !ok || string(f) != "{}" {
		t.Errorf("null fields: %s %v", f, ok)
	}
}

// TestIrregularRecordsAreQueried: a record stored in another valid form (an
// older writer's key order, extra keys after the fields) is read whole and
// answers queries like the others, before and after the class's first check.
func TestIrregularRecordsAreQueried(t *testing.T) {
	path := filepath.Join(t.TempDir(), "irregular.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mustCreate(t, s, "T", map[string]any{"k": 2.0, "name": "regular"})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	putRaw(t, path, "T", "irregular1", []byte(`{"f":{"k":1,"name":"reordered"},"u":1700000000000000,"c":1600000000000000}`))
	putRaw(t, path, "T", "irregular2", []byte(`{"c":1500000000000000,"u":1500000000000000,"f":{"k":3,"name":"trailing"},"x":1}`))
	s, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for round := 0; round < 2; round++ { // the first query checks the class, the second uses what it learned
		res, err := s.Find(ctx, "T", Query{Limit: -1})
		if err != nil || names(res) != "trailing,reordered,regular" {
			t.Fatalf("round %d default order: %s %v", round, names(res), err)
		}
		res, err = s.Find(ctx, "T", Query{Where: where(`{"k":{"$lte":2}}`), Order: []string{"-k"}, Count: true, Limit: -1})
		if err != nil || names(res) != "regular,reordered" || res.Count != 2 {
			t.Fatalf("round %d where: %s %d %v", round, names(res), res.Count, err)
		}
		if res.Results[1]["createdAt"] != "2020-09-13 20:26:40" {
			t.Fatalf("round %d createdAt of the reordered record: %v", round, res.Results[1]["createdAt"])
		}
	}
	if _, err := s.Update(ctx, "T", "irregular2", map[string]any{"k": 0.0}); err != nil {
		t.Fatal(err)
	}
	res, err := s.Find(ctx, "T", Query{Where: where(`{"k":0}`), Limit: -1})
	if err != nil || names(res) != "trailing" {
		t.Fatalf("after rewriting it: %s %v", names(res), err)
	}
}

// TestClassIsNotHeldInMemory is issue 12's memory goal at the store: after
// queries over a 20,000-row class, the Go heap keeps no copy of it (the
// decoded cache kept every row as maps, about 40 MB here).
func TestClassIsNotHeldInMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.db")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var doc strings.Builder
	doc.WriteString(`{"format":"bmobemu-export","version":1,"classes":{"Big":[`)
	for i := 0; i < 20_000; i++ {
		if i > 0 {
			doc.WriteString(",")
		}
		fmt.Fprintf(&doc, `{"objectId":"%010x","createdAt":"2024-01-01 00:00:00","updatedAt":"2024-01-01 00:00:00","n":%d,"city":"c%d","tags":["a","b","c"],"o":{"x":%d,"y":"%s"}}`,
			i, i, i%50, i, strings.Repeat("y", 40))
	}
	doc.WriteString(`]}}`)
	if err := s.Import(ctx, strings.NewReader(doc.String())); err != nil {
		t.Fatal(err)
	}
	doc.Reset()
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	for _, q := range []Query{
		{Where: where(`{"city":"c7","n":{"$gte":1000}}`), Limit: 20, Count: true},
		{Order: []string{"-o.x"}, Limit: 5},
		{Limit: 1000},
	} {
		res, err := s.Find(ctx, "Big", q)
		if err != nil || len(res.Results) == 0 {
			t.Fatalf("%+v: %d rows, %v", q, len(res.Results), err)
		}
	}
	if _, err := s.Get(ctx, "Big", fmt.Sprintf("%010x", 777), GetOptions{}); err != nil {
		t.Fatal(err)
	}
	after := heap()
	const allowed = 4 << 20
	if after > before+allowed {
		t.Fatalf("the heap grew by %d MB after querying the class (allowed %d MB)", (after-before)>>20, allowed>>20)
	}
	runtime.KeepAlive(s)
}

// TestPageOrderSelectsAsSortingDoes: the one-pass selection of a small page
// gives the rows a full sort gives, for every skip and limit.
func TestPageOrderSelectsAsSortingDoes(t *testing.T) {
	vals := make([]int, 500)
	for i := range vals {
		vals[i] = (i * 7919) % 97 // many ties, broken by index
	}
	cmpIdx := func(i, j int) int {
		if vals[i] != vals[j] {
			return vals[i] - vals[j]
		}
		return i - j
	}
	all := make([]int, len(vals))
	for i := range all {
		all[i] = i
	}
	slices.SortFunc(all, cmpIdx)
	for _, n := range []int{0, 1, 3, 40, 500} {
		sorted := make([]int, 0, n)
		for _, i := range all {
			if i < n {
				sorted = append(sorted, i)
			}
		}
		for _, skip := range []int{-1, 0, 1, 5, 39, 40, 600} {
			for _, limit := range []int{-1, 0, 1, 7, 100, 5000} {
				got := pageOrder(n, cmpIdx, skip, limit)
				want := page(sorted, skip, limit)
				if len(got) != len(want) || (len(want) > 0 && !slices.Equal(got, want)) {
					t.Fatalf("n %d skip %d limit %d: %v, want %v", n, skip, limit, got, want)
				}
			}
		}
	}
}

// TestRawClausesMatchAsDecoded pins the clauses compiled for the stored JSON
// to the ordinary ones over decoded records: every field of rawCases against
// scalar equality, comparisons, $ne and $exists, alone and combined.
func TestRawClausesMatchAsDecoded(t *testing.T) {
	operands := []any{nil, "", "a", "ab", "abc", "é", "x", "a\"b\\c\n\u00e9\U0001F600", 0.0, -3.0, 1.0, 2.5, 10.0, 1e21, true, false}
	var constraints []any
	for _, w := range operands {
		constraints = append(constraints, w,
			map[string]any{"$ne": w}, map[string]any{"$gt": w}, map[string]any{"$gte": w},
			map[string]any{"$lt": w}, map[string]any{"$lte": w}, map[string]any{"$gte": w, "$ne": "ab"})
	}
	constraints = append(constraints, map[string]any{"$exists": true}, map[string]any{"$exists": false},
		map[string]any{"$exists": true, "$gt": 0.0})
	checked := 0
	for i, fields := range rawCases {
		var m map[string]any
		if err := json.Unmarshal([]byte(fields), &m); err != nil {
			t.Fatal(err)
		}
		r := &record{id: "abc", created: time.UnixMicro(1), updated: time.UnixMicro(2), fields: m}
		stored, err := encodeRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		rr, _ := readRaw([]byte("abc"), stored)
		raw := &rr
		for _, path := range rawPaths {
			for _, con := range constraints {
				comp := &compiler{ctx: context.Background()}
				w := map[string]any{path: con}
				mt, err := comp.compile(w)
				if err != nil {
					t.Fatal(err)
				}
				if rawConstraint(path, con) != nil {
					checked++
				}
				if got, want := mt(raw), mt(r); got != want {
					t.Errorf("case %d where %s: stored JSON %v, decoded %v", i, jsonText(w), got, want)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no clause was compiled for the stored JSON")
	}
}
