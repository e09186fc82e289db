package multiproc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// masterCall is a REST call with the app's keys and the master key.
func masterCall(ctx context.Context, method, url, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("X-Bmob-Application-Id", "mpapp")
	req.Header.Set("X-Bmob-REST-API-Key", "mprest")
	req.Header.Set("X-Bmob-Master-Key", mpMaster)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func deploy(t *testing.T, s *server, name, src string) {
	t.Helper()
	body := fmt.Sprintf(`{"code":%q,"language":1,"comment":""}`, base64.StdEncoding.EncodeToString([]byte(src)))
	code, out, err := masterCall(context.Background(), "PUT", s.base+"/1/functions/"+name, body)
	if err != nil || code != http.StatusOK {
		t.Fatalf("deploy %s through %s: %d %s %v", name, s.base, code, out, err)
	}
}

// waitFor calls name through s until its answer contains want, and returns
// how long that took (a generous deadline: the test fails only past it).
func waitFor(t *testing.T, s *server, name, want string) time.Duration {
	t.Helper()
	began := time.Now()
	var last string
	for time.Since(began) < 20*time.Second {
		code, out, err := masterCall(context.Background(), "POST", s.base+"/1/functions/"+name, `{}`)
		if err == nil {
			last = fmt.Sprintf("%d %s", code, out)
			if strings.Contains(out, want) {
				return time.Since(began)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s through %s never answered %q; last: %s", name, s.base, want, last)
	return 0
}

// TestDeployThroughOneServedByTheOther is issue 16's "function code deployed
// over REST: every process serves the new version": code deployed through a
// is stored in the database and served by b (within a second on an idle
// machine: the time is logged, the deadline is generous); a new version
// through b reaches a; a removal through a reaches b. The two processes have
// separate state folders, so nothing passes through files. A file uploaded
// through a is served by b when they share the state folder (the files
// choice: a shared folder, see the README).
func TestDeployThroughOneServedByTheOther(t *testing.T) {
	db := pgtest.DSN(t)
	dir := t.TempDir()
	fns := functionsDir(t, dir, nil)
	bin := binary(t)
	a := start(t, bin, db, filepath.Join(dir, "a", "state"), fns)
	b := start(t, bin, db, filepath.Join(dir, "b", "state"), fns)

	deploy(t, a, "hello", `function onRequest(request, response) { response.send("hello v1") }`)
	t.Logf("v1 deployed through a, served by b after %v", waitFor(t, b, "hello", "hello v1"))
	deploy(t, b, "hello", `function onRequest(request, response) { response.send("hello v2") }`)
	t.Logf("v2 deployed through b, served by a after %v", waitFor(t, a, "hello", "hello v2"))

	if code, out, err := masterCall(context.Background(), "DELETE", a.base+"/1/functions/hello", ""); err != nil || code != http.StatusOK {
		t.Fatalf("remove through a: %d %s %v", code, out, err)
	}
	t.Logf("removed through a, gone from b after %v", waitFor(t, b, "hello", "invalid cloudcode name"))

	// A process started after the deploy serves it from the first call.
	deploy(t, a, "late", `function onRequest(request, response) { response.send("late v1") }`)
	c := start(t, bin, db, filepath.Join(dir, "c", "state"), fns)
	if code, out, err := masterCall(context.Background(), "POST", c.base+"/1/functions/late", `{}`); err != nil || !strings.Contains(out, "late v1") {
		t.Fatalf("a process started after the deploy: %d %s %v", code, out, err)
	}
}

// TestFileUploadedThroughOneServedByTheOther: processes sharing the state
// folder (the documented setup) serve each other's uploads.
func TestFileUploadedThroughOneServedByTheOther(t *testing.T) {
	db := pgtest.DSN(t)
	dir := t.TempDir()
	fns := functionsDir(t, dir, nil)
	bin := binary(t)
	state := filepath.Join(dir, "shared", "state")
	a := start(t, bin, db, state, fns)
	b := start(t, bin, db, state, fns)
	req, err := http.NewRequest("POST", a.base+"/2/files/hello.txt", strings.NewReader("bytes through a"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Bmob-Application-Id", "mpapp")
	req.Header.Set("X-Bmob-REST-API-Key", "mprest")
	req.Header.Set("Content-Type", "text/plain")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload through a: %d %s", resp.StatusCode, body)
	}
	var up struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(body, &up); err != nil || !strings.HasPrefix(up.URL, a.base) {
		t.Fatalf("upload answer %s: %v", body, err)
	}
	got, err := client.Get(b.base + strings.TrimPrefix(up.URL, a.base))
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	served, _ := io.ReadAll(got.Body)
	if got.StatusCode != http.StatusOK || string(served) != "bytes through a" {
		t.Fatalf("the file through b: %d %q", got.StatusCode, served)
	}
}
