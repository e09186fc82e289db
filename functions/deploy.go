package functions

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// validName is what Deploy accepts as a function name: a letter, then letters,
// digits, "_" or "-", at most 64 characters (a file name on every system, and
// never a path).
var validName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,63}$`)

// ValidName reports whether name can be deployed.
func ValidName(name string) bool { return validName.MatchString(name) }

// CompileError is a deployed source that does not compile or whose top level
// throws; the previous version (if any) keeps serving.
type CompileError struct{ Err error }

func (e *CompileError) Error() string { return e.Err.Error() }

// Unwrap returns the compiler's error.
func (e *CompileError) Unwrap() error { return e.Err }

// Deploy installs src as the function name: it compiles and warms it first (a
// failure is a *CompileError and changes nothing), then writes <name>.js (to the
// folder that already holds it, else the first folder) through a temporary file
// and a rename, and serves the new version at once.
func (s *Set) Deploy(name string, src []byte) error {
	if !ValidName(name) {
		return fmt.Errorf("invalid function name %q", name)
	}
	if s.code != nil {
		return s.deployToStore(name, src)
	}
	if len(s.dirs) == 0 {
		return fmt.Errorf("deploying %s: no functions folder", name)
	}
	path := s.pathOf(name)
	if s.deployDir != "" {
		path = filepath.Join(s.deployDir, name+".js")
		if err := os.MkdirAll(s.deployDir, 0o755); err != nil {
			return fmt.Errorf("deploying %s: %w", name, err)
		}
	}
	fn, err := s.engine.Compile(name, path, src)
	if err != nil {
		return &CompileError{Err: err}
	}
	if err := fn.Warm(); err != nil {
		fn.Close()
		return &CompileError{Err: err}
	}
	if err := writeAtomic(path, src); err != nil {
		fn.Close()
		return err
	}
	s.mu.Lock()
	old, replaced := s.fns[name]
	s.fns[name] = fn
	s.dirOf[name] = filepath.Dir(path)
	delete(s.errors, name)
	s.mu.Unlock()
	if replaced {
		old.Close()
	}
	s.log("info", fmt.Sprintf("function %s deployed to %s", name, path))
	return nil
}

// deployToStore is Deploy with a CodeStore: compiled and warmed here first,
// then saved (the other processes load it from there within WatchCode's
// poll), then served here.
func (s *Set) deployToStore(name string, src []byte) error {
	fn, err := s.engine.Compile(name, deployedPath(name), src)
	if err != nil {
		return &CompileError{Err: err}
	}
	if err := fn.Warm(); err != nil {
		fn.Close()
		return &CompileError{Err: err}
	}
	ctx, cancel := context.WithTimeout(context.Background(), codeTimeout)
	defer cancel()
	v, err := s.code.SaveCode(ctx, name, src)
	if err != nil {
		fn.Close()
		return fmt.Errorf("deploying %s: %w", name, err)
	}
	s.mu.Lock()
	old, replaced := s.fns[name]
	if d, ok := s.deployed[name]; ok && d.version > v {
		// A later deploy through another process already arrived here.
		s.mu.Unlock()
		fn.Close()
		return nil
	}
	s.deployed[name] = deployedCode{src: src, version: v}
	s.fns[name] = fn
	delete(s.errors, name)
	s.mu.Unlock()
	if replaced {
		old.Close()
	}
	s.log("info", fmt.Sprintf("function %s deployed to the database (version %d)", name, v))
	return nil
}

// ErrNotDeployed is Remove of a function that comes from a source folder while
// deploys go to a deploy folder: bmobemu deletes only what was deployed.
var ErrNotDeployed = errors.New("not a deployed function")

// Remove deletes the function's file and stops serving it. A name that is
// neither served nor has a file is ErrNotFound. With a deploy folder, only a
// deployed function can be removed (else ErrNotDeployed), and a source version
// it shadowed is served again.
func (s *Set) Remove(name string) error {
	if !ValidName(name) {
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if s.code != nil {
		return s.removeFromStore(name)
	}
	if len(s.dirs) == 0 {
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	path := s.pathOf(name)
	if s.deployDir != "" && filepath.Dir(path) != s.deployDir {
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("%w: %s comes from %s; delete the file there to remove it", ErrNotDeployed, name, path)
		}
	}
	_, served := s.Get(name)
	err := os.Remove(path)
	switch {
	case os.IsNotExist(err) && !served:
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	case err != nil && !os.IsNotExist(err):
		return fmt.Errorf("removing %s: %w", path, err)
	}
	if err := s.Reload(name); err != nil { // the file is gone: Reload drops the function
		return err
	}
	for _, d := range s.dirs { // a source version the deployed one shadowed comes back
		if _, err := os.Stat(filepath.Join(d, name+".js")); err == nil {
			s.log("info", fmt.Sprintf("function %s: the deployed version is removed, %s's is served again", name, d))
			_ = s.Reload(name)
			break
		}
	}
	return nil
}

// removeFromStore is Remove with a CodeStore: only deployed code can be
// removed; a source folder's version it shadowed is served again.
func (s *Set) removeFromStore(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), codeTimeout)
	defer cancel()
	ok, err := s.code.DeleteCode(ctx, name)
	if err != nil {
		return fmt.Errorf("removing %s: %w", name, err)
	}
	s.mu.Lock()
	_, had := s.deployed[name]
	delete(s.deployed, name)
	s.mu.Unlock()
	if !ok && !had {
		if _, served := s.Get(name); served {
			return fmt.Errorf("%w: %s comes from a functions folder; delete the file there to remove it", ErrNotDeployed, name)
		}
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if err := s.Reload(name); err != nil { // a source version comes back, or the function is dropped
		return err
	}
	if _, served := s.Get(name); served {
		s.log("info", fmt.Sprintf("function %s: the deployed version is removed, the functions folder's is served again", name))
	} else {
		s.log("info", fmt.Sprintf("function %s removed from the database", name))
	}
	return nil
}

// writeAtomic writes data to path through a hidden temporary file in the same
// folder (the watcher ignores dot files) and a rename.
func writeAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
