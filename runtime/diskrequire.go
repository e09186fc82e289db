package runtime

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"
)

// Packages beyond the registry come from disk, with Node's resolution
// (goja_nodejs's require loads the CommonJS files; this file picks the path):
//
//   - a relative or absolute name ("./lib/util", "../data.json") is a file or
//     folder relative to the file that calls require, as in Node: .js, .json,
//     a folder's package.json "main" or index.js;
//   - a bare name ("async", "lodash/fp") is looked up in node_modules folders
//     from the calling file's folder up to the root, as in Node.
//
// Bmob preinstalls a set of npm packages; bmobemu builds in the ones its
// modules are (registry names win), and the rest are installed beside the
// functions. A bare name found nowhere fails with the npm command that installs
// it there. Each function version gets its own loader, so a reload also
// re-reads the files it requires.

// requireBeyondRegistry answers a require of a name the registry lacks: the
// local debugger's stand-in, a file or package from disk, the local
// debugger's missing AppConfig.json, else MODULE_NOT_FOUND.
func (v *vu) requireBeyondRegistry(name string) goja.Value {
	if name == LocalToolPackage {
		val := v.localTool()
		v.required[name] = val
		return val
	}
	val, found, err := v.requireFromDisk(name)
	if err != nil {
		var exc *goja.Exception
		if errors.As(err, &exc) {
			panic(exc) // the required file threw: its own error and stack
		}
		panic(v.vm.NewGoError(err))
	}
	if !found {
		if val, ok := v.missingAllowed(name); ok {
			return val
		}
		panic(v.missingModule(name))
	}
	return val // goja_nodejs caches it by path
}

// diskModules is the loader of this function version's files from disk.
func (f *Function) diskModules() *require.Registry {
	f.diskOnce.Do(func() { f.disk = require.NewRegistry() })
	return f.disk
}

// requireFromDisk loads name for the script file that calls require. found is
// false when name is neither a file nor an installed package.
func (v *vu) requireFromDisk(name string) (val goja.Value, found bool, err error) {
	base := v.callerDir()
	var target string
	if isPathName(name) {
		target = name
		if !filepath.IsAbs(name) {
			target = filepath.Join(base, filepath.FromSlash(name))
		}
		if !existsAsModule(target) {
			return nil, false, nil
		}
	} else {
		if target = findNodeModule(base, name); target == "" {
			return nil, false, nil
		}
	}
	val, err = v.nodeRequire.Require(target)
	var exc *goja.Exception
	if err != nil && !errors.As(err, &exc) {
		err = fmt.Errorf("loading %q from %s: %w", name, target, err)
	}
	return val, true, err
}

// callerDir is the folder of the innermost script frame (the file whose
// require call this is); the function's own folder when none is found.
func (v *vu) callerDir() string {
	for _, fr := range v.vm.CaptureCallStack(0, nil) {
		src := fr.SrcName()
		if src == "<native>" || src == "" || !strings.Contains(src, string(filepath.Separator)) && !strings.HasSuffix(src, ".js") {
			continue
		}
		if abs, err := filepath.Abs(src); err == nil {
			return filepath.Dir(abs)
		}
	}
	return v.fn.dir()
}

// dir is the absolute folder of the function's file.
func (f *Function) dir() string {
	abs, err := filepath.Abs(f.filename)
	if err != nil {
		return filepath.Dir(f.filename)
	}
	return filepath.Dir(abs)
}

func isPathName(name string) bool {
	return name == "." || name == ".." || strings.HasPrefix(name, "./") || strings.HasPrefix(name, "../") || strings.HasPrefix(name, "/")
}

// existsAsModule: p, p.js, p.json or a folder (Node's LOAD_AS_FILE and
// LOAD_AS_DIRECTORY candidates).
func existsAsModule(p string) bool {
	for _, c := range []string{p, p + ".js", p + ".json"} {
		if _, err := os.Stat(c); err == nil {
			return true
		}
	}
	return false
}

// findNodeModule walks from dir up to the root looking for
// node_modules/<name>; "" when no folder has it.
func findNodeModule(dir, name string) string {
	for {
		if filepath.Base(dir) != "node_modules" {
			p := filepath.Join(dir, "node_modules", filepath.FromSlash(name))
			if existsAsModule(p) {
				return p
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// missingModule is Node's MODULE_NOT_FOUND, with what to do about it: the
// built-in names, and for a package the exact npm command that installs it
// beside the functions.
func (v *vu) missingModule(name string) *goja.Object {
	var msg string
	if isPathName(name) {
		msg = fmt.Sprintf("Cannot find module '%s' (looked in %s)", name, v.callerDir())
	} else {
		pkg := name
		if parts := strings.SplitN(name, "/", 3); strings.HasPrefix(name, "@") && len(parts) >= 2 {
			pkg = parts[0] + "/" + parts[1]
		} else {
			pkg = parts[0]
		}
		builtIn := strings.Join(v.fn.engine.opts.Registry.RequireNames(), ", ")
		if builtIn == "" {
			builtIn = "no packages"
		}
		msg = fmt.Sprintf("Cannot find module '%s': it is not built into bmobemu (built in: %s); other npm packages (Bmob preinstalls some, such as async) "+
			"are loaded from a node_modules folder beside your functions: npm install --prefix %s %s",
			name, builtIn, shellQuote(v.fn.dir()), pkg)
	}
	err := v.vm.NewGoError(errors.New(msg))
	_ = err.Set("code", "MODULE_NOT_FOUND")
	return err
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"$`\\|&;<>()*?[]#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
