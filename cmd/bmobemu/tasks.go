package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/tasks"
)

const tasksUsage = `Usage:
  bmobemu tasks list [--addr HOST:PORT] [--db FILE] [--master-key KEY]
                 the timed tasks of a running bmobemu serve: rule, next run, last outcome
  bmobemu tasks run NAME [--addr HOST:PORT] [--db FILE] [--master-key KEY]
                 run a task now on the running server and print the run
The routes need the master key: --master-key, BMOBEMU_MASTER_KEY or the one kept in <db>.keys.json.
`

// tasksCmd is `bmobemu tasks list|run`, talking to a running server's admin
// routes (/_admin/tasks/).
func tasksCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "run") {
		fmt.Fprint(stderr, tasksUsage)
		return fmt.Errorf("bmobemu tasks needs list or run")
	}
	sub, rest := args[0], args[1:]
	var name string
	if sub == "run" {
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			fmt.Fprint(stderr, tasksUsage)
			return fmt.Errorf("bmobemu tasks run needs a task name")
		}
		name, rest = rest[0], rest[1:]
	}
	fs := newFlagSet("tasks "+sub, stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address of the running bmobemu serve")
	db := fs.String("db", "./bmobemu.db", "the server's db file (its master key is read from <db>.keys.json)")
	master := fs.String("master-key", os.Getenv("BMOBEMU_MASTER_KEY"), "master key (env BMOBEMU_MASTER_KEY; default: from <db>.keys.json)")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	key := *master
	if key == "" {
		k, err := readKeys(*db)
		if err != nil {
			return err
		}
		key = k.MasterKey
	}
	c := &tasksClient{base: "http://" + *addr + strings.TrimSuffix(tasks.AdminPath, "/"), key: key}
	if sub == "list" {
		var out struct{ Tasks []tasks.Status }
		if err := c.do(ctx, http.MethodGet, "/", &out); err != nil {
			return err
		}
		printTasks(stdout, out.Tasks)
		return nil
	}
	var run tasks.Run
	if err := c.do(ctx, http.MethodPost, "/"+url.PathEscape(name)+"/run", &run); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s (%s): %s", run.Task, run.Function, run.Outcome)
	if run.Status != 0 {
		fmt.Fprintf(stdout, " %d", run.Status)
	}
	fmt.Fprintf(stdout, " in %v at %s\n", time.Duration(run.Duration).Round(time.Microsecond), bjtime.Format(run.Started))
	if run.Error != "" {
		fmt.Fprintf(stdout, "  %s\n", run.Error)
	}
	if run.Outcome != tasks.OK {
		return fmt.Errorf("task %s %s", run.Task, run.Outcome)
	}
	return nil
}

// readKeys reads the keys kept beside a db without making any.
func readKeys(db string) (emulator.Keys, error) {
	var k emulator.Keys
	data, err := os.ReadFile(db + ".keys.json")
	if err != nil {
		return k, fmt.Errorf("reading the master key (give --master-key or --db): %w", err)
	}
	if err := json.Unmarshal(data, &k); err != nil {
		return k, fmt.Errorf("reading %s.keys.json: %w", db, err)
	}
	return k, nil
}

type tasksClient struct{ base, key string }

func (c *tasksClient) do(ctx context.Context, method, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, nil)
	if err != nil {
		return fmt.Errorf("tasks: %w", err)
	}
	req.Header.Set("X-Bmob-Master-Key", c.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("is bmobemu serve running? %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("tasks: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, e.Error)
		}
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("tasks: the answer is not what a bmobemu serve sends: %w", err)
	}
	return nil
}

func printTasks(w io.Writer, list []tasks.Status) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no timed tasks (declare them in bmobemu.yaml beside the functions)")
		return
	}
	fmt.Fprintf(w, "%-16s %-16s %-16s %-20s %s\n", "TASK", "RULE", "FUNCTION", "NEXT RUN", "LAST RUN")
	for _, t := range list {
		next := "off"
		if t.Enabled {
			next = "never"
			if !t.Next.IsZero() {
				next = bjtime.Format(t.Next)
			}
		}
		last := "-"
		if r := t.Last; r != nil {
			last = fmt.Sprintf("%s %s in %v", bjtime.Format(r.Started), r.Outcome, time.Duration(r.Duration).Round(time.Millisecond))
			if r.Error != "" {
				last += ": " + firstLine(r.Error)
			}
		}
		if t.Running {
			last += " (running now)"
		}
		fmt.Fprintf(w, "%-16s %-16s %-16s %-20s %s\n", t.Name, t.Rule, t.Function, next, last)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// projectBanner is serve's lines on the project file: the data hook and each
// task with its next run.
func projectBanner(w io.Writer, emu *emulator.Emulator) {
	p := emu.Project.Current()
	if len(p.Files) == 0 {
		return
	}
	fmt.Fprintf(w, "  project:        %s\n", strings.Join(p.Files, ", "))
	if h := p.Hook; h != nil {
		cover := "every table"
		if len(h.Tables) > 0 {
			cover = "tables " + strings.Join(h.Tables, ", ")
		}
		ops := "all operations"
		if len(h.Operations) > 0 {
			ops = strings.Join(h.Operations, ", ")
		}
		fmt.Fprintf(w, "  data hook:      %s (%s; %s; timeout %v)\n", h.Function, cover, ops, h.Timeout)
	}
	for _, t := range emu.Tasks.List() {
		next := "off"
		if t.Enabled && !t.Next.IsZero() {
			next = "next " + bjtime.Format(t.Next)
		}
		fmt.Fprintf(w, "  task:           %-16s %-16s -> %s, %s\n", t.Name, t.Rule, t.Function, next)
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(w, "  WARNING:        %s\n", warn)
	}
}
