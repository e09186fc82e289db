package emulator

import (
	"fmt"
	"strings"

	"github.com/bmobemu/bmobemu/console"
	"github.com/bmobemu/bmobemu/tasks"
)

// openConsole builds the web console and its live log, fed by every log line.
// The console calls functions through CallHTTP, the path every direct call
// ends in, and reaches the REST API through the fiber app in-process.
func (e *Emulator) openConsole() {
	cfg := e.Config
	e.LogHub = console.NewHub()
	e.Logs.Tap(e.LogHub.Publish)
	opts := console.Options{
		Guard:     e.Guard,
		Functions: e.Functions,
		Hub:       e.LogHub,
		Local:     e.local,
		Keys: console.Keys{AppID: e.Keys.AppID, RESTKey: e.Keys.RESTKey, MasterKey: e.Keys.MasterKey,
			SecretKey: e.Secret, SecurityCode: e.Keys.SecurityCode},
		Profile:       string(cfg.Profile),
		DBPath:        cfg.DBPath,
		FilesDir:      cfg.DBPath + ".files",
		FunctionsDirs: cfg.FunctionsDirs,
		Version:       cfg.Version,
	}
	if e.Sandbox != nil {
		opts.Sandbox = e.Sandbox.Handler()
		for _, p := range e.Sandbox.Providers() {
			opts.SandboxProviders = append(opts.SandboxProviders, p.Name())
		}
		if keys := e.SandboxKeys; keys != nil {
			opts.SandboxConfig = func() string {
				var b strings.Builder
				if err := keys.WriteConfig(&b); err != nil {
					return "writing the sandbox keys: " + err.Error()
				}
				return b.String()
			}
		}
	}
	if e.Tasks != nil {
		opts.Tasks, opts.TasksPath = e.Tasks.Handler(e.Keys.MasterKey, 0), tasks.AdminPath
	}
	if e.Project != nil {
		opts.Hook = e.hookText
		opts.Extra = func() [][2]string {
			p := e.Project.Current()
			hook := e.hookText()
			if hook == "" {
				hook = "none"
			}
			taskLines := make([]string, 0, len(p.Tasks))
			for _, t := range p.Tasks {
				state := ""
				if !t.Enabled {
					state = ", off"
				}
				taskLines = append(taskLines, fmt.Sprintf("%s (%s → %s%s)", t.Name, t.Rule.Text, t.Function, state))
			}
			tasksText := "none"
			if len(taskLines) > 0 {
				tasksText = strings.Join(taskLines, "; ")
			}
			return [][2]string{{"Data hook", hook}, {"Timed tasks", tasksText}}
		}
	}
	e.Console = console.New(opts)
}

// hookText describes the data hook ("" when none is declared).
func (e *Emulator) hookText() string {
	h := e.Project.Hook()
	if h == nil {
		return ""
	}
	tables, ops := "every table", "create, update, delete, query"
	if len(h.Tables) > 0 {
		tables = strings.Join(h.Tables, ", ")
	}
	if len(h.Operations) > 0 {
		ops = strings.Join(h.Operations, ", ")
	}
	return fmt.Sprintf("%s on %s (%s), timeout %v, declared at %s", h.Function, tables, ops, h.Timeout, h.Where)
}
