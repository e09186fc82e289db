// Package exampletest starts a real emulator for the examples' tests: a bbolt file
// in t.TempDir(), the example's function folder, and the fiber server on loopback.
package exampletest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/store"
)

// Emu is a running emulator and the base URL of its functions (http://addr/secret).
type Emu struct {
	*emulator.Emulator
	Base string
}

// Start serves dir. Upstreams reroute outbound hosts (to local test servers).
func Start(t testing.TB, dir string, profile modules.Profile, upstreams map[string]string) *Emu {
	t.Helper()
	cfg := emulator.Config{
		FunctionsDirs: []string{dir}, DBPath: t.TempDir() + "/data.db", Secret: "0123456789abcdef",
		Profile: profile, Upstreams: upstreams, Timeout: 10 * time.Second,
	}
	emu, err := emulator.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if errs := emu.Functions.Errors(); len(errs) > 0 {
		t.Fatalf("functions did not load: %v", errs)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serve(t, emu, ln)
	return &Emu{Emulator: emu, Base: "http://" + ln.Addr().String() + "/" + cfg.Secret}
}

// serve answers HTTP on ln until the test ends, then closes the emulator.
func serve(t testing.TB, emu *emulator.Emulator, ln net.Listener) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = emu.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = emu.Close()
	})
}

// Reply is a function's answer.
type Reply struct {
	Status int
	Header http.Header
	Text   string
}

// JSON decodes the answer into a map (fails the test if it is not JSON).
func (r Reply) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Text), &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, r.Text)
	}
	return m
}

// Post sends a JSON body to a function.
func (e *Emu) Post(t testing.TB, name string, body any) Reply {
	t.Helper()
	b, _ := json.Marshal(body)
	return e.Do(t, http.MethodPost, name, "application/json", b, nil)
}

// Get calls a function with a query string (e.g. "limit=5").
func (e *Emu) Get(t testing.TB, name, query string) Reply {
	t.Helper()
	path := name
	if query != "" {
		path += "?" + query
	}
	return e.Do(t, http.MethodGet, path, "", nil, nil)
}

// Do sends any request to a function.
func (e *Emu) Do(t testing.TB, method, path, contentType string, body []byte, header http.Header) Reply {
	t.Helper()
	req, err := http.NewRequest(method, e.Base+"/"+strings.TrimPrefix(path, "/"), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	return Reply{Status: resp.StatusCode, Header: resp.Header, Text: string(text)}
}

// Rows reads a whole class straight from the store.
func (e *Emu) Rows(t testing.TB, class string) []map[string]any {
	t.Helper()
	res, err := e.Store.Find(context.Background(), class, store.Query{Limit: store.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return res.Results
}

// CopyFunctions copies a function folder into a temp folder, replacing each
// placeholder (like "__APP_PRIVATE_KEY__") with its value, as a reader pastes keys.
func CopyFunctions(t testing.TB, dir string, placeholders map[string]string) string {
	t.Helper()
	out := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		src, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		for k, v := range placeholders {
			text = strings.ReplaceAll(text, k, v)
		}
		if err := os.WriteFile(filepath.Join(out, e.Name()), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// RSAKey generates a 2048-bit key and returns it with its PKCS#8 private PEM and
// SPKI public PEM.
func RSAKey(t testing.TB) (*rsa.PrivateKey, string, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := x509.MarshalPKCS8PrivateKey(key)
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	return key,
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
}

// Bare is a PEM's base64 body without armour or line breaks, as Alipay's console
// shows keys.
func Bare(pemText string) string {
	var b strings.Builder
	for _, line := range strings.Split(pemText, "\n") {
		if !strings.HasPrefix(line, "-----") {
			b.WriteString(strings.TrimSpace(line))
		}
	}
	return b.String()
}
