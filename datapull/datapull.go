// Package datapull moves data from Bmob into bmobemu: it reads the JSON Bmob's
// REST API answers (a file per table of {"results":[…]}, as paged
// `GET /1/classes/<T>?limit=1000&skip=…` returns it), pulls the same pages from
// any Bmob-compatible server itself, and imports the objects into a store
// keeping their objectId, createdAt and updatedAt.
package datapull

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmobemu/bmobemu/store"
)

// Classes are objects by class name, each object as Bmob's REST API shows it.
type Classes map[string][]map[string]any

// Add appends objs to class, dropping objects whose objectId the class already
// has (pages of a live table can overlap).
func (c Classes) Add(class string, objs []map[string]any) {
	seen := make(map[string]bool, len(c[class]))
	for _, o := range c[class] {
		if id, ok := o["objectId"].(string); ok {
			seen[id] = true
		}
	}
	for _, o := range objs {
		id, _ := o["objectId"].(string)
		if id != "" && seen[id] {
			continue
		}
		seen[id] = true
		c[class] = append(c[class], o)
	}
}

// Names are the class names, sorted.
func (c Classes) Names() []string {
	out := make([]string, 0, len(c))
	for n := range c {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ErrNotBmobJSON is returned for a document that is neither Bmob's
// {"results":[…]} nor a bare array of objects.
var ErrNotBmobJSON = errors.New(`not Bmob REST JSON: want {"results":[…]} or an array of objects`)

// ReadResults decodes Bmob REST JSON: {"results":[…]} (what GET /1/classes/<T>
// answers) or a bare array of objects.
func ReadResults(r io.Reader) ([]map[string]any, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading Bmob JSON: %w", err)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var objs []map[string]any
		if err := json.Unmarshal(trimmed, &objs); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotBmobJSON, err)
		}
		return objs, nil
	}
	var doc struct {
		Results *[]map[string]any `json:"results"`
	}
	if err := json.Unmarshal(trimmed, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotBmobJSON, err)
	}
	if doc.Results == nil {
		return nil, ErrNotBmobJSON
	}
	return *doc.Results, nil
}

// IsNativeExport reports whether data is bmobemu's own export document.
func IsNativeExport(data []byte) bool {
	var head struct {
		Format string `json:"format"`
	}
	return json.Unmarshal(data, &head) == nil && head.Format == store.ExportFormat
}

// ClassFromFile is the class a Bmob JSON file holds by its name:
// "exports/GameScore.json" is GameScore.
func ClassFromFile(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// ReadFiles reads files into classes: Bmob JSON (the class named by class
// when exactly one file is given, otherwise by each file's name) or bmobemu's
// own export documents. A folder stands for every *.json file in it.
func ReadFiles(paths []string, class string) (Classes, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.json"))
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		files = append(files, matches...)
	}
	if class != "" && len(files) != 1 {
		return nil, fmt.Errorf("import: --class names the class of one file, got %d files", len(files))
	}
	out := Classes{}
	for _, f := range files {
		name := class
		if name == "" {
			name = ClassFromFile(f)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		if IsNativeExport(data) {
			if err := addNative(out, data); err != nil {
				return nil, fmt.Errorf("import %s: %w", f, err)
			}
			continue
		}
		objs, err := ReadResults(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("import %s: %w", f, err)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("import %s: class %s comes from two files", f, name)
		}
		out[name] = objs
		if out[name] == nil {
			out[name] = []map[string]any{}
		}
	}
	return out, nil
}

// addNative adds the classes of a bmobemu export document.
func addNative(out Classes, data []byte) error {
	var doc struct {
		Version int     `json:"version"`
		Classes Classes `json:"classes"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("reading a bmobemu export: %w", err)
	}
	if doc.Version != store.ExportVersion {
		return fmt.Errorf("a bmobemu export of version %d (this bmobemu reads version %d)", doc.Version, store.ExportVersion)
	}
	for name, objs := range doc.Classes {
		if _, dup := out[name]; dup {
			return fmt.Errorf("class %s comes from two files", name)
		}
		out[name] = objs
	}
	return nil
}

// Import writes classes into st in one transaction, keeping objectIds and
// times. With merge, classes not in the import keep their objects (an imported
// class replaces the class of the same name); without it the db holds exactly
// the import. On any error the db is unchanged.
func Import(ctx context.Context, st store.Store, classes Classes, merge bool) error {
	doc := struct {
		Format  string  `json:"format"`
		Version int     `json:"version"`
		Classes Classes `json:"classes"`
	}{store.ExportFormat, store.ExportVersion, Classes{}}
	if merge {
		var buf bytes.Buffer
		if err := st.Export(ctx, &buf); err != nil {
			return fmt.Errorf("import: reading the current data: %w", err)
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			return fmt.Errorf("import: reading the current data: %w", err)
		}
	}
	for name, objs := range classes {
		doc.Classes[name] = objs
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(doc); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return st.Import(ctx, &buf)
}
