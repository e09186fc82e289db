package project

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Holder keeps the current project of some functions folders and reloads it
// when a project file changes: a file that does not validate is reported in
// the log and the last good project stays.
type Holder struct {
	dirs []string
	opts Options
	log  func(level, line string)

	cur    atomic.Pointer[Project]
	mu     sync.Mutex // serializes reloads and listeners
	failed bool       // the last reload failed (a .js change may fix it)
	listen []func(*Project)
}

// Open loads the project of dirs; an invalid file is an error.
func Open(dirs []string, opts Options, log func(level, line string)) (*Holder, error) {
	if log == nil {
		log = func(string, string) {}
	}
	p, err := Load(dirs, opts)
	if err != nil {
		return nil, err
	}
	h := &Holder{dirs: dirs, opts: opts, log: log}
	h.cur.Store(p)
	for _, w := range p.Warnings {
		log("warn", w)
	}
	return h, nil
}

// Current is the last good project (never nil).
func (h *Holder) Current() *Project { return h.cur.Load() }

// Hook is the current data hook, nil if none.
func (h *Holder) Hook() *Hook { return h.Current().Hook }

// OnChange calls f with every newly loaded project.
func (h *Holder) OnChange(f func(*Project)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.listen = append(h.listen, f)
}

// Reload reads the project files again. On error the current project stays.
func (h *Holder) Reload() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, err := Load(h.dirs, h.opts)
	if err != nil {
		h.failed = true
		h.log("error", fmt.Sprintf("project file not reloaded, the last good one stays:\n%v", err))
		return err
	}
	h.failed = false
	h.cur.Store(p)
	for _, w := range p.Warnings {
		h.log("warn", w)
	}
	h.log("info", fmt.Sprintf("project reloaded from %s: %s", strings.Join(p.Files, ", "), p.Summary()))
	for _, f := range h.listen {
		f(p)
	}
	return nil
}

// Summary is a one-line description: the hook and the tasks.
func (p *Project) Summary() string {
	hook := "no data hook"
	if p.Hook != nil {
		hook = "data hook " + p.Hook.Function
	}
	return fmt.Sprintf("%s, %d timed tasks", hook, len(p.Tasks))
}

// reloadDelay gathers the events of one save.
const reloadDelay = 80 * time.Millisecond

// Watch reloads the project when a project file in the folders changes (and,
// after a failed reload, when a function file changes: a task may name a
// function being written), until ctx is done.
func (h *Holder) Watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching the project file: %w", err)
	}
	for _, dir := range h.dirs {
		if err := w.Add(dir); err != nil {
			_ = w.Close()
			return fmt.Errorf("watching %s: %w", dir, err)
		}
	}
	go func() {
		defer w.Close()
		var timer *time.Timer
		fire := make(chan struct{}, 1)
		for {
			select {
			case <-ctx.Done():
				if timer != nil {
					timer.Stop()
				}
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				base := filepath.Base(ev.Name)
				h.mu.Lock()
				retry := h.failed && strings.HasSuffix(base, ".js")
				h.mu.Unlock()
				if base != FileName && !retry {
					continue
				}
				if timer != nil {
					timer.Stop()
				}
				timer = time.AfterFunc(reloadDelay, func() {
					select {
					case fire <- struct{}{}:
					default:
					}
				})
			case <-fire:
				_ = h.Reload() // failures are logged
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				h.log("error", fmt.Sprintf("watching the project file: %v", err))
			}
		}
	}()
	return nil
}

// UseHook replaces the data hook of the current project in memory (nil: no
// hook) until the next reload: tests try several hooks on one set of functions.
func (h *Holder) UseHook(hook *Hook) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := *h.Current()
	p.Hook = hook
	h.cur.Store(&p)
}
