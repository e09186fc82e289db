package restapi

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFilesRoundTrip(t *testing.T) {
	f := newFixture(t)
	png := []byte("\x89PNG\r\n\x1a\nnot really an image\x00\xff")
	resp := call(f.api, "POST", "/2/files/photo.PNG", string(png), "Content-Type", "image/png", "Host", "127.0.0.1:8080")
	var up map[string]string
	if err := jsonUnmarshal(resp.Body, &up); err != nil || resp.Status != 200 {
		t.Fatalf("upload: %d %s", resp.Status, resp.Body)
	}
	if up["filename"] != "photo.PNG" || up["cdn"] != FileCDN || !strings.HasPrefix(up["url"], "http://127.0.0.1:8080/2024/06/01/") ||
		!strings.HasSuffix(up["url"], ".png") {
		t.Fatalf("upload answer: %v", up)
	}
	u, _ := url.Parse(up["url"])
	got := call(f.api, "GET", "/2/files/upyun"+u.Path, "")
	if got.Status != 200 || string(got.Body) != string(png) || got.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("download: %d %q %v", got.Status, got.Body, got.Header)
	}
	rel := strings.TrimPrefix(u.Path, "/")
	if _, err := os.Stat(filepath.Join(f.files, filepath.FromSlash(rel))); err != nil {
		t.Errorf("not on disk: %v", err)
	}
	// Delete by the documented path (URL without domain behind the cdn name).
	if status, m := f.do("DELETE", "/2/files/upyun/"+rel, ""); status != 200 || m["msg"] != "ok" {
		t.Errorf("delete: %d %v", status, m)
	}
	if got := call(f.api, "GET", "/2/files/upyun"+u.Path, ""); got.Status != 404 {
		t.Errorf("deleted file still served: %d", got.Status)
	}
	f.wantError("DELETE", "/2/files/upyun/"+rel, "", 151, "")

	// Base64 names, no Host (relative URL), legacy delete and batch delete.
	name := base64.StdEncoding.EncodeToString([]byte("notes.txt"))
	_, m := f.do("POST", "/2/files/"+url.PathEscape(name), "hello")
	if m["filename"] != "notes.txt" || !strings.HasPrefix(m["url"].(string), "/2/files/upyun/") {
		t.Fatalf("base64 upload: %v", m)
	}
	if got := call(f.api, "GET", m["url"].(string), ""); got.Header.Get("Content-Type") != "text/plain; charset=utf-8" || string(got.Body) != "hello" {
		t.Errorf("text download: %v %q", got.Header, got.Body)
	}
	if status, _ := f.do("DELETE", "/1/files"+m["url"].(string), ""); status != 200 {
		t.Errorf("legacy delete: %d", status)
	}
	_, a := f.do("POST", "/2/files/a.txt", "a")
	_, b := f.do("POST", "/2/files/b.txt", "b")
	relOf := func(m map[string]any) string { return strings.TrimPrefix(m["url"].(string), "/2/files/upyun/") }
	if status, m := f.do("POST", "/2/cdnBatchDelete", `{"upyun":["`+relOf(a)+`","`+relOf(b)+`"]}`); status != 200 || m["msg"] != "ok" {
		t.Errorf("batch delete: %d %v", status, m)
	}
	status, m2 := f.do("POST", "/2/cdnBatchDelete", `{"upyun":["`+relOf(a)+`"]}`)
	if status != 400 || m2["code"] != 154.0 || m2["fail"].(map[string]any)["upyun"].([]any)[0] != relOf(a) {
		t.Errorf("batch delete of a missing file: %d %v", status, m2)
	}

	f.wantError("POST", "/2/files/noext", "x", 146, "file must have suffix")
	f.wantError("POST", "/2/files/empty.txt", "", 149, "empty file")
	for _, bad := range []string{"/2/files/upyun/../../etc/passwd", "/2/files/upyun/2024/06/01/..%2F..%2Fx.txt", "/2/files/upyun/x.txt"} {
		if got := call(f.api, "GET", bad, ""); got.Status != 404 && got.Status != 400 {
			t.Errorf("GET %s: %d %s", bad, got.Status, got.Body)
		}
	}
	none := New(f.api.store)
	if resp := call(none, "POST", "/2/files/a.txt", "a"); !strings.Contains(string(resp.Body), `"code":150`) {
		t.Errorf("no files folder: %s", resp.Body)
	}
}

func TestTimestampSchemasPushInstallations(t *testing.T) {
	f := newFixture(t)
	_, m := f.do("GET", "/1/timestamp", "")
	if m["timestamp"] != float64(f.clock.Now().Unix()) || m["datetime"] != "2024-06-01 09:00:00" {
		t.Errorf("timestamp: %v", m)
	}
	f.do("POST", "/1/classes/Game", `{"score":1,"when":{"__type":"Date","iso":"2024-01-01 00:00:00"}}`)
	resp := call(f.api, "GET", "/1/schemas", "")
	if resp.Status != 401 {
		t.Errorf("schemas without master key: %d", resp.Status)
	}
	_, m = f.do("GET", "/1/schemas/Game", "", master()...)
	want := `{"className":"Game","fields":{"createdAt":{"type":"Date"},"objectId":{"type":"String"},"score":{"type":"Number"},"updatedAt":{"type":"Date"},"when":{"type":"Date"}}}`
	if b, _ := Encode(m); string(b) != want {
		t.Errorf("schema: %s", b)
	}
	_, m = f.do("GET", "/1/schemas", "", master()...)
	if len(m["results"].([]any)) != 1 {
		t.Errorf("schemas: %v", m)
	}
	f.wantError("GET", "/1/schemas/Nope", "", 101, "", master()...)

	resp = call(f.api, "POST", "/1/installations", `{"deviceType":"android","installationId":"i-1"}`)
	if resp.Status != 201 || !strings.HasPrefix(resp.Header.Get("Location"), "/1/installations/") {
		t.Errorf("installation: %d %s %v", resp.Status, resp.Body, resp.Header)
	}
	f.wantError("POST", "/1/installations", `{"installationId":"i-1"}`, 132, "installation ID 'i-1' already token.")
	if status, m := f.do("POST", "/1/push", `{"where":{"deviceType":"android"},"data":{"alert":"hi"},"push_time":"2024-06-02 10:00:00"}`); status != 200 || m["msg"] != "ok" {
		t.Errorf("push: %d %v", status, m)
	}
	f.wantError("POST", "/1/push", `{"channels":["a"]}`, 141, "Missing the push data.")
	f.wantError("POST", "/1/push", `{"data":{"alert":"x"},"push_time":"tomorrow"}`, 142, "push_time shoule be like: 2013-12-04 00:51:13")
	_, m = f.do("GET", "/1/classes/_Push", "", master()...)
	if r := m["results"].([]any); len(r) != 1 || r[0].(map[string]any)["data"].(map[string]any)["alert"] != "hi" {
		t.Errorf("stored pushes: %v", m)
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// An uploaded file is served at its CDN-shaped URL too, without keys; other
// shapes are not file URLs.
func TestServeFileURL(t *testing.T) {
	f := newFixture(t)
	up := call(f.api, "POST", "/2/files/a.txt", "hello", HeaderMasterKey, testMasterKey, "Host", "127.0.0.1:8080")
	var file struct{ URL string }
	if err := json.Unmarshal(up.Body, &file); err != nil || up.Status != 200 {
		t.Fatalf("upload: %d %s", up.Status, up.Body)
	}
	u, err := url.Parse(file.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{u.Path, u.Path + "/"} {
		resp, ok := f.api.ServeFileURL(t.Context(), p)
		if !ok || resp.Status != 200 || string(resp.Body) != "hello" {
			t.Fatalf("GET %s: %v %d %s", p, ok, resp.Status, resp.Body)
		}
	}
	for _, bad := range []string{"/2026/1/02/a.txt", "/2026/01/02/", "/2026/01/02/x/y.txt", "/abcd/01/02/a.txt", "/1/classes/T"} {
		if _, ok := f.api.ServeFileURL(t.Context(), bad); ok {
			t.Errorf("%s taken as a file URL", bad)
		}
	}
	if resp, ok := f.api.ServeFileURL(t.Context(), "/2020/01/02/00000000000000000000000000000000.txt"); !ok || resp.Status != 404 {
		t.Errorf("a missing file: %v %d %s", ok, resp.Status, resp.Body)
	}
}
