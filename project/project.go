// Package project reads the project file, bmobemu.yaml, which sits beside the
// functions (in a functions folder) and declares what Bmob keeps in its console:
// the data hook (its function and, as an extension, the tables and operations it
// covers) and the timed tasks (name, rule, function, on/off). Errors name the
// file and line.
package project

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// FileName is the project file's name in a functions folder.
const FileName = "bmobemu.yaml"

// Operations are the data hook's operations, in Bmob's words.
var Operations = []string{"create", "update", "delete", "query"}

// DefaultHookTimeout bounds one call of the data hook: Bmob gives each REST
// call from a function 5 s, and a client waits for the hook.
const DefaultHookTimeout = 5 * time.Second

// Project is what the project files of the functions folders declare.
type Project struct {
	// Files are the project files read, in folder order.
	Files []string
	// Hook is the data hook; nil when none is declared.
	Hook *Hook
	// Tasks are the timed tasks in declaration order.
	Tasks []Task
	// Warnings are problems that do not stop loading (a rule more frequent than
	// hourly outside the bmob profile).
	Warnings []string
}

// Hook is the data hook.
type Hook struct {
	Function   string
	Tables     []string // empty: every table
	Operations []string // empty: all four
	Timeout    time.Duration
	Where      string // file:line of the declaration
}

// Covers reports whether the hook applies to an operation on a table.
func (h *Hook) Covers(table, operation string) bool {
	if h == nil {
		return false
	}
	if len(h.Tables) > 0 && !slices.Contains(h.Tables, table) {
		return false
	}
	return len(h.Operations) == 0 || slices.Contains(h.Operations, operation)
}

// Task is one timed task.
type Task struct {
	Name     string
	Rule     Rule
	Function string
	Enabled  bool
	Where    string // file:line of the declaration
}

// Task returns the task of that name.
func (p *Project) Task(name string) (Task, bool) {
	if p == nil {
		return Task{}, false
	}
	for _, t := range p.Tasks {
		if t.Name == name {
			return t, true
		}
	}
	return Task{}, false
}

// Options tune Load.
type Options struct {
	// HasFunction reports whether a function exists (nil: every name does).
	HasFunction func(name string) bool
	// Strict refuses rules that fire more often than hourly, as Bmob's free
	// tier refuses to save them (the bmob profile); otherwise they load with a
	// warning.
	Strict bool
	// Now anchors the frequency check (nil: time.Now).
	Now func() time.Time
}

// Load reads FileName from each folder that has one. No file at all is an
// empty project. Errors (every one found, each as file:line: message) leave
// nothing loaded.
func Load(dirs []string, opts Options) (*Project, error) {
	p := &Project{}
	var errs []error
	for _, dir := range dirs {
		path := filepath.Join(dir, FileName)
		src, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the project file: %w", err)
		}
		p.Files = append(p.Files, path)
		errs = append(errs, p.add(path, src, opts)...)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// Parse reads one project file's text (named path in errors).
func Parse(path string, src []byte, opts Options) (*Project, error) {
	p := &Project{Files: []string{path}}
	if errs := p.add(path, src, opts); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// The file's shape. Each part keeps its node for line numbers.
type fileDoc struct {
	Hook  *hookDoc  `yaml:"hook"`
	Tasks []taskDoc `yaml:"tasks"`
}

type hookDoc struct {
	Function   string   `yaml:"function"`
	Tables     []string `yaml:"tables"`
	Operations []string `yaml:"operations"`
	Timeout    string   `yaml:"timeout"`
	line       int
	lines      map[string]int // field -> line
}

type taskDoc struct {
	Name     string `yaml:"name"`
	Rule     string `yaml:"rule"`
	Function string `yaml:"function"`
	Enabled  *bool  `yaml:"enabled"`
	line     int
	lines    map[string]int // field -> line
}

func (h *hookDoc) UnmarshalYAML(n *yaml.Node) error {
	type plain hookDoc
	if err := strictDecode(n, (*plain)(h), "function", "tables", "operations", "timeout"); err != nil {
		return err
	}
	h.line = n.Line
	h.lines = fieldLines(n)
	return nil
}

func (t *taskDoc) UnmarshalYAML(n *yaml.Node) error {
	type plain taskDoc
	if err := strictDecode(n, (*plain)(t), "name", "rule", "function", "enabled"); err != nil {
		return err
	}
	t.line = n.Line
	t.lines = fieldLines(n)
	return nil
}

// strictDecode decodes a mapping node, refusing keys that are not fields of v
// (Node.Decode does not apply the decoder's KnownFields) with the key's line.
func strictDecode(n *yaml.Node, v any, fields ...string) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a mapping of fields (%s)", n.Line, strings.Join(fields, ", "))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !slices.Contains(fields, k.Value) {
			return fmt.Errorf("line %d: unknown field %q (known: %s)", k.Line, k.Value, strings.Join(fields, ", "))
		}
	}
	return n.Decode(v)
}

func fieldLines(n *yaml.Node) map[string]int {
	out := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i].Line
	}
	return out
}

// add reads one file into p and returns its errors.
func (p *Project) add(path string, src []byte, opts Options) []error {
	at := func(line int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...))
	}
	var doc fileDoc
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return []error{fileError(path, err)}
	}
	var errs []error
	has := opts.HasFunction
	if has == nil {
		has = func(string) bool { return true }
	}
	if h := doc.Hook; h != nil {
		hook, herrs := p.hook(path, h, has, at)
		errs = append(errs, herrs...)
		if hook != nil {
			if p.Hook != nil {
				errs = append(errs, at(h.line, "a second data hook (the first is at %s); an app has one", p.Hook.Where))
			} else {
				p.Hook = hook
			}
		}
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	for _, td := range doc.Tasks {
		line := func(field string) int {
			if l, ok := td.lines[field]; ok {
				return l
			}
			return td.line
		}
		where := fmt.Sprintf("%s:%d", path, td.line)
		switch {
		case td.Name == "":
			errs = append(errs, at(td.line, "a task needs a name"))
			continue
		case strings.ContainsAny(td.Name, " /\t"):
			errs = append(errs, at(line("name"), "task name %q may not hold spaces or slashes", td.Name))
			continue
		}
		if other, dup := p.Task(td.Name); dup {
			errs = append(errs, at(line("name"), "task %q is declared twice (first at %s)", td.Name, other.Where))
			continue
		}
		task := Task{Name: td.Name, Function: td.Function, Enabled: td.Enabled == nil || *td.Enabled, Where: where}
		bad := false
		if td.Function == "" {
			errs = append(errs, at(td.line, "task %q needs a function", td.Name))
			bad = true
		} else if !has(td.Function) {
			errs = append(errs, at(line("function"), "task %q: unknown function %q (no %s.js in the functions folders)", td.Name, td.Function, td.Function))
			bad = true
		}
		rule, err := ParseRule(td.Rule)
		if td.Rule == "" {
			err = fmt.Errorf("task %q needs a rule (sec min hour day month weekday)", td.Name)
		}
		if err != nil {
			errs = append(errs, at(line("rule"), "%v", err))
			bad = true
		} else if gap := rule.MinInterval(now()); gap < time.Hour {
			msg := fmt.Sprintf("task %q: rule %q fires every %v at the shortest; Bmob's free tier refuses rules more frequent than hourly", td.Name, td.Rule, gap)
			if opts.Strict {
				errs = append(errs, at(line("rule"), "%s (profile bmob)", msg))
				bad = true
			} else {
				p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: %s (allowed in profile compat, as on Bmob's paid plans)", path, line("rule"), msg))
			}
		}
		if bad {
			continue
		}
		task.Rule = rule
		p.Tasks = append(p.Tasks, task)
	}
	return errs
}

func (p *Project) hook(path string, h *hookDoc, has func(string) bool, at func(int, string, ...any) error) (*Hook, []error) {
	var errs []error
	line := func(field string) int {
		if l, ok := h.lines[field]; ok {
			return l
		}
		return h.line
	}
	hook := &Hook{Function: h.Function, Tables: h.Tables, Operations: h.Operations, Timeout: DefaultHookTimeout,
		Where: fmt.Sprintf("%s:%d", path, h.line)}
	switch {
	case h.Function == "":
		errs = append(errs, at(h.line, "the data hook needs a function"))
	case !has(h.Function):
		errs = append(errs, at(line("function"), "data hook: unknown function %q (no %s.js in the functions folders)", h.Function, h.Function))
	}
	for _, op := range h.Operations {
		if !slices.Contains(Operations, op) {
			errs = append(errs, at(line("operations"), "data hook: unknown operation %q (one of %s)", op, strings.Join(Operations, ", ")))
		}
	}
	if h.Timeout != "" {
		d, err := time.ParseDuration(h.Timeout)
		if err != nil || d <= 0 {
			errs = append(errs, at(line("timeout"), "data hook: timeout %q is not a positive duration like 5s", h.Timeout))
		}
		hook.Timeout = d
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return hook, nil
}

// fileError gives yaml's errors the file name: "line 3: …" becomes "path:3: …".
func fileError(path string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var msgs []string
		for _, e := range te.Errors {
			msgs = append(msgs, located(path, e))
		}
		return errors.New(strings.Join(msgs, "\n"))
	}
	return errors.New(located(path, err.Error()))
}

func located(path, msg string) string {
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := regexp.MustCompile(`^(?:unmarshal errors:\n\s*)?line (\d+): `).FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s:%s: %s", path, m[1], msg[len(m[0]):])
	}
	return fmt.Sprintf("%s: %s", path, msg)
}
