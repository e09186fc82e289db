package datapull

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/store"
)

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "m.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestReadResults(t *testing.T) {
	cases := []struct {
		name, in string
		n        int
		err      bool
	}{
		{"results page", `{"results":[{"objectId":"a1"},{"objectId":"b2"}]}`, 2, false},
		{"results with count", `{"results":[],"count":0}`, 0, false},
		{"bare array", `[{"objectId":"a1"}]`, 1, false},
		{"no results key", `{"objects":[]}`, 0, true},
		{"not JSON", `results`, 0, true},
		{"results not objects", `{"results":[1,2]}`, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadResults(strings.NewReader(tc.in))
			if (err != nil) != tc.err || len(got) != tc.n {
				t.Fatalf("got %v %v", got, err)
			}
		})
	}
}

func TestImportBmobJSONKeepsIDsAndTimes(t *testing.T) {
	dir := t.TempDir()
	game := `{"results":[
		{"objectId":"e1kXT22L","createdAt":"2014-02-05 12:00:01","updatedAt":"2015-03-01 08:09:10","score":1337,"ACL":{"*":{"read":true}},
		 "player":{"__type":"Pointer","className":"_User","objectId":"u1u1u1u1u1"},"when":{"__type":"Date","iso":"2014-02-05 00:00:00"}},
		{"objectId":"4313ac6aa3","createdAt":"2024-01-01 00:00:00","updatedAt":"2024-01-01 00:00:00","score":2}]}`
	users := `{"results":[{"objectId":"u1u1u1u1u1","createdAt":"2020-01-01 00:00:00","updatedAt":"2020-01-01 00:00:00","username":"ada"}]}`
	_ = os.WriteFile(filepath.Join(dir, "GameScore.json"), []byte(game), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "_User.json"), []byte(users), 0o644)
	classes, err := ReadFiles([]string{dir}, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(classes.Names(), ","); got != "GameScore,_User" {
		t.Fatalf("classes from file names: %s", got)
	}
	st := openStore(t)
	ctx := context.Background()
	if _, err := st.Create(ctx, "Old", map[string]any{"x": 1.0}); err != nil {
		t.Fatal(err)
	}
	if err := Import(ctx, st, classes, true); err != nil {
		t.Fatal(err)
	}
	obj, err := st.Get(ctx, "GameScore", "e1kXT22L", store.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if obj["createdAt"] != "2014-02-05 12:00:01" || obj["updatedAt"] != "2015-03-01 08:09:10" || obj["score"] != 1337.0 {
		t.Fatalf("imported object: %v", obj)
	}
	if p, _ := obj["player"].(map[string]any); p["objectId"] != "u1u1u1u1u1" {
		t.Fatalf("pointer: %v", obj["player"])
	}
	if acl, _ := obj["ACL"].(map[string]any); acl == nil {
		t.Fatalf("ACL lost: %v", obj)
	}
	if res, _ := st.Find(ctx, "Old", store.Query{Limit: -1}); len(res.Results) != 1 {
		t.Fatalf("merge dropped a class the import lacks: %v", res.Results)
	}
	// Without merge the db holds exactly the import.
	if err := Import(ctx, st, Classes{"GameScore": classes["GameScore"]}, false); err != nil {
		t.Fatal(err)
	}
	if names, _ := st.Classes(ctx); strings.Join(names, ",") != "GameScore" {
		t.Fatalf("replace kept %v", names)
	}
	// A bad object fails the whole import and changes nothing.
	bad := Classes{"GameScore": {{"objectId": "zz", "createdAt": "yesterday", "updatedAt": "2024-01-01 00:00:00"}}}
	if err := Import(ctx, st, bad, false); err == nil || !strings.Contains(err.Error(), "invalid date") {
		t.Fatalf("bad date: %v", err)
	}
	if _, err := st.Get(ctx, "GameScore", "4313ac6aa3", store.GetOptions{}); err != nil {
		t.Fatalf("a failed import changed the db: %v", err)
	}
}

func TestReadFilesRules(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.json")
	_ = os.WriteFile(a, []byte(`{"results":[]}`), 0o644)
	if c, err := ReadFiles([]string{a}, "Named"); err != nil || c["Named"] == nil {
		t.Fatalf("--class names one file's class: %v %v", c, err)
	}
	if _, err := ReadFiles([]string{a, a}, "Named"); err == nil {
		t.Fatal("--class with two files must fail")
	}
	if _, err := ReadFiles([]string{a, a}, ""); err == nil || !strings.Contains(err.Error(), "two files") {
		t.Fatalf("the same class twice: %v", err)
	}
	if _, err := ReadFiles([]string{filepath.Join(dir, "missing.json")}, ""); err == nil {
		t.Fatal("a missing file must fail")
	}
}

// serve starts a bmobemu on 127.0.0.1 over db.
func serve(t *testing.T, db string) (string, emulator.Keys) {
	t.Helper()
	emu, err := emulator.Open(emulator.Config{FunctionsDirs: []string{t.TempDir()}, DBPath: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = emu.Serve(ctx, ln) }()
	return "http://" + ln.Addr().String(), emu.Keys
}

func TestPullFromBmobemu(t *testing.T) {
	// The source app: 2,345 rows (three pages) and a small class, with old times.
	src := openStore(t)
	rows := make([]map[string]any, 2345)
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		ts := start.Add(time.Duration(i) * time.Minute).In(time.FixedZone("CST", 8*3600)).Format(store.TimeLayout)
		rows[i] = map[string]any{"objectId": fmt.Sprintf("%010x", i+1), "createdAt": ts, "updatedAt": ts, "n": float64(i)}
	}
	ctx := context.Background()
	if err := Import(ctx, src, Classes{"Big": rows, "Small": {{"objectId": "s1", "createdAt": "2021-05-05 05:05:05", "updatedAt": "2021-05-05 05:05:06", "x": "y"}}}, false); err != nil {
		t.Fatal(err)
	}
	srcPath := filepath.Join(t.TempDir(), "src.db")
	if err := store.ExportFile(ctx, src, srcPath+".json"); err != nil {
		t.Fatal(err)
	}
	// Serve that data from a bmobemu of its own.
	served, err := store.Open(srcPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(srcPath + ".json")
	err = served.Import(ctx, f)
	f.Close()
	served.Close()
	if err != nil {
		t.Fatal(err)
	}
	base, keys := serve(t, srcPath)

	pages := 0
	got, err := Pull(ctx, PullOptions{URL: base, AppID: keys.AppID, RESTKey: keys.RESTKey, Classes: []string{"Big", "Small"},
		Progress: func(string, int) { pages++ }})
	if err != nil {
		t.Fatal(err)
	}
	if len(got["Big"]) != 2345 || len(got["Small"]) != 1 || pages != 4 {
		t.Fatalf("pulled %d + %d objects in %d pages", len(got["Big"]), len(got["Small"]), pages)
	}
	dst := openStore(t)
	if err := Import(ctx, dst, got, false); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"0000000001", "00000003e8", "00000003e9", "0000000929"} {
		a, err1 := src.Get(ctx, "Big", id, store.GetOptions{})
		b, err2 := dst.Get(ctx, "Big", id, store.GetOptions{})
		if err1 != nil || err2 != nil || fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("object %s differs: %v %v / %v %v", id, a, err1, b, err2)
		}
	}
	if s, _ := dst.Get(ctx, "Small", "s1", store.GetOptions{}); s["updatedAt"] != "2021-05-05 05:05:06" {
		t.Fatalf("Small: %v", s)
	}

	// Wrong keys are a clear error.
	if _, err := Pull(ctx, PullOptions{URL: base, AppID: keys.AppID, RESTKey: "wrong", Classes: []string{"Big"}}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := Pull(ctx, PullOptions{URL: base, AppID: keys.AppID}); err == nil {
		t.Fatal("no REST key must fail")
	}
}
