package restapi

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestBatch(t *testing.T) {
	f := newFixture(t)
	ann, annTok := f.signUp("ann", "pw")
	_, m := f.do("POST", "/1/classes/Game", `{"score":1}`)
	game := m["objectId"].(string)
	body := `{"requests":[
		{"method":"POST","path":"/1/classes/Game","body":{"score":2}},
		{"method":"PUT","path":"/1/classes/Game/` + game + `","body":{"score":{"__op":"Increment","amount":5}}},
		{"method":"PUT","path":"/1/classes/Game/nope","body":{"score":3}},
		{"method":"PUT","path":"/1/users/` + ann + `","body":{"age":9}},
		{"method":"PUT","token":"` + annTok + `","path":"/1/users/` + ann + `","body":{"age":10}},
		{"method":"delete","path":"/1/classes/Game/` + game + `"},
		{"method":"GET","path":"/1/classes/Game?where=%7B%22score%22%3A2%7D"}
	]}`
	resp := call(f.api, "POST", "/1/batch", body)
	var results []map[string]any
	if err := json.Unmarshal(resp.Body, &results); err != nil || resp.Status != 200 || len(results) != 7 {
		t.Fatalf("batch: %d %s", resp.Status, resp.Body)
	}
	want := []string{
		`{"success":{"createdAt":"2024-06-01 09:00:00","objectId":"`,
		`{"success":{"updatedAt":"2024-06-01 09:00:00"}}`,
		`{"error":{"code":101,"error":"object not found for nope."}}`,
		`{"error":{"code":206,"error":"` + msgUserTable + `"}}`,
		`{"success":{"updatedAt":"2024-06-01 09:00:00"}}`,
		`{"success":{"msg":"ok"}}`,
		`{"success":{"results":[{"createdAt":"2024-06-01 09:00:00","objectId":"`,
	}
	for i, r := range results {
		b, _ := Encode(r)
		if !strings.HasPrefix(string(b), want[i]) {
			t.Errorf("element %d: %s\nwant %s…", i, b, want[i])
		}
	}
	if _, u := f.do("GET", "/1/users/"+ann, ""); u["age"] != 10.0 {
		t.Errorf("token element not applied: %v", u)
	}

	many := make([]string, MaxBatch+1)
	for i := range many {
		many[i] = `{"method":"POST","path":"/1/classes/Game","body":{}}`
	}
	for _, tt := range []struct {
		body string
		code int
		msg  string
	}{
		{`{}`, 112, "requests must be an array."},
		{`{"requests":{}}`, 112, "requests must be an array."},
		{`{"requests":[` + strings.Join(many, ",") + `]}`, 114, fmt.Sprintf("requests array larger than %d", MaxBatch)},
		{`{"requests":[1]}`, 113, msgBatchElement},
		{`{"requests":[{"method":"POST"}]}`, 113, msgBatchElement},
		{`{"requests":[{"method":"PATCH","path":"/1/classes/Game"}]}`, 113, msgBatchElement},
		{`{"requests":[{"method":"POST","path":"/1/classes/Game","body":[1]}]}`, 113, msgBatchElement},
		{`{"requests":[{"method":"POST","path":"/1/batch","body":{"requests":[]}}]}`, 113, msgBatchElement},
	} {
		f.wantError("POST", "/1/batch", tt.body, tt.code, tt.msg)
	}
	// A rejected batch ran nothing.
	_, m = f.do("GET", "/1/classes/Game?count=1&limit=0", "", master()...)
	if m["count"] != 1.0 {
		t.Errorf("games after the batches: %v", m)
	}
}

func TestCloudQuery(t *testing.T) {
	f := newFixture(t)
	for _, s := range []string{`{"name":"ann","score":80,"tags":["a"]}`, `{"name":"bob","score":95}`, `{"name":"cat","score":60,"ACL":{}}`} {
		f.do("POST", "/1/classes/Player", s)
	}
	q := func(bql string, values ...any) string {
		v := url.Values{"bql": {bql}}
		if values != nil {
			b, _ := json.Marshal(values)
			v.Set("values", string(b))
		}
		return "/1/cloudQuery?" + v.Encode()
	}
	names := func(m map[string]any) string {
		var out []string
		for _, r := range m["results"].([]any) {
			out = append(out, fmt.Sprint(r.(map[string]any)["name"]))
		}
		return strings.Join(out, ",")
	}
	for _, tt := range []struct {
		target string
		hdr    []string
		want   string
		count  any
	}{
		{q("select * from Player order by -score"), nil, "bob,ann", nil},
		{q("select * from Player order by -score"), master(), "bob,ann,cat", nil},
		{q("select * from Player where name=? or score > ? order by name", "ann", 90), nil, "ann,bob", nil},
		{q("select name from Player where score >= 60 and score < 90 order by name"), master(), "ann,cat", nil},
		{q("select count(*) from Player where score > ?", 70), nil, "", 2.0},
		{q("select count(*),* from Player limit ?,? order by score", 1, 1), nil, "bob", 2.0},
		{q("select * from Player where name like 'b%'"), nil, "bob", nil},
		{q("select * from Player where tags = 'a'"), nil, "ann", nil},
		{q("select * from Player where name in ('ann','zed')"), nil, "ann", nil},
	} {
		status, m := f.do("GET", tt.target, "", tt.hdr...)
		if status != 200 || names(m) != tt.want || m["count"] != tt.count {
			t.Errorf("%s: %d %v", tt.target, status, m)
		}
	}
	status, m := f.do("GET", q("insert into Player (name, score) values (?, ?)", "dan", 10), "")
	if status != 201 || m["objectId"] == nil {
		t.Fatalf("insert: %d %v", status, m)
	}
	id := m["objectId"].(string)
	if status, m := f.do("GET", q("update Player set score = ? where objectId = ?", 11, id), ""); status != 200 || m["updatedAt"] == nil {
		t.Errorf("update: %d %v", status, m)
	}
	if _, m := f.do("GET", "/1/classes/Player/"+id, ""); m["score"] != 11.0 {
		t.Errorf("after update: %v", m)
	}
	if status, m := f.do("GET", q("delete from Player where objectId = ?", id), ""); status != 200 || m["msg"] != "ok" {
		t.Errorf("delete: %d %v", status, m)
	}
	f.wantError("GET", "/1/cloudQuery", "", 118, "param bql is need.")
	f.wantError("GET", q("select * from"), "", 601, "Invalid bql:expected a class name at 13, found end of statement")
	f.wantError("GET", q("select * from Player where name = ?"), "", 601, "Invalid bql:placeholder 1 at 34 has no value")
	f.wantError("GET", "/1/cloudQuery?bql=select%20*%20from%20Player&values=%5B", "", 107, "invalid json: [.")
	f.wantError("GET", q("select * from Player where score ~ 1"), "", 601, "")
	f.wantError("GET", q("delete from Player where objectId = ?", "nope"), "", 101, "object not found for nope.")
	f.wantError("GET", q("insert into _Role (name) values ('bad/x')"), "", 139, "")
}

// TestBatchWritesApplyInOrder: consecutive writes of a batch run side by side
// and commit together, yet take effect in element order; a failing one (a
// type error) answers its own error and changes nothing; a read after them
// sees them all.
func TestBatchWritesApplyInOrder(t *testing.T) {
	f := newFixture(t)
	_, m := f.do("POST", "/1/classes/Game", `{"score":0}`)
	game := m["objectId"].(string)
	for round := range 10 {
		_, m := f.do("POST", "/1/classes/Game", `{"score":-1}`)
		other := m["objectId"].(string)
		put := func(score string) string {
			return `{"method":"PUT","path":"/1/classes/Game/` + game + `","body":{"score":` + score + `}}`
		}
		body := `{"requests":[` + strings.Join([]string{
			put("1"), put(`"one"`), put("2"),
			`{"method":"POST","path":"/1/classes/Game","body":{"score":3,"round":` + fmt.Sprint(round) + `}}`,
			put("4"),
			`{"method":"DELETE","path":"/1/classes/Game/` + other + `"}`,
			`{"method":"GET","path":"/1/classes/Game/` + game + `"}`,
		}, ",") + `]}`
		resp := call(f.api, "POST", "/1/batch", body)
		var results []map[string]map[string]any
		if err := json.Unmarshal(resp.Body, &results); err != nil || resp.Status != 200 || len(results) != 7 {
			t.Fatalf("round %d: %d %s", round, resp.Status, resp.Body)
		}
		for i, r := range results {
			if (i == 1) != (r["error"] != nil) {
				t.Fatalf("round %d element %d: %v (only element 1 should fail)", round, i, r)
			}
		}
		if got := results[6]["success"]["score"]; got != 4.0 {
			t.Fatalf("round %d: the read after the writes sees score %v, want 4", round, got)
		}
		if _, g := f.do("GET", "/1/classes/Game/"+game, ""); g["score"] != 4.0 {
			t.Fatalf("round %d: score %v after the batch, want 4 (the last write in element order)", round, g["score"])
		}
		if status, _ := f.do("GET", "/1/classes/Game/"+other, ""); status != 404 && status != 400 {
			t.Fatalf("round %d: deleted object still answers %d", round, status)
		}
	}
	_, m = f.do("GET", `/1/classes/Game?count=1&limit=0&where={"score":3}`, "", master()...)
	if m["count"] != 10.0 {
		t.Fatalf("created by the batches: %v, want 10", m)
	}
}
