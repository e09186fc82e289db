package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
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

// tasksFlags are the flags of `tasks list` and `tasks run`: where the server
// is and how to find its master key.
func tasksFlags(path string) (fs *flag.FlagSet, connect func() (*tasksClient, error)) {
	fs = newFlagSet(path)
	addr := fs.String("addr", defaultAddr, "address of the running bmobemu serve")
	db := fs.String("db", defaultDB, "the served db: its master key is read from <db>.keys.json")
	master := fs.String("master-key", os.Getenv("BMOBEMU_MASTER_KEY"), "the server's master key (env BMOBEMU_MASTER_KEY; default: from <db>.keys.json)")
	return fs, func() (*tasksClient, error) {
		key := *master
		if key == "" {
			k, err := emulator.ReadKeys(*db)
			if err != nil {
				return nil, fmt.Errorf("tasks: no --master-key, and %w", err)
			}
			key = k.MasterKey
		}
		base := *addr
		if !strings.Contains(base, "://") {
			base = "http://" + base
		}
		return &tasksClient{base: base + strings.TrimSuffix(tasks.AdminPath, "/"), key: key}, nil
	}
}

// tasksList is `bmobemu tasks list`: the timed tasks of a running server
// (its admin route /_admin/tasks/).
func tasksList(ctx context.Context, inv invocation) error {
	fs, connect := tasksFlags("tasks list")
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	c, err := connect()
	if err != nil {
		return err
	}
	var out struct{ Tasks []tasks.Status }
	if err := c.do(ctx, http.MethodGet, "/", &out); err != nil {
		return err
	}
	printTasks(inv.stdout, out.Tasks)
	return nil
}

// tasksRun is `bmobemu tasks run NAME`: run a task now on a running server
// and print the run; a failed run is a failed command.
func tasksRun(ctx context.Context, inv invocation) error {
	fs, connect := tasksFlags("tasks run")
	args := inv.args
	if wantsHelp(args) {
		return &helpRequest{fs: fs}
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("tasks run: name the task first: bmobemu tasks run NAME [flags] (see bmobemu tasks run --help)")
	}
	name := args[0]
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	c, err := connect()
	if err != nil {
		return err
	}
	var run tasks.Run
	if err := c.do(ctx, http.MethodPost, "/"+url.PathEscape(name)+"/run", &run); err != nil {
		return err
	}
	fmt.Fprintf(inv.stdout, "%s (%s): %s", run.Task, run.Function, run.Outcome)
	if run.Status != 0 {
		fmt.Fprintf(inv.stdout, " %d", run.Status)
	}
	fmt.Fprintf(inv.stdout, " in %v at %s\n", time.Duration(run.Duration).Round(time.Microsecond), bjtime.Format(run.Started))
	if run.Error != "" {
		fmt.Fprintf(inv.stdout, "  %s\n", run.Error)
	}
	if run.Outcome != tasks.OK {
		return fmt.Errorf("task %s %s", run.Task, run.Outcome)
	}
	return nil
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
		return fmt.Errorf("tasks: is bmobemu serve running at %s? %w", c.base, err)
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
