package runtime

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/modules"
)

// A script cannot split its response: CR/LF (and any character Node refuses)
// in a header name or value throws Node's error, and Location is encoded as
// Express encodes it (issue 10, item 8).
func TestHeadersRefuseWhatNodeRefuses(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 5*time.Second)
	cases := []struct{ name, code, want string }{
		{"set value", `response.set("X-A", "a\r\nSet-Cookie: sid=1")`, `TypeError ERR_INVALID_CHAR: Invalid character in header content ["X-A"]`},
		{"set object", `response.set({"X-A": "a\nb"})`, `TypeError ERR_INVALID_CHAR: Invalid character in header content ["X-A"]`},
		{"set name", `response.set("X-A\r\nSet-Cookie", "1")`, `TypeError ERR_INVALID_HTTP_TOKEN: Header name must be a valid HTTP token ["X-A\r\nSet-Cookie"]`},
		{"setHeader value", `response.setHeader("X-A", ["ok", "b\rc"])`, `TypeError ERR_INVALID_CHAR: Invalid character in header content ["X-A"]`},
		{"setHeader name", `response.setHeader("a b", "1")`, `TypeError ERR_INVALID_HTTP_TOKEN: Header name must be a valid HTTP token ["a b"]`},
		{"append", `response.append("X-A", "1\n2")`, `TypeError ERR_INVALID_CHAR: Invalid character in header content ["X-A"]`},
		{"writeHead", `response.writeHead(200, {"X-A": "1\r\n2"})`, `TypeError ERR_INVALID_CHAR: Invalid character in header content ["X-A"]`},
		{"type", `response.type("text/html\r\nX-B: 1")`, `TypeError ERR_INVALID_CHAR: Invalid character in header content ["Content-Type"]`},
		{"beyond latin-1", `response.set("X-A", "好")`, `TypeError ERR_INVALID_CHAR: Invalid character in header content ["X-A"]`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := compile(t, e, fmt.Sprintf("hdr%d", i), `function onRequest(request, response) {
				try { `+tc.code+`; response.send("accepted") } catch (e) { response.set("X-A", "clean"); response.send(e.name + " " + e.code + ": " + e.message) }
			}`)
			r := call(t, f, get())
			if string(r.Body) != tc.want {
				t.Fatalf("got %q, want %q", r.Body, tc.want)
			}
			for k, vals := range r.Header {
				for _, v := range vals {
					if strings.ContainsAny(k+v, "\r\n") {
						t.Fatalf("header %q: %q sent", k, v)
					}
				}
			}
		})
	}
}

func TestLocationIsEncodedLikeExpress(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 5*time.Second)
	f := compile(t, e, "redir", `function onRequest(request, response) { response.redirect(request.query.next) }`)
	next := "/home\r\nSet-Cookie: sid=attacker\r\n\r\nHTTP/1.1 200 OK 好 %41 %zz #x $y"
	r := call(t, f, get(fncall.Pair{Key: "next", Value: next}))
	wantLoc := "/home%0D%0ASet-Cookie:%20sid=attacker%0D%0A%0D%0AHTTP/1.1%20200%20OK%20%E5%A5%BD%20%41%20%25zz%20#x%20$y"
	if r.Status != 302 || r.Header.Get("Location") != wantLoc || string(r.Body) != "Found. Redirecting to "+wantLoc {
		t.Fatalf("got %d %q %q", r.Status, r.Header.Get("Location"), r.Body)
	}
	g := compile(t, e, "loc", `function onRequest(request, response) { response.location("/a b\n").end() }`)
	if r := call(t, g, get()); r.Header.Get("Location") != "/a%20b%0A" {
		t.Fatalf("location: %q", r.Header.Get("Location"))
	}
}

// Status codes outside 100–999 throw Node's RangeError when the response is
// written (issue 10, item 9); the codes inside are sent as set.
func TestStatusCodesAreCheckedLikeNode(t *testing.T) {
	e, _ := newEngine(t, modules.Compat, 5*time.Second)
	cases := []struct {
		name, code string
		status     int
		body       string
	}{
		{"999 is valid", `response.status(999).send("x")`, 999, "x"},
		{"100 is valid", `response.status(100).end("x")`, 100, "x"},
		{"a numeric string", `response.status("201").send("x")`, 201, "x"},
		{"too big", `response.status(1e12).send("x")`, 200, "RangeError ERR_HTTP_INVALID_STATUS_CODE: Invalid status code: 1000000000000"},
		{"1000", `response.status(1000).send("x")`, 200, "RangeError ERR_HTTP_INVALID_STATUS_CODE: Invalid status code: 1000"},
		{"zero", `response.status(0).send("x")`, 200, "RangeError ERR_HTTP_INVALID_STATUS_CODE: Invalid status code: 0"},
		{"negative", `response.status(-5).json({})`, 200, "RangeError ERR_HTTP_INVALID_STATUS_CODE: Invalid status code: -5"},
		{"not a number", `response.status("abc").end()`, 200, "RangeError ERR_HTTP_INVALID_STATUS_CODE: Invalid status code: abc"},
		{"send a number", `response.send(1e6)`, 200, "RangeError ERR_HTTP_INVALID_STATUS_CODE: Invalid status code: 1000000"},
		{"sendStatus", `response.sendStatus(12)`, 200, "RangeError ERR_HTTP_INVALID_STATUS_CODE: Invalid status code: 12"},
		{"statusCode", `response.statusCode = 5000; response.end()`, 200, "RangeError ERR_HTTP_INVALID_STATUS_CODE: Invalid status code: 5000"},
		{"writeHead throws at once", `response.writeHead(99)`, 200, "RangeError ERR_HTTP_INVALID_STATUS_CODE: Invalid status code: 99"},
		{"redirect", `response.redirect(7, "/x")`, 200, "RangeError ERR_HTTP_INVALID_STATUS_CODE: Invalid status code: 7"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := compile(t, e, fmt.Sprintf("st%d", i), `function onRequest(request, response) {
				try { `+tc.code+` } catch (e) { response.status(200).send(e.name + " " + e.code + ": " + e.message) }
			}`)
			r := call(t, f, get())
			if r.Status != tc.status || string(r.Body) != tc.body {
				t.Fatalf("got %d %q, want %d %q", r.Status, r.Body, tc.status, tc.body)
			}
		})
	}
	// Uncaught, it is the call's error answer.
	f := compile(t, e, "stuncaught", `function onRequest(request, response) { response.status(1e12).send("x") }`)
	if r := call(t, f, get()); r.Status != 500 || !strings.Contains(string(r.Body), "RangeError: Invalid status code: 1000000000000") {
		t.Fatalf("uncaught: %d %q", r.Status, r.Body)
	}
}
