// Package nodediff is the differential test of bmobemu's Node surface: small probe
// scripts (probes/*.js) run in real Node (TZ=Asia/Shanghai) and in bmobemu's
// runtime, their printed lines compared one by one. The few lines allowed to
// differ are listed, each with its reason, in differences.json; the README's
// "Node surface" section is rendered from that list (a test keeps them in sync).
//
// A probe prints lines through the prelude's show(label, fn): "label: value". A
// difference names a probe and a label. Two kinds:
//
//   - "bmobemu": bmobemu prints something else than Node 16; the test checks that
//     the line does differ, so a fixed difference must leave the list.
//   - "node16": Node 16 (what Bmob runs) and newer Node print different things and
//     bmobemu follows Node 16; the entry records Node 16's line, bmobemu must print
//     it, and the Node on the machine must print it too if it is Node 16.
package nodediff

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Kinds of documented difference.
const (
	KindBmobemu = "bmobemu"
	KindNode16  = "node16"
)

// Difference is one documented line where the outputs may differ.
type Difference struct {
	Probe  string `json:"probe"`            // probe file name without .js
	Label  string `json:"label"`            // the line's label (text before the first ": ")
	Kind   string `json:"kind"`             // KindBmobemu or KindNode16
	Node16 string `json:"node16,omitempty"` // for KindNode16: Node 16's whole line
	Reason string `json:"reason"`
}

// LoadDifferences reads the list and checks its entries.
func LoadDifferences(path string) ([]Difference, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading differences: %w", err)
	}
	var diffs []Difference
	if err := json.Unmarshal(b, &diffs); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	seen := map[string]bool{}
	for i, d := range diffs {
		key := d.Probe + "\x00" + d.Label
		switch {
		case d.Probe == "" || d.Label == "" || d.Reason == "":
			return nil, fmt.Errorf("%s: entry %d needs probe, label and reason", path, i)
		case d.Kind != KindBmobemu && d.Kind != KindNode16:
			return nil, fmt.Errorf("%s: entry %d (%s %s): kind must be %q or %q", path, i, d.Probe, d.Label, KindBmobemu, KindNode16)
		case d.Kind == KindNode16 && d.Node16 == "":
			return nil, fmt.Errorf("%s: entry %d (%s %s): a node16 difference records Node 16's line", path, i, d.Probe, d.Label)
		case seen[key]:
			return nil, fmt.Errorf("%s: %s %q listed twice", path, d.Probe, d.Label)
		}
		seen[key] = true
	}
	return diffs, nil
}

// Label is the label of a probe's line: the text before the first ": ", or the
// whole line.
func Label(line string) string {
	if i := strings.Index(line, ": "); i >= 0 {
		return line[:i]
	}
	return line
}

// Compare checks bmobemu's lines of one probe against Node's, allowing the
// documented differences; nodeMajor is the major version of the Node that
// printed nodeLines. It returns every problem found.
func Compare(probe string, nodeLines, emuLines []string, diffs []Difference, nodeMajor int) []string {
	allowed := map[string]Difference{}
	for _, d := range diffs {
		if d.Probe == probe {
			allowed[d.Label] = d
		}
	}
	var problems []string
	used := map[string]bool{}
	n := max(len(nodeLines), len(emuLines))
	for i := 0; i < n; i++ {
		var nl, el string
		if i < len(nodeLines) {
			nl = nodeLines[i]
		}
		if i < len(emuLines) {
			el = emuLines[i]
		}
		switch {
		case i >= len(nodeLines):
			problems = append(problems, fmt.Sprintf("line %d: bmobemu printed an extra line %q", i+1, el))
			continue
		case i >= len(emuLines):
			problems = append(problems, fmt.Sprintf("line %d: bmobemu did not print %q", i+1, nl))
			continue
		}
		label := Label(nl)
		d, ok := allowed[label]
		if !ok {
			if nl != el {
				problems = append(problems, fmt.Sprintf("line %d differs:\n  node:    %s\n  bmobemu: %s", i+1, nl, el))
			}
			continue
		}
		used[label] = true
		if Label(el) != label {
			problems = append(problems, fmt.Sprintf("line %d: bmobemu printed %q where Node printed %q (lines out of step)", i+1, el, nl))
			continue
		}
		switch d.Kind {
		case KindBmobemu:
			if nl == el {
				problems = append(problems, fmt.Sprintf("line %d %q: documented as a difference but bmobemu now matches Node; remove it from differences.json", i+1, label))
			}
		case KindNode16:
			if el != d.Node16 {
				problems = append(problems, fmt.Sprintf("line %d %q: bmobemu must print Node 16's line\n  node 16: %s\n  bmobemu: %s", i+1, label, d.Node16, el))
			}
			if nodeMajor == 16 && nl != d.Node16 {
				problems = append(problems, fmt.Sprintf("line %d %q: this is Node 16 and it prints %q, not the recorded %q", i+1, label, nl, d.Node16))
			}
			if nodeMajor != 16 && nl == d.Node16 {
				problems = append(problems, fmt.Sprintf("line %d %q: Node %d prints Node 16's line too; the entry is stale", i+1, label, nodeMajor))
			}
		}
	}
	var stale []string
	for label := range allowed {
		if !used[label] {
			stale = append(stale, fmt.Sprintf("differences.json lists %q, which the probe no longer prints", label))
		}
	}
	sort.Strings(stale)
	return append(problems, stale...)
}

// RenderMarkdown renders the README's "Node surface" table from the list.
func RenderMarkdown(probes int, diffs []Difference) string {
	var b strings.Builder
	var mine, versions int
	for _, d := range diffs {
		if d.Kind == KindBmobemu {
			mine++
		} else {
			versions++
		}
	}
	fmt.Fprintf(&b, "%d probes; %d documented differences from Node 16 and %d lines where newer Node differs from Node 16 (bmobemu follows 16).\n\n", probes, mine, versions)
	b.WriteString("| probe | line | kind | why |\n|---|---|---|---|\n")
	for _, d := range diffs {
		kind := "bmobemu differs"
		if d.Kind == KindNode16 {
			kind = "Node 16 vs newer"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", d.Probe, strings.ReplaceAll(d.Label, "|", "\\|"), kind, strings.ReplaceAll(d.Reason, "|", "\\|"))
	}
	return b.String()
}
