package modules

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dop251/goja"
)

// Every Bmob module name is a property of `modules`, provided or not; the
// provided ones are listed by BmobNames alone.
func TestAllBmobNamesCoverBmobsListAndTheProvidedOnes(t *testing.T) {
	r := NewRegistry()
	r.AddBmob("oData", func(VU) (goja.Value, error) { return nil, nil })
	r.AddBmob("oExtra", func(VU) (goja.Value, error) { return nil, nil })
	all := r.AllBmobNames()
	for _, name := range append(bmobModuleNames[:], "oExtra") {
		if !slices.Contains(all, name) {
			t.Errorf("AllBmobNames lacks %s", name)
		}
	}
	if len(all) != len(bmobModuleNames)+1 || !slices.IsSorted(all) {
		t.Errorf("AllBmobNames = %v", all)
	}
	if got := r.BmobNames(); !slices.Equal(got, []string{"oData", "oExtra"}) {
		t.Errorf("BmobNames = %v", got)
	}
}

func TestGlobalsKeepTheirOrder(t *testing.T) {
	r := NewRegistry()
	var order []string
	r.AddGlobal(func(*goja.Runtime, *Env) error { order = append(order, "a"); return nil })
	r.AddGlobal(func(*goja.Runtime, *Env) error { order = append(order, "b"); return nil })
	for _, g := range r.Globals() {
		_ = g(nil, nil)
	}
	if strings.Join(order, "") != "ab" {
		t.Fatalf("order %v", order)
	}
}

// The runtime knows modules only through this package: it imports no module
// (Buffer and the other globals reach it as registry globals), so a module's
// tests can build their VM through the runtime (modulestest) without a cycle.
func TestRuntimeImportsNoConcreteModule(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "runtime", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("runtime sources: %v %v", files, err)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/bmobemu/bmobemu/modules/") {
				t.Errorf("%s imports %s", path, p)
			}
		}
	}
}
