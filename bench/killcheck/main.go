// Command killcheck checks that kill -9 under write load loses no
// acknowledged write: it serves a fresh db with bin/bmobemu on loopback, has
// 64 callers insert rows over REST, kills the server with SIGKILL mid-load,
// then opens the db and looks for every row that got a 201. With -batch N each
// call is a /1/batch of N creates instead, and every element that answered
// success is looked for.
//
//	go build -o bin/bmobemu ./cmd/bmobemu && go run ./bench/killcheck [-rounds 3] [-load 3s] [-batch 50]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bmobemu/bmobemu/store"
)

func main() {
	rounds := flag.Int("rounds", 3, "kills")
	load := flag.Duration("load", 3*time.Second, "how long the load runs before the kill")
	callers := flag.Int("callers", 64, "concurrent inserters")
	bin := flag.String("bin", "bin/bmobemu", "the bmobemu binary")
	batch := flag.Int("batch", 0, "creates per /1/batch call (0: one POST per create)")
	flag.Parse()
	total := 0
	for r := 1; r <= *rounds; r++ {
		acked, err := round(*bin, *callers, *load, *batch)
		if err != nil {
			fmt.Fprintln(os.Stderr, "killcheck:", err)
			os.Exit(1)
		}
		total += acked
		fmt.Printf("round %d: %d acknowledged inserts, all present after kill -9\n", r, acked)
	}
	fmt.Printf("ok: %d acknowledged inserts over %d kills, none lost\n", total, *rounds)
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func round(bin string, callers int, load time.Duration, batch int) (int, error) {
	dir, err := os.MkdirTemp("", "killcheck")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	db := filepath.Join(dir, "k.db")
	addr, err := freePort()
	if err != nil {
		return 0, err
	}
	fns := filepath.Join(dir, "functions")
	_ = os.Mkdir(fns, 0o755)
	cmd := exec.Command(bin, "serve", "--functions", fns, "--db", db, "--addr", addr, "--watch=false",
		"--app-id", "killapp", "--rest-key", "killrest", "--sandbox=off")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	base := "http://" + addr
	for i := 0; ; i++ {
		if resp, err := http.Get(base + "/1/timestamp"); err == nil {
			resp.Body.Close()
			break
		}
		if i > 200 {
			_ = cmd.Process.Kill()
			return 0, fmt.Errorf("the server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				path, body := "/1/classes/Crash", fmt.Sprintf(`{"caller":%d,"i":%d}`, c, i)
				if batch > 0 {
					elems := make([]string, batch)
					for k := range elems {
						elems[k] = fmt.Sprintf(`{"method":"POST","path":"/1/classes/Crash","body":{"caller":%d,"i":%d,"k":%d}}`, c, i, k)
					}
					path, body = "/1/batch", `{"requests":[`+strings.Join(elems, ",")+`]}`
				}
				req, _ := http.NewRequestWithContext(ctx, "POST", base+path, strings.NewReader(body))
				req.Header.Set("X-Bmob-Application-Id", "killapp")
				req.Header.Set("X-Bmob-REST-API-Key", "killrest")
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				ids := createdIDs(resp, batch > 0)
				mu.Lock()
				acked = append(acked, ids...)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(load)
	_ = cmd.Process.Signal(syscall.SIGKILL) // mid-load, acknowledged or not
	_, _ = cmd.Process.Wait()
	cancel()
	wg.Wait()

	st, err := store.Open(db, store.Options{})
	if err != nil {
		return 0, fmt.Errorf("reopening after kill -9: %w", err)
	}
	defer st.Close()
	missing := 0
	for _, id := range acked {
		if _, err := st.Get(context.Background(), "Crash", id, store.GetOptions{}); err != nil {
			missing++
		}
	}
	if missing > 0 {
		return 0, fmt.Errorf("%d of %d acknowledged inserts lost", missing, len(acked))
	}
	if len(acked) == 0 {
		return 0, fmt.Errorf("no insert was acknowledged: the load did not run")
	}
	return len(acked), nil
}

// createdIDs reads the objectIds an answer acknowledges: a 201's, or those of
// the batch elements that answered success.
func createdIDs(resp *http.Response, batch bool) []string {
	defer resp.Body.Close()
	type created struct{ ObjectID string }
	if !batch {
		var out created
		if json.NewDecoder(resp.Body).Decode(&out) != nil || resp.StatusCode != http.StatusCreated || out.ObjectID == "" {
			return nil
		}
		return []string{out.ObjectID}
	}
	var out []struct{ Success *created }
	if json.NewDecoder(resp.Body).Decode(&out) != nil || resp.StatusCode != http.StatusOK {
		return nil
	}
	var ids []string
	for _, e := range out {
		if e.Success != nil && e.Success.ObjectID != "" {
			ids = append(ids, e.Success.ObjectID)
		}
	}
	return ids
}
