package jstest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkThousandHandlerTests runs 1,000 handler tests (20 files of 50), each
// one call plus one table assertion, on fresh sessions, as `bmobemu test` does.
// It reports the wall time of the whole run and the time per test.
func BenchmarkThousandHandlerTests(b *testing.B) {
	const files, perFile = 20, 50
	tests := map[string]string{}
	for f := 0; f < files; f++ {
		var src strings.Builder
		for i := 0; i < perFile; i++ {
			fmt.Fprintf(&src, `test('hello %d', function () {
  assert.equal(call('hello', { json: { name: 'n%d' } }).status, 200);
  assert.deepEqual(db.rows('Hello').map(function (r) { return r.name; }), ['n%d']);
});
`, i, i, i)
		}
		tests[fmt.Sprintf("t%02d.test.js", f)] = src.String()
	}
	dir := project(b, map[string]string{"hello.js": hello}, tests)
	var total time.Duration
	for b.Loop() {
		res, err := Run(b.Context(), Config{Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		if res.Passed != files*perFile {
			b.Fatalf("%d passed, %d failed", res.Passed, res.Failed)
		}
		total += res.Duration
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/1000-tests")
	b.ReportMetric(float64(total.Microseconds())/float64(b.N*files*perFile), "µs/test")
}
