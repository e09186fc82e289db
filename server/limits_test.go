package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/functions"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/store"
)

// startDefaults serves an echo function, the REST API and a mount with the
// server's default limits on a loopback listener; it returns host:port.
func startDefaults(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "echo.js"), []byte(echo), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "l.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	e, err := runtime.New(runtime.Options{Registry: modules.NewRegistry(), Env: &modules.Env{}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	set, err := functions.Load(e, []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mount := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "mount got %d bytes", len(b))
	})
	app := New(Options{Functions: set, Secret: testKeys.SecretKey, API: restapi.New(st, restapi.WithKeys(testKeys)),
		Mounts: map[string]http.Handler{"/_sandbox/": mount}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return ln.Addr().String()
}

// declare sends a request head declaring a body of contentLength bytes, sends
// only 16 KB of them (fasthttp prefetches 8 KB), and returns the answer: a
// server that buffers before checking never answers (the generous deadline then
// fails the test).
func declare(t *testing.T, addr, path string, contentLength int, headers ...string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", path, addr, contentLength)
	for i := 0; i+1 < len(headers); i += 2 {
		head += headers[i] + ": " + headers[i+1] + "\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"+`{"a":"`+strings.Repeat("x", 16<<10)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer before the body was sent (the server waits to buffer it): %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestBodyLimitBeforeBuffering is issue 10 item 6: each route's own limit is
// enforced from the declared length, before any buffering, and named in the 413.
func TestBodyLimitBeforeBuffering(t *testing.T) {
	addr := startDefaults(t)
	rest := []string{"X-Bmob-Application-Id", testKeys.AppID, "X-Bmob-REST-API-Key", testKeys.RESTKey}
	cases := []struct {
		name, path string
		length     int
		headers    []string
		want       string
	}{
		{"function, 5 MB", "/" + testKeys.SecretKey + "/echo", 5 << 20, nil, "larger than the limit of 204800 bytes"},
		{"REST, 5 MB", "/1/classes/Item", 5 << 20, rest, `{"code":413,"error":"request body larger than the limit of 204800 bytes"}`},
		{"REST, 50 MB", "/1/classes/Item", 50 << 20, rest, "limit of 204800 bytes"},
		{"file upload, 50 MB", "/2/files/big.bin", 50 << 20, rest, "limit of 10485760 bytes"},
		{"mount, 50 MB", "/_sandbox/pay", 50 << 20, nil, `{"error":"request body larger than the limit of 8388608 bytes"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := declare(t, addr, tc.path, tc.length, tc.headers...)
			if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, tc.want) {
				t.Fatalf("got %d %s, want 413 with %s", status, body, tc.want)
			}
		})
	}
}

// chunked posts body with no declared length (Transfer-Encoding: chunked).
func chunked(t *testing.T, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("POST", url, io.MultiReader(strings.NewReader(body))) // unknown length
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestChunkedBodyLimit(t *testing.T) {
	addr := startDefaults(t)
	url := "http://" + addr + "/" + testKeys.SecretKey + "/echo"
	if status, body := chunked(t, url, `{"a":"`+strings.Repeat("x", 300_000)+`"}`); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "204800") {
		t.Fatalf("300 KB chunked: %d %.200s", status, body)
	}
	if status, body := chunked(t, url, `{"a":"small"}`); status != http.StatusOK || !strings.Contains(body, "small") {
		t.Fatalf("small chunked body: %d %s", status, body)
	}
	// A body within the limit still reaches the mount whole.
	if status, body := chunked(t, "http://"+addr+"/_sandbox/x", strings.Repeat("y", 300_000)); status != http.StatusOK || body != "mount got 300000 bytes" {
		t.Fatalf("mount: %d %s", status, body)
	}
}

// TestInvalidJSONEchoIsShort: a REST 107 quotes at most restapi.MaxEcho bytes
// of the bad body, not the whole ~198 KB.
func TestInvalidJSONEchoIsShort(t *testing.T) {
	addr := startDefaults(t)
	bad := "{" + strings.Repeat("x", 198_000)
	for _, path := range []string{"/1/classes/Item", "/1/functions/echo"} {
		req, _ := http.NewRequest("POST", "http://"+addr+path, strings.NewReader(bad))
		for i := 0; i+1 < len(appHeaders); i += 2 {
			req.Header.Set(appHeaders[i], appHeaders[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(b), `"code":107`) || len(b) > 1024 || !strings.Contains(string(b), "(198001 bytes)") {
			t.Fatalf("%s: %d, %d bytes: %.300s", path, resp.StatusCode, len(b), b)
		}
	}
}

// TestDeepObjectRefusedOverREST is issue 10 item 4 over HTTP: a 10,000-level
// object gets Bmob's 107 instead of a 201 for a record that cannot be read back.
func TestDeepObjectRefusedOverREST(t *testing.T) {
	addr := startDefaults(t)
	post := func(body string) (int, string) {
		req, _ := http.NewRequest("POST", "http://"+addr+"/1/classes/Deep", strings.NewReader(body))
		for i := 0; i+1 < len(appHeaders); i += 2 {
			req.Header.Set(appHeaders[i], appHeaders[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deep := `{"v":` + strings.Repeat(`{"a":`, 9_990) + "1" + strings.Repeat("}", 9_990) + "}" // within encoding/json's 10,000
	if status, body := post(deep); status != 400 || !strings.HasPrefix(body, `{"code":107,"error":"invalid json: the value of v nests objects and arrays deeper than 100 levels."}`) {
		t.Fatalf("9,990 levels: %d %.300s", status, body)
	}
	if status, body := post(`{"v":[[{"ok":1}]]}`); status != 201 {
		t.Fatalf("3 levels: %d %s", status, body)
	}
}
