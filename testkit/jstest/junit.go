package jstest

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *struct{}     `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the run as JUnit XML: one testsuite per file, one testcase
// per test, failures with their first line as message and the whole report as
// text.
func (r *Result) WriteJUnit(w io.Writer) error {
	doc := junitSuites{Tests: len(r.Tests), Failures: r.Failed, Skipped: r.Skipped, Time: seconds(r.Duration.Seconds())}
	index := map[string]int{}
	for _, t := range r.Tests {
		i, ok := index[t.File]
		if !ok {
			i = len(doc.Suites)
			index[t.File] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: t.File})
		}
		s := &doc.Suites[i]
		c := junitCase{Name: t.Name, Classname: t.File, Time: seconds(t.Duration.Seconds())}
		s.Tests++
		switch t.Status {
		case Failed:
			s.Failures++
			first, _, _ := strings.Cut(t.Failure, "\n")
			c.Failure = &junitFailure{Message: first, Text: t.Failure}
		case Skipped:
			s.Skipped++
			c.Skipped = &struct{}{}
		}
		s.Cases = append(s.Cases, c)
	}
	for i := range doc.Suites {
		var total float64
		for _, c := range doc.Suites[i].Cases {
			var f float64
			fmt.Sscanf(c.Time, "%g", &f)
			total += f
		}
		doc.Suites[i].Time = seconds(total)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }
