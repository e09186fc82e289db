package multiproc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/pgtest"
	"github.com/bmobemu/bmobemu/store"
)

// TestTimedTaskRunsOncePerTickAcrossProcesses is issue 16's "each tick runs
// once across all processes": two processes of the built binary serve one
// project whose task is due every second; its function writes one row per
// run, named by its tick. After several seconds every tick has exactly one
// row (without the shared lease each process would write its own), and both
// processes show the same run history, read from the database.
func TestTimedTaskRunsOncePerTickAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("seconds of real time")
	}
	db := pgtest.DSN(t)
	dir := t.TempDir()
	files := map[string]string{
		"tick.js": `function onRequest(request, response, modules) {
			modules.oData.insert({ table: "Tick", data: { at: request.headers["x-bmobemu-scheduled-at"] } }, function (err) {
				if (err) throw new Error(err);
				response.end("ok");
			});
		}`,
		"bmobemu.yaml": "tasks:\n  - name: every\n    rule: \"* * * * * *\"\n    function: tick\n",
	}
	fns := functionsDir(t, dir, files)
	bin := binary(t)
	state := filepath.Join(dir, "state")
	a := start(t, bin, db, state, fns)
	b := start(t, bin, db, state, fns)

	const seconds = 8
	time.Sleep(seconds * time.Second)
	historyA, historyB := taskRuns(t, a, "every"), taskRuns(t, b, "every")
	for _, s := range []*server{a, b} {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not stop within 20s")
		}
	}

	st, err := store.OpenDB(db, store.Options{}, store.PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := st.Find(context.Background(), "Tick", store.Query{Limit: store.MaxLimit, Order: []string{"at"}})
	if err != nil {
		t.Fatal(err)
	}
	perTick := map[string]int{}
	for _, r := range res.Results {
		at, _ := r["at"].(string)
		if at == "" {
			t.Fatalf("a run without its tick: %v", r)
		}
		perTick[at]++
	}
	for at, n := range perTick {
		if n != 1 {
			t.Errorf("tick %s ran %d times", at, n)
		}
	}
	t.Logf("%d ticks in about %d s of two processes, %d rows; history through a: %d runs, through b: %d",
		len(perTick), seconds, len(res.Results), len(historyA), len(historyB))
	// Generous: a loaded machine may be slow to start or drop a late tick.
	if len(perTick) < seconds/2 {
		t.Fatalf("only %d ticks ran in %d s", len(perTick), seconds)
	}
	// One history, whichever process is asked (a tick may end between the
	// two reads: compare the runs both saw).
	if len(historyA) == 0 || len(historyB) == 0 {
		t.Fatalf("no runs kept: a %d, b %d", len(historyA), len(historyB))
	}
	n := min(len(historyA), len(historyB))
	for i := 0; i < n; i++ {
		if historyA[i] != historyB[i] {
			t.Fatalf("run %d: a shows %s, b shows %s", i, historyA[i], historyB[i])
		}
	}
}

// taskRuns is a task's kept runs as one process lists them (each as its tick
// and outcome).
func taskRuns(t *testing.T, s *server, task string) []string {
	t.Helper()
	req, err := http.NewRequest("GET", s.base+"/_admin/tasks/"+task, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Bmob-Master-Key", mpMaster)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out struct {
		Runs []struct {
			Scheduled time.Time `json:"scheduled"`
			Outcome   string    `json:"outcome"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("runs of %s through %s: %d %s", task, s.base, resp.StatusCode, body)
	}
	var runs []string
	for _, r := range out.Runs {
		runs = append(runs, fmt.Sprintf("%s %s", r.Scheduled.Format(time.RFC3339), r.Outcome))
	}
	return runs
}
