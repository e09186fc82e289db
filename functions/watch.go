package functions

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/fsnotify/fsnotify"
)

// reloadDelay gathers the several events one save makes into one reload.
const reloadDelay = 60 * time.Millisecond

// Watch reloads functions whose files change in any of the folders, until ctx is done. Editors save in
// many ways (write in place, write a temp file and rename), so every event on a
// .js name reloads that name after a short quiet period.
func (s *Set) Watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching %v: %w", s.dirs, err)
	}
	for _, dir := range s.dirs {
		if err := w.Add(dir); err != nil {
			_ = w.Close()
			return fmt.Errorf("watching %s: %w", dir, err)
		}
	}
	// The deploy folder too, when it exists: a deployed file edited by hand
	// reloads like a source file (deploys themselves serve at once).
	if s.deployDir != "" {
		if st, err := os.Stat(s.deployDir); err == nil && st.IsDir() {
			if err := w.Add(s.deployDir); err != nil {
				_ = w.Close()
				return fmt.Errorf("watching %s: %w", s.deployDir, err)
			}
		}
	}
	go func() {
		defer w.Close()
		timers := map[string]*time.Timer{}
		fire := make(chan string, 64)
		for {
			select {
			case <-ctx.Done():
				for _, t := range timers {
					t.Stop()
				}
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				name, isFn := FunctionName(ev.Name)
				if !isFn {
					continue
				}
				if t, ok := timers[name]; ok {
					t.Reset(reloadDelay)
					continue
				}
				timers[name] = time.AfterFunc(reloadDelay, func() {
					select {
					case fire <- name:
					case <-ctx.Done():
					}
				})
			case name := <-fire:
				delete(timers, name)
				_ = s.Reload(name) // failures are logged by Reload
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				s.log("error", fmt.Sprintf("watching %v: %v", s.dirs, err))
			}
		}
	}()
	return nil
}
