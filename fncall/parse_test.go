package fncall

import (
	"bufio"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// sameCall is one POST given to both constructors, as it would reach the server.
func sameCall(t *testing.T, contentType, body string) (*Request, *Request) {
	t.Helper()
	p := Parser{BodyLimit: 64}
	hreq, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/s3cr3t/pay?a=1&a=2&b=x+y%21", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	hreq.Header.Set("Content-Type", contentType)
	hreq.Header.Set("x-custom", "v")
	hreq.RemoteAddr = "127.0.0.1:5555"
	fromHTTP, errHTTP := p.FromHTTP(hreq)

	// The fasthttp side is parsed from the bytes a client sends, as the server does.
	wire := "POST /s3cr3t/pay?a=1&a=2&b=x+y%21 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: " + contentType +
		"\r\nx-custom: v\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	var fr fasthttp.Request
	if err := fr.Read(bufio.NewReader(strings.NewReader(wire))); err != nil {
		t.Fatal(err)
	}
	fromFast, errFast := p.FromFastHTTP(&fr, "127.0.0.1", "127.0.0.1:8080", "http")
	if (errHTTP == nil) != (errFast == nil) {
		t.Fatalf("the constructors disagree: net/http %v, fasthttp %v", errHTTP, errFast)
	}
	if errHTTP != nil {
		var a, b *Error
		if !errors.As(errHTTP, &a) || !errors.As(errFast, &b) || a.Status != b.Status || a.Message != b.Message {
			t.Fatalf("refusals differ: %#v vs %#v", errHTTP, errFast)
		}
		return nil, nil
	}
	return fromHTTP, fromFast
}

func TestBothConstructorsBuildTheSameRequest(t *testing.T) {
	cases := []struct {
		name, contentType, body string
		kind                    BodyKind
	}{
		{"json", "application/json", ` {"n":1} `, BodyJSON},
		{"form", "application/x-www-form-urlencoded; charset=utf-8", "k=1&k=2&s=a+b", BodyForm},
		{"other", "text/plain", "hello", BodyNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := sameCall(t, c.contentType, c.body)
			if a == nil {
				t.Fatal("refused")
			}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("net/http gives %+v\nfasthttp gives %+v", a, b)
			}
			if a.Body.Kind != c.kind || a.Header.Get("Host") != "127.0.0.1:8080" || a.Header.Get("X-Custom") != "v" {
				t.Fatalf("request %+v", a)
			}
			wantQuery := []Pair{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}, {Key: "b", Value: "x y!"}}
			if !reflect.DeepEqual(a.Query, wantQuery) || a.URL != "/s3cr3t/pay?a=1&a=2&b=x+y%21" || a.Path != "/s3cr3t/pay" {
				t.Fatalf("query %+v url %q path %q", a.Query, a.URL, a.Path)
			}
		})
	}
}

func TestRefusalsAreTheSameForEveryCaller(t *testing.T) {
	for _, c := range []struct {
		name, contentType, body string
		status                  int
	}{
		{"over the body limit", "application/json", `{"k":"` + strings.Repeat("x", 80) + `"}`, http.StatusRequestEntityTooLarge},
		{"JSON that is not an object", "application/json", `"text"`, http.StatusBadRequest},
		{"broken JSON", "application/json", `{"a":`, http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := Parser{BodyLimit: 64}
			hreq, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/s/f", strings.NewReader(c.body))
			hreq.Header.Set("Content-Type", c.contentType)
			_, err := p.FromHTTP(hreq)
			var refused *Error
			if !errors.As(err, &refused) || refused.Status != c.status {
				t.Fatalf("got %v, want a %d refusal", err, c.status)
			}
			if a := refused.Answer(); a.Status != c.status || a.Kind != Refused || !strings.Contains(string(a.Body), refused.Message) {
				t.Fatalf("answer %+v", a)
			}
			sameCall(t, c.contentType, c.body) // fasthttp refuses it the same way
		})
	}
}

func TestFromHTTPRefusesHeadersTheWireWouldNotCarry(t *testing.T) {
	for _, h := range []http.Header{{"X-Bad": {"a\r\nInjected: 1"}}, {"Bad Name": {"v"}}} {
		hreq, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1/s/f", nil)
		hreq.Header = h
		_, err := Parser{}.FromHTTP(hreq)
		var refused *Error
		if !errors.As(err, &refused) || refused.Status != http.StatusBadRequest {
			t.Fatalf("header %v: got %v, want a 400 refusal", h, err)
		}
	}
}

func TestXMLBodyGoesThroughTheParser(t *testing.T) {
	p := Parser{ParseXML: func(b []byte) ([]byte, error) { return []byte(`{"xml":{"a":"1"}}`), nil }}
	hreq, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/s/f", strings.NewReader("<xml><a>1</a></xml>"))
	hreq.Header.Set("Content-Type", "text/xml")
	req, err := p.FromHTTP(hreq)
	if err != nil || req.Body.Kind != BodyXML || string(req.Body.Raw) != `{"xml":{"a":"1"}}` {
		t.Fatalf("req %+v err %v", req, err)
	}
	if req.Header.Get("Content-Length") != "19" || req.IP != "127.0.0.1" {
		t.Fatalf("header %v ip %q", req.Header, req.IP)
	}
}

func TestResponseHTTP(t *testing.T) {
	r := (&Response{Status: 204, Header: http.Header{"x-a": {"1"}, "Content-Length": {"99"}}, Body: []byte("gone")}).HTTP()
	if r.StatusCode != 204 || r.Header.Get("X-A") != "1" || r.ContentLength != 0 || r.Header.Get("Content-Length") != "" {
		t.Fatalf("%+v", r)
	}
	r = (&Response{Status: 200, Body: []byte("ok")}).HTTP()
	if r.Header.Get("Content-Length") != "2" {
		t.Fatalf("%+v", r.Header)
	}
}

func TestFromFormKeepsPairsAndTheLimit(t *testing.T) {
	p := Parser{BodyLimit: 20}
	req, err := p.FromForm([]Pair{{Key: "_e", Value: "f"}, {Key: "a b", Value: "x&y"}})
	if err != nil || req.Method != http.MethodPost || req.Body.Kind != BodyForm || len(req.Body.Form) != 2 ||
		req.Body.Form[1] != (Pair{Key: "a b", Value: "x&y"}) || req.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Fatalf("req %+v err %v", req, err)
	}
	// "_e=f&a+b=x%26y" is 14 bytes; one more field passes the 20-byte limit.
	_, err = p.FromForm([]Pair{{Key: "_e", Value: "f"}, {Key: "a b", Value: "x&y"}, {Key: "k", Value: "vvvv"}})
	var refused *Error
	if !errors.As(err, &refused) || refused.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("got %v, want 413", err)
	}
}
