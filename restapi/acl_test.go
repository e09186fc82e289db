package restapi

import (
	"context"
	"net/url"
	"sort"
	"testing"
)

func ids(m map[string]any) []string {
	var out []string
	for _, r := range m["results"].([]any) {
		out = append(out, r.(map[string]any)["objectId"].(string))
	}
	return out
}

func TestACLAndRoles(t *testing.T) {
	f := newFixture(t)
	ann, annTok := f.signUp("ann", "pw")
	bob, bobTok := f.signUp("bob", "pw")
	_, carlTok := f.signUp("carl", "pw")

	// carl is in Staff; Staff is a child of Moderators, so carl inherits it.
	_, mods := f.do("POST", "/1/roles", `{"name":"Moderators"}`)
	_, staff := f.do("POST", "/1/roles", `{"name":"Staff","users":{"__op":"AddRelation","objects":[{"__type":"Pointer","className":"_User","objectId":"`+carlID(f, carlTok)+`"}]}}`)
	if status, _ := f.do("PUT", "/1/roles/"+mods["objectId"].(string), `{"roles":{"__op":"AddRelation","objects":[{"__type":"Pointer","className":"_Role","objectId":"`+staff["objectId"].(string)+`"}]}}`); status != 200 {
		t.Fatal("role update failed")
	}

	create := func(acl string) string {
		_, m := f.do("POST", "/1/classes/Note", `{"ACL":`+acl+`}`)
		if m["objectId"] == nil {
			t.Fatalf("create with ACL %s: %v", acl, m)
		}
		return m["objectId"].(string)
	}
	public := create(`{"*":{"read":true}}`)
	annOnly := create(`{"` + ann + `":{"read":true,"write":true}}`)
	modsOnly := create(`{"role:Moderators":{"read":true,"write":true},"` + bob + `":{"read":true}}`)
	nobody := create(`{}`)
	_, m := f.do("POST", "/1/classes/Note", `{"text":"no acl"}`)
	open := m["objectId"].(string)

	for _, tt := range []struct {
		who  string
		hdr  []string
		want []string
	}{
		{"anonymous", nil, []string{public, open}},
		{"ann", session(annTok), []string{public, annOnly, open}},
		{"bob", session(bobTok), []string{public, modsOnly, open}},
		{"carl (inherited role)", session(carlTok), []string{public, modsOnly, open}},
		{"master", master(), []string{public, annOnly, modsOnly, nobody, open}},
	} {
		_, m := f.do("GET", "/1/classes/Note?count=1", "", tt.hdr...)
		got := ids(m)
		sort.Strings(got)
		sort.Strings(tt.want)
		if len(got) != len(tt.want) || m["count"] != float64(len(tt.want)) {
			t.Errorf("%s sees %v (count %v), want %v", tt.who, got, m["count"], tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s sees %v, want %v", tt.who, got, tt.want)
				break
			}
		}
	}

	// get, update and delete: 122 when denied.
	f.wantError("GET", "/1/classes/Note/"+annOnly, "", 122, msgPermission)
	f.wantError("GET", "/1/classes/Note/"+annOnly, "", 122, msgPermission, session(bobTok)...)
	if status, _ := f.do("GET", "/1/classes/Note/"+annOnly, "", session(annTok)...); status != 200 {
		t.Error("owner cannot read")
	}
	f.wantError("PUT", "/1/classes/Note/"+modsOnly, `{"text":"x"}`, 122, msgPermission, session(bobTok)...) // read only
	if status, _ := f.do("PUT", "/1/classes/Note/"+modsOnly, `{"text":"x"}`, session(carlTok)...); status != 200 {
		t.Error("role member cannot write")
	}
	f.wantError("PUT", "/1/classes/Note/"+public, `{"text":"x"}`, 122, msgPermission)
	f.wantError("DELETE", "/1/classes/Note/"+nobody, "", 122, msgPermission, session(annTok)...)
	f.wantError("DELETE", "/1/classes/Note/missing", "", 101, "object not found for missing.")
	f.wantError("PUT", "/1/classes/Note", `{}`, 103, "objectId required.")
	f.wantError("DELETE", "/1/users", "", 103, "objectId required.")
	if status, _ := f.do("DELETE", "/1/classes/Note/"+nobody, "", master()...); status != 200 {
		t.Error("master cannot delete")
	}
	if status, _ := f.do("PUT", "/1/classes/Note/"+open, `{"text":"y"}`); status != 200 {
		t.Error("object without ACL not writable")
	}
	f.wantError("POST", "/1/classes/Note", `{"ACL":{"*":{"read":1}}}`, 107, `ACL shoud be like: {"*":{"read":true},"eAfHB29gP9":{"write":true}}.`)

	// Roles: names are checked, unique and fixed.
	f.wantError("POST", "/1/roles", `{"name":"bad/name"}`, 139, "Role names must be restricted to alphanumeric characters, dashes(-), underscores(_), and spaces.")
	f.wantError("POST", "/1/roles", `{}`, 139, "")
	f.wantError("POST", "/1/classes/_Role", `{"name":"Staff"}`, 139, "role name 'Staff' already taken.")
	f.wantError("PUT", "/1/roles/"+mods["objectId"].(string), `{"name":"Other"}`, 136, "name cannot be changed by this operation")
	_, got := f.do("GET", "/1/roles/"+mods["objectId"].(string), "")
	if got["name"] != "Moderators" || got["roles"].(map[string]any)["__type"] != "Relation" {
		t.Errorf("role: %v", got)
	}
	q := url.Values{"where": {`{"$relatedTo":{"object":{"__type":"Pointer","className":"_Role","objectId":"` + staff["objectId"].(string) + `"},"key":"users"}}`}}
	_, got = f.do("GET", "/1/users?"+q.Encode(), "")
	if r := got["results"].([]any); len(r) != 1 || r[0].(map[string]any)["username"] != "carl" {
		t.Errorf("role members: %v", got)
	}
}

func carlID(f *fixture, tok string) string {
	_, m := f.do("GET", "/1/me", "", session(tok)...)
	return m["objectId"].(string)
}

// TestAnonymousReadRuleIsCompiledOnce checks every anonymous find shares the
// read rule New compiled, while a user's rule (their id, their roles) is
// their own, and the master key adds none.
func TestAnonymousReadRuleIsCompiledOnce(t *testing.T) {
	a := newAPI(t)
	ctx := context.Background()
	first, err := a.readable(ctx, &caller{})
	if err != nil || first == nil {
		t.Fatalf("anonymous rule %v, %v", first, err)
	}
	again, _ := a.readable(ctx, &caller{})
	if first != again || first != a.anonymousRead {
		t.Error("an anonymous find compiled its read rule again")
	}
	user, err := a.readable(ctx, &caller{userID: "u1", loaded: true})
	if err != nil || user == nil || user == first {
		t.Errorf("a user's find got rule %p (%v); the anonymous one is %p", user, err, first)
	}
	if master, _ := a.readable(ctx, &caller{master: true}); master != nil {
		t.Error("the master key's finds were narrowed")
	}
}
