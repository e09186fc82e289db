package testkit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/store"
)

// Fixtures are the rows every test starts from: the classes of one or more
// `bmobemu data export` documents, merged into one document that each test's
// fresh store imports in a single transaction.
type Fixtures struct {
	doc []byte // an export document; nil when there are no rows
}

// LoadFixtures reads every dir/*.json (sorted by name) in the export format of
// `bmobemu data export`. Two files may add rows to the same class. For
// hand-written fixtures a row may leave out objectId (one is derived from the
// class and position) and createdAt/updatedAt (the clock's start is used). A
// missing dir means no fixtures.
func LoadFixtures(dir string, start time.Time) (*Fixtures, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("fixtures in %s: %w", dir, err)
	}
	sort.Strings(paths)
	merged := map[string][]map[string]any{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("fixtures: %w", err)
		}
		var doc struct {
			Format  string                      `json:"format"`
			Version int                         `json:"version"`
			Classes map[string][]map[string]any `json:"classes"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("fixtures: %s: %w", p, err)
		}
		if doc.Format != store.ExportFormat || doc.Version != store.ExportVersion {
			return nil, fmt.Errorf(`fixtures: %s: not a bmobemu export (want {"format":%q,"version":%d,"classes":{…}})`, p, store.ExportFormat, store.ExportVersion)
		}
		for class, rows := range doc.Classes {
			merged[class] = append(merged[class], rows...)
		}
	}
	return fixturesFrom(merged, start)
}

// FixturesFrom builds fixtures from rows by class, filling missing system fields
// like LoadFixtures.
func FixturesFrom(classes map[string][]map[string]any, start time.Time) (*Fixtures, error) {
	copied := map[string][]map[string]any{}
	for class, rows := range classes {
		for _, r := range rows {
			c := make(map[string]any, len(r))
			for k, v := range r {
				c[k] = v
			}
			copied[class] = append(copied[class], c)
		}
	}
	return fixturesFrom(copied, start)
}

func fixturesFrom(classes map[string][]map[string]any, start time.Time) (*Fixtures, error) {
	if len(classes) == 0 {
		return &Fixtures{}, nil
	}
	stamp := bjtime.Format(start)
	for class, rows := range classes {
		for i, r := range rows {
			if _, ok := r["objectId"]; !ok {
				sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", class, i)))
				r["objectId"] = hex.EncodeToString(sum[:5])
			}
			for _, k := range []string{"createdAt", "updatedAt"} {
				if _, ok := r[k]; !ok {
					r[k] = stamp
				}
			}
		}
	}
	doc, err := json.Marshal(map[string]any{"format": store.ExportFormat, "version": store.ExportVersion, "classes": classes})
	if err != nil {
		return nil, fmt.Errorf("fixtures: %w", err)
	}
	return &Fixtures{doc: doc}, nil
}
