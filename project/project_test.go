package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func has(names ...string) func(string) bool {
	return func(n string) bool {
		for _, x := range names {
			if x == n {
				return true
			}
		}
		return false
	}
}

func TestParseValidFile(t *testing.T) {
	src := `# a comment
hook:
  function: guard
  tables: [Order]
  operations: [create, update]
  timeout: 2s
tasks:
  - name: board
    rule: "0 0 * * * *"
    function: rank
  - name: off
    rule: "0 0 9 * * 1"
    function: rank
    enabled: false
`
	p, err := Parse("bmobemu.yaml", []byte(src), Options{HasFunction: has("guard", "rank")})
	if err != nil {
		t.Fatal(err)
	}
	if p.Hook == nil || p.Hook.Function != "guard" || p.Hook.Timeout != 2*time.Second || p.Hook.Where != "bmobemu.yaml:3" {
		t.Fatalf("hook = %+v", p.Hook)
	}
	if !p.Hook.Covers("Order", "create") || p.Hook.Covers("Order", "query") || p.Hook.Covers("Item", "create") {
		t.Fatal("Covers ignores tables or operations")
	}
	if len(p.Tasks) != 2 || !p.Tasks[0].Enabled || p.Tasks[1].Enabled || p.Tasks[1].Where != "bmobemu.yaml:11" {
		t.Fatalf("tasks = %+v", p.Tasks)
	}
	if len(p.Warnings) != 0 {
		t.Fatalf("warnings: %v", p.Warnings)
	}
}

// TestErrorsPointAtTheLine: every problem of a file is reported, each with its
// file and line.
func TestErrorsPointAtTheLine(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"unknown function", "tasks:\n  - name: a\n    rule: \"0 0 * * * *\"\n    function: nope\n",
			`bmobemu.yaml:4: task "a": unknown function "nope" (no nope.js in the functions folders)`},
		{"bad rule", "tasks:\n  - name: a\n    rule: \"0 0 * * *\"\n    function: f\n",
			`bmobemu.yaml:3: rule "0 0 * * *" has 5 fields; Bmob's rules have six`},
		{"weekday with day", "tasks:\n  - name: a\n    function: f\n    rule: \"0 0 0 1 * 3\"\n",
			`bmobemu.yaml:4: rule "0 0 0 1 * 3": when weekday is set, day and month must be *`},
		{"unknown hook function", "\n\nhook:\n  function: nope\n",
			`bmobemu.yaml:4: data hook: unknown function "nope"`},
		{"unknown field", "tasks:\n  - name: a\n    rule: \"0 0 * * * *\"\n    function: f\n    every: 1h\n",
			`bmobemu.yaml:5: unknown field "every" (known: name, rule, function, enabled)`},
		{"unknown top-level field", "hooks:\n  function: f\n", `bmobemu.yaml:1: field hooks not found`},
		{"bad operation", "hook:\n  function: f\n  operations: [insert]\n", `bmobemu.yaml:3: data hook: unknown operation "insert"`},
		{"duplicate task", "tasks:\n  - {name: a, rule: '0 0 * * * *', function: f}\n  - {name: a, rule: '0 0 * * * *', function: f}\n",
			`bmobemu.yaml:3: task "a" is declared twice (first at bmobemu.yaml:2)`},
		{"yaml syntax", "tasks:\n  - name: a\n   rule: x\n", `bmobemu.yaml:1: did not find expected '-' indicator`},
		{"enabled not a bool", "tasks:\n  - name: a\n    rule: \"0 0 * * * *\"\n    function: f\n    enabled: maybe\n", "bmobemu.yaml:5: cannot unmarshal !!str `maybe` into bool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bmobemu.yaml", []byte(tt.src), Options{HasFunction: has("f")})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSeveralErrorsAtOnce(t *testing.T) {
	src := "hook:\n  function: nope\ntasks:\n  - {name: a, rule: 'x', function: f}\n  - {name: b, rule: '0 0 * * * *', function: g}\n"
	_, err := Parse("p.yaml", []byte(src), Options{HasFunction: has("f")})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"p.yaml:2: data hook", "p.yaml:4: rule", "p.yaml:5: task \"b\": unknown function"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// TestFrequentRulesByProfile: the bmob profile refuses rules more frequent than
// hourly (Bmob's free tier will not save them); compat loads them with a warning.
func TestFrequentRulesByProfile(t *testing.T) {
	src := "tasks:\n  - name: fast\n    rule: \"0 */10 * * * *\"\n    function: f\n"
	_, err := Parse("bmobemu.yaml", []byte(src), Options{Strict: true})
	if err == nil || !strings.Contains(err.Error(), "bmobemu.yaml:3: task \"fast\": rule \"0 */10 * * * *\" fires every 10m0s at the shortest; Bmob's free tier refuses rules more frequent than hourly (profile bmob)") {
		t.Fatalf("strict: %v", err)
	}
	p, err := Parse("bmobemu.yaml", []byte(src), Options{})
	if err != nil || len(p.Tasks) != 1 || len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "allowed in profile compat") {
		t.Fatalf("compat: %v %+v", err, p)
	}
	hourly := "tasks:\n  - name: slow\n    rule: \"0 0 * * * *\"\n    function: f\n"
	if _, err := Parse("bmobemu.yaml", []byte(hourly), Options{Strict: true}); err != nil {
		t.Fatalf("hourly refused: %v", err)
	}
}

func TestLoadMergesFoldersAndRefusesTwoHooks(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if p, err := Load([]string{a, b}, Options{}); err != nil || p.Hook != nil || len(p.Tasks) != 0 {
		t.Fatalf("no files: %+v %v", p, err)
	}
	writeFile(t, a, "hook:\n  function: h\ntasks:\n  - {name: x, rule: '0 0 * * * *', function: f}\n")
	writeFile(t, b, "tasks:\n  - {name: y, rule: '0 0 * * * *', function: f}\n")
	p, err := Load([]string{a, b}, Options{})
	if err != nil || p.Hook == nil || len(p.Tasks) != 2 {
		t.Fatalf("merge: %+v %v", p, err)
	}
	writeFile(t, b, "hook:\n  function: h2\n")
	if _, err := Load([]string{a, b}, Options{}); err == nil || !strings.Contains(err.Error(), "a second data hook") {
		t.Fatalf("two hooks: %v", err)
	}
}

func writeFile(t *testing.T, dir, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHolderReloadKeepsTheLastGood: a file that stops validating is reported
// and the last good project stays; a good one replaces it and is announced.
func TestHolderReloadKeepsTheLastGood(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "hook:\n  function: a\n")
	var logged []string
	h, err := Open([]string{dir}, Options{}, func(level, line string) { logged = append(logged, level+": "+line) })
	if err != nil {
		t.Fatal(err)
	}
	var changes int
	h.OnChange(func(*Project) { changes++ })
	writeFile(t, dir, "hook:\n  function: [\n")
	if err := h.Reload(); err == nil || h.Hook().Function != "a" {
		t.Fatalf("bad reload: %v, hook %+v", err, h.Hook())
	}
	writeFile(t, dir, "hook:\n  function: b\n")
	if err := h.Reload(); err != nil || h.Hook().Function != "b" || changes != 1 {
		t.Fatalf("good reload: %v, hook %+v, %d changes", err, h.Hook(), changes)
	}
	text := strings.Join(logged, "\n")
	if !strings.Contains(text, "error: project file not reloaded, the last good one stays") || !strings.Contains(text, "info: project reloaded from") {
		t.Fatalf("log:\n%s", text)
	}
}
