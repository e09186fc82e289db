package bmob

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/storetest"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/modulestest"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/store"
)

var profiles = []modules.Profile{modules.Bmob, modules.Compat}

// testEnv is a VU with oData as `db` and every wrapper under a short global
// name, over a real store, plus the same REST API for round trips from Go.
type testEnv struct {
	vu  *modulestest.VU
	api *restapi.API
}

// wrapperGlobals are the globals the wrappers get in tests.
var wrapperGlobals = map[string]string{
	"oRelation": "rel", "oArray": "arr", "oAtom": "atom", "oLocation": "loc",
	"oBatch": "bat", "oBql": "bql", "oPush": "push", "oFile": "file",
}

// testPasswordIterations is the PBKDF2 work factor of the test stores' password
// hashes. The store's tests check hashing; here the default 600,000 only
// burnt CPU (a hash per sign-up and login), and on a loaded machine, under
// -race, TestUserMethods ran past modulestest's 60 s deadline.
const testPasswordIterations = 1000

func newEnv(t testing.TB, profile modules.Profile, opts ...restapi.Option) *testEnv {
	t.Helper()
	st := storetest.Open(t, store.Options{PasswordIterations: testPasswordIterations})
	api := restapi.New(st, opts...)
	vu := modulestest.New(t, &modules.Env{Profile: profile})
	ctors := NewWrappers(api).Constructors()
	// load builds a module inside the running call, as the runtime does on a
	// script's first use of modules.oXxx.
	vu.Set("load", func(name string) goja.Value {
		c, ok := ctors[name]
		if !ok {
			c = NewData(api)
		}
		v, err := c(vu)
		if err != nil {
			panic(vu.Runtime().NewGoError(err))
		}
		return v
	})
	return &testEnv{vu: vu, api: api}
}

// run runs src, which sets the global `out` from its callbacks, and returns
// JSON.stringify(out). The modules are fresh for each run: `db` is oData and
// the wrappers have the short names of wrapperGlobals.
func (e *testEnv) run(t *testing.T, src string) string {
	t.Helper()
	prelude := `var db = load("oData");`
	for name, global := range wrapperGlobals {
		prelude += "var " + global + ` = load("` + name + `");`
	}
	return run(t, e.vu, prelude+"\n"+src)
}

// rest makes one REST request from Go; body "" sends none.
func (e *testEnv) rest(t *testing.T, method, path string, query url.Values, body string, header http.Header) restapi.Response {
	t.Helper()
	req := restapi.Request{Method: method, Path: path, Query: query, Header: header}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if body != "" {
		req.Body = []byte(body)
		req.Header.Set("Content-Type", "application/json")
	}
	return e.api.Serve(context.Background(), req)
}

// create inserts a row over REST and returns its objectId.
func (e *testEnv) create(t *testing.T, class, body string) string {
	t.Helper()
	resp := e.rest(t, http.MethodPost, "/1/classes/"+class, nil, body, nil)
	var out struct{ ObjectID string }
	if err := json.Unmarshal(resp.Body, &out); err != nil || resp.Status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", class, resp.Status, resp.Body)
	}
	return out.ObjectID
}

var timeRE = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`)

// normal replaces objectIds and times so answers can be compared whole.
func normal(s string) string {
	return timeRE.ReplaceAllString(hex10.ReplaceAllString(s, "<id>"), "<time>")
}

// wantType is typeof data in a callback: a string on Bmob, a String object in compat.
func wantType(p modules.Profile) string {
	if p == modules.Compat {
		return "object"
	}
	return "string"
}
