package emulator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bmobemu/bmobemu/functions"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/project"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/store"
	"github.com/bmobemu/bmobemu/tasks"
)

// openProject loads the project file of the functions folders (bmobemu.yaml:
// the data hook and the timed tasks) and starts the scheduler on it. An invalid
// file stops Open; on reload the last good one stays.
func (e *Emulator) openProject() error {
	cfg := e.Config
	holder, err := project.Open(cfg.FunctionsDirs, project.Options{
		HasFunction: e.functionFileExists,
		Strict:      cfg.Profile == modules.Bmob,
		Now:         cfg.Clock.Now,
	}, func(level, line string) { e.Logs.FunctionLog("project", level, line) })
	if err != nil {
		return err
	}
	opts := tasks.Options{
		Clock:     cfg.Clock,
		Functions: e,
		Log:       func(level, line string) { e.Logs.FunctionLog("tasks", level, line) },
		Manual:    cfg.ManualTasks,
	}
	// On a database several processes share (PostgreSQL), each tick runs in
	// one of them and the run history is the database's.
	if keeper, ok := e.Store.(store.TaskKeeper); ok && !cfg.ManualTasks {
		opts.Shared = tasks.StoreShared(keeper, 0, 0)
	}
	e.Tasks = tasks.New(opts)
	e.Tasks.Set(holder.Current())
	holder.OnChange(e.Tasks.Set)
	e.Project = holder
	return nil
}

// functionFileExists reports whether DIR/<name>.js exists in a functions
// folder (the file, not whether it compiled: a function being edited may be
// broken for a moment, and its calls then explain the error).
func (e *Emulator) functionFileExists(name string) bool {
	if name == "" || filepath.Base(name) != name {
		return false
	}
	for _, dir := range e.Config.FunctionsDirs {
		if _, err := os.Stat(filepath.Join(dir, name+".js")); err == nil {
			return true
		}
	}
	return false
}

// currentHook is the data hook of the current project file, nil if none (or
// before the project is loaded).
func (e *Emulator) currentHook() *project.Hook {
	if e.Project == nil {
		return nil
	}
	return e.Project.Hook()
}

// Invoke runs a function of the set: the data hook and the timed tasks call
// their functions through it.
func (e *Emulator) Invoke(ctx context.Context, name string, req *runtime.Request) (*runtime.Response, error) {
	resp, err := e.Functions.Invoke(ctx, name, req)
	if errors.Is(err, functions.ErrNotFound) {
		if loadErr, broken := e.Functions.Errors()[name]; broken {
			return nil, fmt.Errorf("function %s did not load: %w", name, loadErr)
		}
	}
	return resp, err
}

// codeStore is where REST deploys go: the database when several processes may
// share it (PostgreSQL), else nil (the deploy folder).
func codeStore(st store.Store) functions.CodeStore {
	if cs, ok := st.(functions.CodeStore); ok {
		return cs
	}
	return nil
}
