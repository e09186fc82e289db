package tasks

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bmobemu/bmobemu/internal/webguard"
)

// AdminPath is where Handler is mounted: the admin pages' task routes.
const AdminPath = "/_admin/tasks/"

// Handler serves the task routes for a running server, behind
// internal/webguard with the master key always required (header
// X-Bmob-Master-Key, or as the Basic-auth password a browser asks for), on
// loopback too, plus webguard's same-origin checks on the POST:
//
//	GET  /_admin/tasks/            every task: rule, next run, last run
//	GET  /_admin/tasks/NAME        that task's kept runs, oldest first
//	POST /_admin/tasks/NAME/run    run it now and answer the run (409 while it runs)
//
// runTimeout bounds a run started over HTTP (0: 5 minutes; the function's own
// timeout ends it sooner).
func (s *Scheduler) Handler(masterKey string, runTimeout time.Duration) http.Handler {
	if runTimeout <= 0 {
		runTimeout = 5 * time.Minute
	}
	// With the master key checked here first, the guard's listen address does
	// not matter: what it adds is the same-origin checks.
	guard := webguard.New("", masterKey)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hasMasterKey(r, masterKey) {
			webguard.Refuse(w, &webguard.Refusal{Status: http.StatusUnauthorized,
				Reason: "the task routes need the master key (header " + webguard.MasterKeyHeader + ", or as the password when the browser asks)"})
			return
		}
		if ref := guard.Check(r); ref != nil {
			webguard.Refuse(w, ref)
			return
		}
		rest := strings.Trim(strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(AdminPath, "/")), "/")
		name, action, _ := strings.Cut(rest, "/")
		switch {
		case rest == "" && r.Method == http.MethodGet:
			writeJSON(w, http.StatusOK, map[string]any{"tasks": s.List()})
		case name != "" && action == "" && r.Method == http.MethodGet:
			if !s.has(name) {
				writeJSON(w, http.StatusNotFound, map[string]any{"error": "no such task: " + name})
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"runs": s.Runs(name)})
		case name != "" && action == "run" && r.Method == http.MethodPost:
			ctx, cancel := context.WithTimeout(r.Context(), runTimeout)
			defer cancel()
			run, err := s.RunNow(ctx, name)
			switch {
			case errors.Is(err, ErrUnknownTask):
				writeJSON(w, http.StatusNotFound, map[string]any{"error": err.Error()})
			case errors.Is(err, ErrRunning):
				writeJSON(w, http.StatusConflict, map[string]any{"error": err.Error()})
			case err != nil:
				writeJSON(w, http.StatusInternalServerError, map[string]any{"error": err.Error()})
			default:
				writeJSON(w, http.StatusOK, run)
			}
		default:
			writeJSON(w, http.StatusNotFound, map[string]any{"error": "no route for " + r.Method + " " + r.URL.Path})
		}
	})
}

// hasMasterKey reports whether r carries the master key, in the header or as
// the Basic-auth password.
func hasMasterKey(r *http.Request, masterKey string) bool {
	got := r.Header.Get(webguard.MasterKeyHeader)
	if got == "" {
		_, got, _ = r.BasicAuth()
	}
	return masterKey != "" && subtle.ConstantTimeCompare([]byte(got), []byte(masterKey)) == 1
}

func (s *Scheduler) has(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.tasks[name]
	return ok
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
