package server

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/bmobemu/bmobemu/functions"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/store"
)

// BenchmarkDirectPath is a trivial function through the whole fiber handler
// (routing, body parsing, the call), without sockets: the REST routes mounted
// beside it must not slow it.
func BenchmarkDirectPath(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.js"), []byte(`function onRequest(q, r) { r.send({code: 200}) }`), 0o644); err != nil {
		b.Fatal(err)
	}
	e, err := runtime.New(runtime.Options{Registry: modules.NewRegistry(), Env: &modules.Env{}, Timeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	set, err := functions.Load(e, []string{dir}, nil)
	if err != nil {
		b.Fatal(err)
	}
	h := New(Options{Functions: set, Secret: "s3cr3t"}).Handler()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var ctx fasthttp.RequestCtx
		for pb.Next() {
			ctx.Request.Reset()
			ctx.Response.Reset()
			ctx.Request.Header.SetMethod("POST")
			ctx.Request.SetRequestURI("/s3cr3t/ok")
			ctx.Request.Header.SetContentType("application/json")
			ctx.Request.SetBodyString(`{"a":1}`)
			h(&ctx)
			if ctx.Response.StatusCode() != 200 {
				b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
			}
		}
	})
}

// BenchmarkRESTInsert is POST /1/classes/<T> over real loopback HTTP from 64
// concurrent clients, each insert a durable bbolt transaction.
func BenchmarkRESTInsert(b *testing.B) {
	st, err := store.Open(filepath.Join(b.TempDir(), "b.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	app := New(Options{Secret: testKeys.SecretKey, API: restapi.New(st, restapi.WithKeys(testKeys))})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	defer app.Shutdown()
	url := "http://" + ln.Addr().String() + "/1/classes/Bench"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(64 / max(1, goruntime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", url, strings.NewReader(`{"name":"pen","price":3}`))
			req.Header.Set("X-Bmob-Application-Id", testKeys.AppID)
			req.Header.Set("X-Bmob-REST-API-Key", testKeys.RESTKey)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 201 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inserts/s")
}
