package outbound

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A body that streams forever is cut at MaxResponseBody with an error naming
// the flag (issue 11, item 9); a body at the cap reads whole.
func TestResponseBodyIsCapped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/exact" {
			_, _ = w.Write(bytes.Repeat([]byte("x"), 1000))
			return
		}
		chunk := bytes.Repeat([]byte("y"), 4096)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	client := New(Options{MaxResponseBody: 1000}).Client()

	resp, err := client.Get(srv.URL + "/exact")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil || len(body) != 1000 {
		t.Fatalf("a body at the cap: %d bytes, %v", len(body), err)
	}

	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/endless", nil)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, err = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	var tooLarge *BodyTooLargeError
	if !errors.As(err, &tooLarge) || len(body) != 1000 || !strings.Contains(err.Error(), "--outbound-body-limit") ||
		!strings.Contains(err.Error(), srv.URL+"/endless") {
		t.Fatalf("endless body: %d bytes, err %v", len(body), err)
	}
}
