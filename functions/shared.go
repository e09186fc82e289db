package functions

import (
	"context"
	"fmt"
	"time"
)

// CodeStore keeps the code deployed over REST where every process reads it
// (PostgreSQL's bmob_functions). With one (LoadOptions.Code), Deploy and
// Remove write there instead of a deploy folder, and WatchCode brings the
// other processes' deploys and removals into this one.
type CodeStore interface {
	// SaveCode keeps src as name's code and returns its new version.
	SaveCode(ctx context.Context, name string, src []byte) (int64, error)
	// DeleteCode removes name's code; ok is false when there was none.
	DeleteCode(ctx context.Context, name string) (ok bool, err error)
	// CodeVersions maps each deployed name to its version.
	CodeVersions(ctx context.Context) (map[string]int64, error)
	// Code reads name's code; ok is false when there is none.
	Code(ctx context.Context, name string) (src []byte, version int64, ok bool, err error)
}

// deployedCode is one function's code from the CodeStore, as this process
// serves it.
type deployedCode struct {
	src     []byte
	version int64
}

// codeTimeout bounds one exchange with the CodeStore.
const codeTimeout = 10 * time.Second

// deployedPath is the file name a deployed function's stack traces show.
func deployedPath(name string) string { return "deployed/" + name + ".js" }

// DefaultCodePoll is how often WatchCode looks for other processes' deploys:
// well within the second in which every process must serve a new version.
const DefaultCodePoll = 250 * time.Millisecond

// WatchCode brings the deploys and removals made through other processes
// into this set until ctx ends, looking every `every` (0: DefaultCodePoll).
// A set without a CodeStore returns at once.
func (s *Set) WatchCode(ctx context.Context, every time.Duration) {
	if s.code == nil {
		return
	}
	if every <= 0 {
		every = DefaultCodePoll
	}
	t := time.NewTicker(every)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := s.SyncCode(ctx)
		switch {
		case err != nil && !failing && ctx.Err() == nil:
			s.log("error", fmt.Sprintf("deployed functions: cannot read the database, serving what this process has: %v", err))
		case err == nil && failing:
			s.log("info", "deployed functions: reading the database again")
		}
		failing = err != nil
	}
}

// SyncCode makes this set serve the CodeStore's deployed code: a name whose
// version changed is reloaded from the store, a name no longer there is
// dropped (its source folder's version, if any, is served again).
func (s *Set) SyncCode(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, codeTimeout)
	defer cancel()
	versions, err := s.code.CodeVersions(ctx)
	if err != nil {
		return err
	}
	s.mu.RLock()
	local := make(map[string]int64, len(s.deployed))
	for name, d := range s.deployed {
		local[name] = d.version
	}
	s.mu.RUnlock()
	for name, v := range versions {
		if local[name] == v {
			continue
		}
		src, v, ok, err := s.code.Code(ctx, name)
		if err != nil {
			return err
		}
		if !ok {
			continue // removed meanwhile: the next look drops it
		}
		s.mu.Lock()
		s.deployed[name] = deployedCode{src: src, version: v}
		s.mu.Unlock()
		_ = s.Reload(name) // a failure is logged, the last good version stays
	}
	for name := range local {
		if _, ok := versions[name]; ok {
			continue
		}
		s.mu.Lock()
		delete(s.deployed, name)
		s.mu.Unlock()
		_ = s.Reload(name)
	}
	return nil
}
