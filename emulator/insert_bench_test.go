package emulator

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	goruntime "runtime"
	"testing"
)

// BenchmarkFunctionInsert64 is the insert benchmark's handler (one durable
// oData.insert per call, answered with the new objectId) over loopback HTTP
// from 64 concurrent clients: group commit, the VM pool and the hop back to
// the event loop together. Run it with GOMAXPROCS=1 for the per-core figure.
func BenchmarkFunctionInsert64(b *testing.B) {
	dir := b.TempDir()
	write(b, dir, "insert.js", `function onRequest(request, response, modules) {
  modules.oData.insert({ table: 'Bench', data: { user: 'u1', amount: 1990, note: 'benchmark row' } }, function (err, data) {
    response.send(err ? { code: 500 } : { code: 200, id: JSON.parse(data).objectId });
  });
}`)
	emu, err := Open(Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(b.TempDir(), "d.db"), Secret: "perf000000000000",
		Sandbox: SandboxConfig{Off: true}, ManualTasks: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = emu.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = emu.App.Listener(ln) }()
	b.Cleanup(func() { _ = emu.App.Shutdown() })
	url := "http://" + ln.Addr().String() + "/perf000000000000/insert"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.SetParallelism(64 / max(1, goruntime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(url, "application/json", nil)
			if err != nil {
				b.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var out struct {
				Code int    `json:"code"`
				ID   string `json:"id"`
			}
			if resp.StatusCode != 200 || json.Unmarshal(body, &out) != nil || out.Code != 200 || out.ID == "" {
				b.Errorf("status %d: %s", resp.StatusCode, body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
}
