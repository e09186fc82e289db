package store

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/clock"
	"github.com/bmobemu/bmobemu/internal/bjtime"
)

// openUsers opens a store on a fake clock with a cheap password hash.
func openUsers(t *testing.T, engine string) (Store, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(time.Date(2024, 6, 1, 9, 0, 0, 0, bjtime.Location))
	s, _ := openEngine(t, engine, Options{Now: clk.Now, PasswordIterations: 1000})
	return s, clk
}

func TestPasswordIsHashedAndNeverRead(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openUsers(t, engine)
		ctx := context.Background()
		id := mustCreate(t, s, "_User", map[string]any{"username": "ann", "password": "s3cret", "sessionToken": "echoed"})
		got := mustGet(t, s, "_User", id)
		if _, has := got["password"]; has {
			t.Errorf("Get shows password: %v", got)
		}
		if _, has := got["sessionToken"]; has {
			t.Errorf("sessionToken was stored: %v", got)
		}
		res, err := s.Find(ctx, "_User", Query{Limit: -1, Keys: []string{"password"}})
		if err != nil || len(res.Results) != 1 || res.Results[0]["password"] != nil {
			t.Errorf("Find keys=password: %v %v", res.Results, err)
		}
		res, _ = s.Find(ctx, "_User", Query{Limit: -1, Where: map[string]any{"password": "s3cret"}})
		if len(res.Results) != 0 {
			t.Errorf("a where on password matched: %v", res.Results)
		}
		for pw, want := range map[string]bool{"s3cret": true, "S3cret": false, "": false} {
			if ok, err := s.CheckPassword(ctx, id, pw); err != nil || ok != want {
				t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
			}
		}
		var buf bytes.Buffer
		if err := s.Export(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "s3cret") || !strings.Contains(buf.String(), `"passwords":{"`+id+`":"pbkdf2-sha256$1000$`) {
			t.Errorf("export: %s", buf.String())
		}
		// The export restores logins; a plain password in a hand-written document is hashed.
		s2, _ := openUsers(t, engine)
		doc := strings.Replace(buf.String(), `"classes":{"_User":[{`, `"classes":{"_User":[{"objectId":"bbbbbbbbbb","createdAt":"2024-06-01 09:00:00","updatedAt":"2024-06-01 09:00:00","username":"bob","password":"plain"},{`, 1)
		if err := s2.Import(ctx, strings.NewReader(doc)); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s2.CheckPassword(ctx, id, "s3cret"); !ok {
			t.Error("imported hash does not log in")
		}
		if ok, _ := s2.CheckPassword(ctx, "bbbbbbbbbb", "plain"); !ok {
			t.Error("imported plain password not hashed")
		}
		if o := mustGet(t, s2, "_User", "bbbbbbbbbb"); o["password"] != nil {
			t.Errorf("imported user shows password: %v", o)
		}
		if got, ok, _ := s2.Lookup(ctx, "_User", "username", "bob"); !ok || got != "bbbbbbbbbb" {
			t.Errorf("import did not index usernames: %q %v", got, ok)
		}
	})
}

func TestPasswordWriteErrors(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openUsers(t, engine)
		ctx := context.Background()
		for _, tt := range []struct {
			data map[string]any
			code int
		}{
			{map[string]any{"username": "a", "password": 5.0}, 111},
			{map[string]any{"username": "a", "password": ""}, 108},
			{map[string]any{"username": "a", "password.x": "y"}, 105},
			{map[string]any{"username": "a", "ACL": "public"}, 107},
			{map[string]any{"username": "a", "ACL": map[string]any{"*": map[string]any{"read": "yes"}}}, 107},
			{map[string]any{"username": "a", "ACL": map[string]any{"*": map[string]any{"delete": true}}}, 107},
			{map[string]any{"username": "a", "ACL.x": true}, 107},
		} {
			_, err := s.Create(ctx, "_User", tt.data)
			if code, msg := bmobCode(err); code != tt.code {
				t.Errorf("Create %v: code %d (%s), want %d", tt.data, code, msg, tt.code)
			}
		}
		res, _ := s.Find(ctx, "_User", Query{Limit: -1})
		if len(res.Results) != 0 {
			t.Errorf("failed writes left objects: %v", res.Results)
		}
	})
}

func TestUniqueFields(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openUsers(t, engine)
		ctx := context.Background()
		ann := mustCreate(t, s, "_User", map[string]any{"username": "ann", "password": "p", "email": "a@x.cn", "mobilePhoneNumber": "13800000000"})
		for _, tt := range []struct {
			class string
			data  map[string]any
			code  int
			msg   string
		}{
			{"_User", map[string]any{"username": "ann", "password": "p"}, 202, "username 'ann' already taken."},
			{"_User", map[string]any{"username": "bob", "password": "p", "email": "a@x.cn"}, 203, "email 'a@x.cn' already taken."},
			{"_User", map[string]any{"username": "bob", "password": "p", "mobilePhoneNumber": "13800000000"}, 209, "mobilePhoneNumber '13800000000' already taken."},
		} {
			_, err := s.Create(ctx, tt.class, tt.data)
			if code, msg := bmobCode(err); code != tt.code || msg != tt.msg {
				t.Errorf("Create %v: %d %q, want %d %q", tt.data, code, msg, tt.code, tt.msg)
			}
		}
		bob := mustCreate(t, s, "_User", map[string]any{"username": "bob", "password": "p"})
		if _, err := s.Update(ctx, "_User", bob, map[string]any{"email": "a@x.cn"}); err == nil {
			t.Error("update to a taken email succeeded")
		}
		// Renaming frees the old name; deleting frees everything.
		if _, err := s.Update(ctx, "_User", ann, map[string]any{"username": "anna"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(ctx, "_User", bob, map[string]any{"username": "ann"}); err != nil {
			t.Errorf("old name not freed: %v", err)
		}
		if _, err := s.Update(ctx, "_User", ann, map[string]any{"username": "anna", "age": 3.0}); err != nil {
			t.Errorf("rewriting one's own name: %v", err)
		}
		if err := s.Delete(ctx, "_User", ann); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.Lookup(ctx, "_User", "email", "a@x.cn"); ok {
			t.Error("deleted user's email still indexed")
		}
		mustCreate(t, s, "_User", map[string]any{"username": "anna", "password": "p", "email": "a@x.cn"})
		mustCreate(t, s, "_Role", map[string]any{"name": "Admins"})
		_, err := s.Create(ctx, "_Role", map[string]any{"name": "Admins"})
		if code, msg := bmobCode(err); code != 139 || msg != "role name 'Admins' already taken." {
			t.Errorf("duplicate role: %d %q", code, msg)
		}
		_, err = s.Create(ctx, "_User", map[string]any{"username": strings.Repeat("n", 2000), "password": "p"})
		if code, _ := bmobCode(err); code != 107 {
			t.Errorf("2000-byte username: %v", err)
		}
		if _, _, err := s.Lookup(ctx, "_User", "nickname", "x"); err == nil {
			t.Error("Lookup on a field that is not unique succeeded")
		}
	})
}

func TestSessions(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, clk := openUsers(t, engine)
		ctx := context.Background()
		id := mustCreate(t, s, "_User", map[string]any{"username": "ann", "password": "p"})
		a, err := s.CreateSession(ctx, id, 7*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := s.CreateSession(ctx, id, 7*24*time.Hour)
		if len(a.Token) != 32 || strings.Trim(a.Token, "0123456789abcdef") != "" || a.Token == b.Token {
			t.Fatalf("tokens %q %q", a.Token, b.Token)
		}
		if _, err := s.CreateSession(ctx, "nobody", time.Hour); err == nil {
			t.Error("session for a missing user")
		}
		clk.Advance(7*24*time.Hour - time.Second)
		if sess, ok, err := s.Session(ctx, a.Token); !ok || err != nil || sess.UserID != id {
			t.Errorf("session before expiry: %v %v %v", sess, ok, err)
		}
		clk.Advance(time.Second)
		if _, ok, _ := s.Session(ctx, a.Token); ok {
			t.Error("session valid at its expiry")
		}
		c, _ := s.CreateSession(ctx, id, time.Hour)
		if err := s.Delete(ctx, "_User", id); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.Session(ctx, c.Token); ok {
			t.Error("deleted user's session still valid")
		}
		if ok, _ := s.CheckPassword(ctx, id, "p"); ok {
			t.Error("deleted user's password still checks")
		}
	})
}

func TestRelationMatchesPointer(t *testing.T) {
	forEngines(t, func(t *testing.T, engine string) {
		s, _ := openUsers(t, engine)
		ctx := context.Background()
		u := mustCreate(t, s, "_User", map[string]any{"username": "ann", "password": "p"})
		r := mustCreate(t, s, "_Role", map[string]any{"name": "Admins", "users": map[string]any{"__op": "AddRelation",
			"objects": []any{map[string]any{"__type": "Pointer", "className": "_User", "objectId": u}}}})
		mustCreate(t, s, "_Role", map[string]any{"name": "Others"})
		for _, tt := range []struct {
			where map[string]any
			want  int
		}{
			{map[string]any{"users": map[string]any{"__type": "Pointer", "className": "_User", "objectId": u}}, 1},
			{map[string]any{"users": map[string]any{"__type": "Pointer", "className": "_User", "objectId": "zzz"}}, 0},
			{map[string]any{"users": map[string]any{"__type": "Pointer", "className": "Post", "objectId": u}}, 0},
			{map[string]any{"users": map[string]any{"$in": []any{map[string]any{"__type": "Pointer", "className": "_User", "objectId": u}}}}, 1},
		} {
			res, err := s.Find(ctx, "_Role", Query{Limit: -1, Where: tt.where})
			if err != nil || len(res.Results) != tt.want {
				t.Errorf("where %v: %d results, %v; want %d", tt.where, len(res.Results), err, tt.want)
			}
			if tt.want == 1 && res.Results[0]["objectId"] != r {
				t.Errorf("where %v found %v", tt.where, res.Results[0])
			}
		}
	})
}
