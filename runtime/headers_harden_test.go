package runtime

import (
	"reflect"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

// TestHeaderArraysAsJavaScriptStrings: array header values become strings as
// Express's res.set does (val.map(String)): an object "[object Object]", null
// "null", not Go's map[b:2] and <nil>.
func TestHeaderArraysAsJavaScriptStrings(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 5*time.Second)
	for _, setter := range []string{
		`response.set('X-List', [1.5, {b: 2}, null, 'x', true]); response.end('ok')`,
		`response.setHeader('X-List', [1.5, {b: 2}, null, 'x', true]); response.end('ok')`,
		`response.writeHead(200, {'X-List': [1.5, {b: 2}, null, 'x', true]}); response.end('ok')`,
	} {
		f := compile(t, e, "h", `function onRequest(request, response) { `+setter+` }`)
		resp := call(t, f, get())
		want := []string{"1.5", "[object Object]", "null", "x", "true"}
		if got := resp.Header.Values("X-List"); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: %q, want %q", setter, got, want)
		}
	}
}

// TestProtoKeysStayFields: a query or form key named __proto__ is a plain own
// field, as Express's parsers keep it, and the object keeps Object.prototype.
func TestProtoKeysStayFields(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 5*time.Second)
	f := compile(t, e, "p", `function onRequest(request, response) {
		var q = request.query, b = request.body;
		response.send(JSON.stringify([Object.keys(q), q.hasOwnProperty('__proto__'), Object.getPrototypeOf(q) === Object.prototype,
			Object.keys(b), Object.getPrototypeOf(b) === Object.prototype, JSON.stringify(b)]));
	}`)
	req := get(fncall.Pair{Key: "__proto__", Value: "a"}, fncall.Pair{Key: "__proto__", Value: "b"}, fncall.Pair{Key: "k", Value: "1"})
	req.Method = "POST"
	req.Body = fncall.Body{Kind: fncall.BodyForm, Form: []fncall.Pair{{Key: "__proto__", Value: "x"}, {Key: "n", Value: "1"}}}
	resp := call(t, f, req)
	want := `[["__proto__","k"],true,true,["__proto__","n"],true,"{\"__proto__\":\"x\",\"n\":\"1\"}"]`
	if string(resp.Body) != want {
		t.Fatalf("got %s\nwant %s", resp.Body, want)
	}
}
