package server

import (
	"context"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/store"
)

// A function that does not compile answers 500 with its name and every error
// at file:line, over the direct URL and over /1/functions; an unknown one
// still answers 404.
func TestNotCompilingAnswers500(t *testing.T) {
	files := map[string]string{"broken.js": "function onRequest(q, r) {\n  var x = ;\n}\n"}
	base := start(t, files, nil)
	status, _, body := do(t, "GET", base+"/s3cr3t/broken", "", "")
	if status != 500 || !strings.Contains(body, "function broken does not compile:") || !strings.Contains(body, "broken.js:2:11 Unexpected token ;") {
		t.Fatalf("direct URL: %d %s", status, body)
	}
	if status, _, body := do(t, "GET", base+"/s3cr3t/nope", "", ""); status != 404 || body != "get function nope not exists" {
		t.Fatalf("unknown: %d %s", status, body)
	}
	s := startREST(t, files)
	status, _, body = s.call(t, "POST", "/1/functions/broken", `{}`, appHeaders...)
	if status != 400 || !strings.Contains(body, `"code":310`) || !strings.Contains(body, "function broken does not compile:") || !strings.Contains(body, "broken.js:2:11") {
		t.Fatalf("REST: %d %s", status, body)
	}
}

// The backup route needs the master key and hands out what Backup writes,
// with its length.
func TestBackupRoute(t *testing.T) {
	s := startREST(t, nil)
	if status, _, _ := s.call(t, "GET", BackupPath, ""); status != 404 {
		t.Fatalf("no Backup configured: %d", status)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "b.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	app := New(Options{API: restapi.New(st, restapi.WithKeys(testKeys)), BodyLimit: 1024, Log: func(string, string) {},
		Backup: func(_ context.Context, w io.Writer, export bool) error {
			if export {
				_, err := io.WriteString(w, `{"format":"bmobemu-export"}`)
				return err
			}
			_, err := io.WriteString(w, "BOLTDATA")
			return err
		}})
	for _, tc := range []struct {
		query, key string
		status     int
		body       string
	}{
		{"", "", 401, "a backup needs the master key in X-Bmob-Master-Key"},
		{"", testKeys.RESTKey, 401, "a backup needs the master key in X-Bmob-Master-Key"},
		{"", testKeys.MasterKey, 200, "BOLTDATA"},
		{"?format=export", testKeys.MasterKey, 200, `{"format":"bmobemu-export"}`},
		{"?format=zip", testKeys.MasterKey, 400, `format must be bbolt or export, not "zip"`},
	} {
		req := httptest.NewRequest("GET", BackupPath+tc.query, nil)
		if tc.key != "" {
			req.Header.Set("X-Bmob-Master-Key", tc.key)
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || string(b) != tc.body {
			t.Errorf("%s key %q: %d %s", tc.query, tc.key, resp.StatusCode, b)
		}
		if tc.status == 200 && resp.ContentLength != int64(len(tc.body)) {
			t.Errorf("%s: Content-Length %d", tc.query, resp.ContentLength)
		}
	}
}
