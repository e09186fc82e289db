package bql

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

var now = time.Date(2024, 6, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

func TestParseSelect(t *testing.T) {
	for _, tt := range []struct {
		src    string
		values []any
		want   string // the statement as JSON
	}{
		{"select * from GameScore", nil,
			`{"class":"GameScore","rows":true,"limit":-1}`},
		{"SELECT name, playScore FROM GameScore", nil,
			`{"class":"GameScore","rows":true,"keys":["name","playScore"],"limit":-1}`},
		{"select * from GameScore where name='smile'", nil,
			`{"class":"GameScore","rows":true,"where":{"name":"smile"},"limit":-1}`},
		{"select * from GameScore where name is exists and playScore > 80 and playScore <= 100", nil,
			`{"class":"GameScore","rows":true,"where":{"$and":[{"name":{"$exists":true}},{"playScore":{"$gt":80}},{"playScore":{"$lte":100}}]},"limit":-1}`},
		{"select * from GameScore where a != 1 and b <> 'x' and c < -2.5 and d >= 3 and e is not exists", nil,
			`{"class":"GameScore","rows":true,"where":{"a":{"$ne":1},"b":{"$ne":"x"},"c":{"$lt":-2.5},"d":{"$gte":3},"e":{"$exists":false}},"limit":-1}`},
		{"select * from GameScore limit 10,10 order by -playScore,+name", nil,
			`{"class":"GameScore","rows":true,"order":["-playScore","name"],"limit":10,"skip":10}`},
		{"select * from GameScore order by playScore,+name desc", nil,
			`{"class":"GameScore","rows":true,"order":["-playScore","name"],"limit":-1}`},
		{"select * from GameScore where name=? and playScore>? limit ?,?", []any{"dennis", 0.0, 0.0, 100.0},
			`{"class":"GameScore","rows":true,"where":{"name":"dennis","playScore":{"$gt":0}},"limit":100}`},
		{"select * from GameScore where playScore>10 and playScore<=15 or playScore=5", nil,
			`{"class":"GameScore","rows":true,"where":{"$or":[{"$and":[{"playScore":{"$gt":10}},{"playScore":{"$lte":15}}]},{"playScore":5}]},"limit":-1}`},
		{"select * from GameScore where (a=1 or b=2) and c=3", nil,
			`{"class":"GameScore","rows":true,"where":{"$and":[{"$or":[{"a":1},{"b":2}]},{"c":3}]},"limit":-1}`},
		{"select count(*) from GameScore", nil,
			`{"class":"GameScore","count":true,"limit":0}`},
		{"select count(*) from GameScore where playScore>10 and where playScore<20 limit 5", nil,
			`{"class":"GameScore","count":true,"where":{"$and":[{"playScore":{"$gt":10}},{"playScore":{"$lt":20}}]},"limit":0}`},
		{"select count(*),* from GameScore", nil,
			`{"class":"GameScore","rows":true,"count":true,"limit":-1}`},
		{"select count(objectId),game from GameScore", nil,
			`{"class":"GameScore","rows":true,"count":true,"keys":["game"],"limit":-1}`},
		{"select include author,* from Weibo where author = pointer('_User', '6720c14c28')", nil,
			`{"class":"Weibo","rows":true,"include":["author"],"where":{"author":{"__type":"Pointer","className":"_User","objectId":"6720c14c28"}},"limit":-1}`},
		{"select include weibo.author, include user from Comment", nil,
			`{"class":"Comment","rows":true,"include":["weibo.author","user"],"limit":-1}`},
		{"select * from Comment where weibo in (select * from Weibo where image is exists)", nil,
			`{"class":"Comment","rows":true,"where":{"weibo":{"$inQuery":{"className":"Weibo","where":{"image":{"$exists":true}}}}},"limit":-1}`},
		{"select * from Comment where weibo not in (select * from Weibo)", nil,
			`{"class":"Comment","rows":true,"where":{"weibo":{"$notInQuery":{"className":"Weibo","where":{}}}},"limit":-1}`},
		{"select * from Comment where related comment to pointer('Weibo', '262f6ace1a')", nil,
			`{"class":"Comment","rows":true,"where":{"$relatedTo":{"key":"comment","object":{"__type":"Pointer","className":"Weibo","objectId":"262f6ace1a"}}},"limit":-1}`},
		{"select * from P where hobby all ('游泳','看书') and n in (1,2) and m not in ()", nil,
			`{"class":"P","rows":true,"where":{"hobby":{"$all":["游泳","看书"]},"m":{"$nin":[]},"n":{"$in":[1,2]}},"limit":-1}`},
		{"select * from P where name like 'sm_le%.' and x regexp 'a.*'", nil,
			`{"class":"P","rows":true,"where":{"name":{"$regex":"^sm.le.*\\.$"},"x":{"$regex":"a.*"}},"limit":-1}`},
		{"select * from P where t < date('2015-05-20 00:00:00') and u > current_timestamp() and v = date(?)", []any{"2020-01-01 00:00:00"},
			`{"class":"P","rows":true,"where":{"t":{"$lt":{"__type":"Date","iso":"2015-05-20 00:00:00"}},"u":{"$gt":{"__type":"Date","iso":"2024-06-01 09:30:00"}},"v":{"__type":"Date","iso":"2020-01-01 00:00:00"}},"limit":-1}`},
		{"select * from P where gps = geopoint(112.9, 24.5) and f = file('a.txt', 'http://x/a.txt') and arr = [1, 'two', null, true]", nil,
			`{"class":"P","rows":true,"where":{"arr":[1,"two",null,true],"f":{"__type":"File","filename":"a.txt","url":"http://x/a.txt"},"gps":{"__type":"GeoPoint","latitude":24.5,"longitude":112.9}},"limit":-1}`},
		{`select * from _User where username = "it's" or username = 'it''s' or username = 'a\'b'`, nil,
			`{"class":"_User","rows":true,"where":{"$or":[{"username":"it's"},{"username":"it's"},{"username":"a'b"}]},"limit":-1}`},
	} {
		st, err := Parse(tt.src, tt.values, now)
		if err != nil {
			t.Errorf("%s: %v", tt.src, err)
			continue
		}
		var want any
		if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
			t.Fatalf("bad want %s", tt.want)
		}
		wantJSON, _ := json.Marshal(want)
		if got := statementJSON(st); got != string(wantJSON) {
			t.Errorf("%s:\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

// statementJSON renders the parts of a select a test checks.
func statementJSON(st *Statement) string {
	m := map[string]any{"class": st.Class, "limit": st.Limit}
	if st.Rows {
		m["rows"] = true
	}
	if st.Count {
		m["count"] = true
	}
	if st.Where != nil {
		m["where"] = st.Where
	}
	if st.Keys != nil {
		m["keys"] = st.Keys
	}
	if st.Include != nil {
		m["include"] = st.Include
	}
	if st.Order != nil {
		m["order"] = st.Order
	}
	if st.Skip != 0 {
		m["skip"] = st.Skip
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestParseWrites(t *testing.T) {
	st, err := Parse("insert into Player (name, score, at) values (?, 5, date('2024-01-01 00:00:00'))", []any{"ann"}, now)
	if err != nil || st.Kind != Insert || st.Class != "Player" || st.Data["name"] != "ann" || st.Data["score"] != 5.0 ||
		st.Data["at"].(map[string]any)["__type"] != "Date" {
		t.Errorf("insert: %+v %v", st, err)
	}
	st, err = Parse("update Player set score = ?, name = 'b' where objectId = ?", []any{7.0, "abc"}, now)
	if err != nil || st.Kind != Update || st.ObjectID != "abc" || st.Data["score"] != 7.0 || st.Data["name"] != "b" {
		t.Errorf("update: %+v %v", st, err)
	}
	st, err = Parse("DELETE FROM Player WHERE objectId = 'abc'", nil, now)
	if err != nil || st.Kind != Delete || st.Class != "Player" || st.ObjectID != "abc" {
		t.Errorf("delete: %+v %v", st, err)
	}
}

func TestParseErrors(t *testing.T) {
	long := "select * from P where a = '"
	for len(long) < MaxLength {
		long += "x"
	}
	for _, tt := range []struct {
		src    string
		values []any
		want   string
	}{
		{"", nil, "empty statement"},
		{long + "'", nil, "statement longer than 4096 bytes"},
		{"drop table P", nil, "expected select, insert, update or delete at 0"},
		{"select * from", nil, "expected a class name at 13, found end of statement"},
		{"select * P", nil, "expected from at 9, found 'P'"},
		{"select * from P where", nil, "expected a field at 21, found end of statement"},
		{"select * from P where a = ", nil, "expected a value at 26, found end of statement"},
		{"select * from P where a = ?", nil, "placeholder 1 at 26 has no value"},
		{"select * from P where a = ?", []any{1.0, 2.0}, "1 placeholders but 2 values"},
		{"select * from P where a = 'x", nil, "unterminated string at 26"},
		{"select * from P where a # 1", nil, "unexpected character '#' at 24"},
		{"select * from P limit 'x'", nil, "limit needs a non-negative integer at 22"},
		{"select * from P limit ?", []any{-1.0}, "limit needs a non-negative integer at 22"},
		{"select * from P where a = nosuch(1)", nil, "unknown function nosuch at 26"},
		{"select * from P where a = pointer('x')", nil, "bad arguments to pointer at 26"},
		{"select * from P where a not like 'x%'", nil, "not like is not supported"},
		{"select * from P where gps near [1,2]", nil, "near is not supported"},
		{"select sum(score) from P", nil, "statistics (sum) are not supported"},
		{"select * from P group by a", nil, "statistics (group) are not supported"},
		{"select * from P where related x to 'y'", nil, "related needs a pointer at 35"},
		{"select * from P where (a = 1", nil, "expected ) at 28, found end of statement"},
		{"select * from P extra", nil, "unexpected 'extra' at 16"},
		{"insert into P (a, b) values (1)", nil, "2 fields but 1 values at 28"},
		{"update P set a = 1", nil, "update and delete need where objectId = … at 18"},
		{"delete from P where name = 'x'", nil, "update and delete need where objectId = … at 14"},
		{"delete from P where objectId = 5", nil, "objectId must be a string at 31"},
		{"select * from where", nil, "expected a class name at 14, found 'where'"},
	} {
		_, err := Parse(tt.src, tt.values, now)
		var be *Error
		if !errors.As(err, &be) || be.Msg != tt.want {
			t.Errorf("%q: %v, want %q", tt.src, err, tt.want)
		}
	}
}
